"""The customer's own page by magic link: /my asks for an email address and mails a link to
it when it is a customer's (the answer is the same either way: the page never tells whether
an address is known); /my/{token} lists the customer's tickets with their public
conversation and lets them reply to an open one (in as a customer message, channel `web`,
the way an email reply comes in).

The link's token is signed with the app's secret (HMAC-SHA256, `services.signing.Signer`) for this
one purpose (`customer-link`: a chat or form token never opens it), names the customer and
expires after TIERDESK_CUSTOMER_LINK_MAX_AGE. It is the page's credential: no cookie, so a
cross-site form has nothing to ride on. Asking for a link and replying are rate-limited with
the public intake's bucket.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tierdesk.services import customer_pages, signing
from tierdesk.services.errors import InvalidInput, NotFound, ServiceError
from tierdesk.web import i18n
from tierdesk.web.api.common import State
from tierdesk.web.console.base import page_locale
from tierdesk.web.public.base import (
    form_nonce,
    form_token,
    limited,
    page_lang,
    public_base,
    show,
    too_many,
)
from tierdesk.web.public.forms import (
    HONEYPOT,
    MAX_MESSAGE,
    EmailField,
    HoneypotField,
    LangField,
    MessageField,
    TokenField,
    check_contact,
    trapped,
)
from tierdesk.web.state import WebState

router = APIRouter()
FORM = "customer-link"
PURPOSE = signing.CUSTOMER_LINK
Token = Annotated[str, Path(min_length=1, max_length=500)]


def link_token(state: WebState, customer_id: str) -> tuple[str, int]:
    """(a signed magic-link token for the customer, its expiry as POSIX seconds): the link a
    customer asks for on /my (TIERDESK_CUSTOMER_LINK_MAX_AGE; links in receipts and replies
    are `Env.customer_link`'s, TIERDESK_CUSTOMER_LINK_MAIL_MAX_AGE)."""
    expires = state.env.now() + timedelta(seconds=state.settings.customer_link_max_age)
    return signing.customer_token(state.signer, customer_id, expires), int(expires.timestamp())


def customer_of(state: WebState, token: str) -> str | None:
    """The customer a magic-link token names, or None (forged, of another purpose, expired)."""
    return signing.customer_of_token(state.signer, token, state.env.now())


def _ask(
    request: Request,
    state: State,
    lang: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    email: str = "",
    expired: bool = False,
) -> HTMLResponse:
    return show(
        request,
        state,
        "public/my_ask.html",
        lang,
        status=status,
        errors=errors or {},
        email=email,
        expired=expired,
        token=form_token(state, FORM),
        honeypot=HONEYPOT,
    )


@router.get("/my", response_class=HTMLResponse)
def ask_form(request: Request, state: State) -> HTMLResponse:
    """Ask for a link to your requests."""
    return _ask(request, state, page_lang(request))


@router.post("/my", response_class=HTMLResponse)
def ask_link(
    request: Request,
    state: State,
    email: EmailField = "",
    token: TokenField = "",
    website: HoneypotField = "",
    lang: LangField = "",
) -> HTMLResponse:
    """Mail the link when the address is a customer's; the same answer either way."""
    page = page_lang(request, lang or None)
    wait = limited(state, request)
    if wait is not None:
        return too_many(request, state, page, wait)
    if trapped(website, FORM):
        return show(request, state, "public/my_sent.html", page, email=email)
    nonce = form_nonce(state, FORM, token)
    if nonce is None:
        return _ask(request, state, page, status=400, errors={"form": "expired"}, email=email)
    errors = check_contact(email, "", need_message=False)
    if errors:
        return _ask(request, state, page, status=422, errors=errors, email=email)
    locale = page_locale(state, page)

    def link_for(customer_id: str) -> tuple[str, str]:
        signed, exp = link_token(state, customer_id)
        expires = datetime.fromtimestamp(exp, UTC)
        return (
            f"{public_base(state)}/my/{signed}?lang={page}",
            i18n.when(expires, page, locale.zone),
        )

    try:
        customer_pages.request_link(
            state.env, email=email, language=page, link_for=link_for, request_key=nonce
        )
    except InvalidInput:
        return _ask(request, state, page, status=422, errors={"email": "invalid"}, email=email)
    return show(request, state, "public/my_sent.html", page, email=email)


def _gone(request: Request, state: State) -> HTMLResponse:
    return _ask(request, state, page_lang(request), status=403, expired=True)


def _tickets_page(
    request: Request,
    state: State,
    token: str,
    customer_id: str,
    *,
    status: int = 200,
    errors: dict[str, dict[str, str]] | None = None,
    drafts: dict[str, str] | None = None,
) -> HTMLResponse:
    threads = customer_pages.customer_tickets(state.env, customer_id=customer_id)
    fallback = threads[0].ticket.language if threads else None
    return show(
        request,
        state,
        "public/my_tickets.html",
        page_lang(request, fallback),
        status=status,
        threads=threads,
        link=token,
        errors=errors or {},
        drafts=drafts or {},
        key=secrets.token_urlsafe(12),
        honeypot=HONEYPOT,
        max_message=MAX_MESSAGE,
    )


@router.get("/my/{token}", response_class=HTMLResponse)
def my_tickets(request: Request, state: State, token: Token) -> HTMLResponse:
    """The customer's requests (the link's customer)."""
    customer_id = customer_of(state, token)
    if customer_id is None:
        return _gone(request, state)
    return _tickets_page(request, state, token, customer_id)


@router.post("/my/{token}/tickets/{ticket_id}", response_class=HTMLResponse)
def my_reply(
    request: Request,
    state: State,
    token: Token,
    ticket_id: Annotated[str, Path(min_length=1, max_length=100)],
    body: MessageField = "",
    key: Annotated[str, Form(min_length=1, max_length=100)] = "-",
    website: HoneypotField = "",
) -> Response:
    """The customer's reply on one of their tickets; back to the page."""
    customer_id = customer_of(state, token)
    if customer_id is None:
        return _gone(request, state)
    wait = limited(state, request)
    if wait is not None:
        return too_many(request, state, page_lang(request), wait)
    target = f"/my/{token}"
    if request.query_params.get("lang"):
        target += f"?lang={page_lang(request)}"
    if trapped(website, "customer reply"):
        return RedirectResponse(target, status_code=303)
    if not body.strip() or len(body) > MAX_MESSAGE:
        code = "missing" if not body.strip() else "long"
        return _tickets_page(
            request,
            state,
            token,
            customer_id,
            status=422,
            errors={ticket_id: {"message": code}},
            drafts={ticket_id: body},
        )
    try:
        customer_pages.customer_reply(
            state.env,
            customer_id=customer_id,
            ticket_id=ticket_id,
            body=body,
            channel="web",
            message_key=key,
        )
    except NotFound:
        return _tickets_page(request, state, token, customer_id, status=404)
    except ServiceError:
        return _tickets_page(
            request,
            state,
            token,
            customer_id,
            status=409,
            errors={ticket_id: {"message": "closed"}},
            drafts={ticket_id: body},
        )
    return RedirectResponse(f"{target}#ticket-{ticket_id}", status_code=303)
