"""What the public customer pages share: their language, rendering with their headers, the
signed form token, the public rate limit, and absolute links from TIERDESK_PUBLIC_URL.

No page here has an account: a page's credential is the signed token in its URL (a survey's
stored token, a customer's magic link, a chat's token), never a cookie, so a cross-site form
cannot act for a customer (there is no ambient authority to ride on). Forms without such a
token (contact, asking for a link, starting a chat) carry a signed form token instead: it
proves the form was served by us within `FORM_MAX_AGE`, and its nonce makes a double submit
one ticket (the intake's idempotency key), not two.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from tierdesk.web import i18n, pages
from tierdesk.web.api.common import client_ip
from tierdesk.web.console.base import LANG_COOKIE, page_locale
from tierdesk.web.state import WebState

FORM_MAX_AGE = timedelta(hours=2)


def page_lang(request: Request, fallback: str | None = None) -> str:
    """The page's language: ?lang=, then the customer's own (`fallback`, e.g. the ticket's),
    then the language cookie, then Accept-Language."""
    asked = request.query_params.get("lang")
    if asked:
        return i18n.language(asked)
    if fallback:
        return i18n.language(fallback)
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie:
        return i18n.language(cookie)
    return i18n.from_accept_language(request.headers.get("accept-language"))


def csp(frame_ancestors: str | None = None) -> str:
    """The pages' CSP; `frame_ancestors` replaces `'none'` (the chat page's embedding sites)."""
    if frame_ancestors is None:
        return pages.CSP
    return pages.CSP.replace("frame-ancestors 'none'", f"frame-ancestors {frame_ancestors}")


def show(
    request: Request,
    state: WebState,
    template: str,
    lang: str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    frame_ancestors: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """`template` (under templates/public) in `lang` for a customer."""
    values = {
        "business": state.env.rules.business,
        "path": request.url.path,
        "public_url": public_base(state),
        **context,
    }
    all_headers = {"Content-Security-Policy": csp(frame_ancestors), **(headers or {})}
    return pages.render(
        request,
        template,
        values,
        locale=page_locale(state, lang),
        status=status,
        headers=all_headers,
    )


def public_base(state: WebState) -> str:
    """The public address customers reach us at (TIERDESK_PUBLIC_URL), no trailing slash."""
    return state.settings.public_base()


def limited(state: WebState, request: Request) -> int | None:
    """Take a token of the public intake's rate limit (the same bucket as POST /api/intake,
    per client address): None when allowed, else the seconds to wait."""
    return state.public_limiter.hit(f"public:{client_ip(request)}")


def too_many(
    request: Request, state: WebState, lang: str, wait: int, frame_ancestors: str | None = None
) -> HTMLResponse:
    """The kind 429 page of a customer who went past the rate limit, with Retry-After."""
    return show(
        request,
        state,
        "public/limited.html",
        lang,
        status=429,
        headers={"Retry-After": str(wait)},
        wait=wait,
        frame_ancestors=frame_ancestors,
    )


def form_token(state: WebState, form: str) -> str:
    """A signed token for one serving of the public form `form` (expires after FORM_MAX_AGE)."""
    exp = int((state.env.now() + FORM_MAX_AGE).timestamp())
    return state.signer.dumps(f"public-form:{form}", {"n": secrets.token_urlsafe(12), "exp": exp})


def form_nonce(state: WebState, form: str, token: str) -> str | None:
    """The nonce of a form token we served for `form` and that has not expired, else None."""
    payload = state.signer.loads(f"public-form:{form}", token, state.env.now())
    nonce = payload.get("n") if payload else None
    return nonce if isinstance(nonce, str) else None
