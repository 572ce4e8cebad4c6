"""What every console page shares: who is viewing (the API's session cookie; signed out ->
the sign-in page), the page locale, rendering, and service errors shown in the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tierdesk.services import users
from tierdesk.services.env import Env
from tierdesk.services.errors import ServiceError
from tierdesk.services.records import UserRecord
from tierdesk.services.users import ROLE_TIER
from tierdesk.web import i18n, pages
from tierdesk.web.auth import SESSION_COOKIE, Principal, session_caller
from tierdesk.web.errors import WebError, status_for
from tierdesk.web.state import WebState, web_state

LANG_COOKIE = "tierdesk_lang"


class SignInRequired(Exception):  # noqa: N818 - reads as what happened
    """No valid session: the page answers with the sign-in page."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a page request, with the state and the page locale."""

    principal: Principal
    user: UserRecord
    state: WebState
    csrf: str

    @property
    def env(self) -> Env:
        return self.state.env

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def locale(self) -> pages.Locale:
        return page_locale(self.state, self.user.language)


def page_locale(state: WebState, lang: str) -> pages.Locale:
    rules = state.env.rules
    zone = rules.calendars[0].timezone if rules.calendars else "UTC"
    return pages.Locale(i18n.language(lang), zone, rules.default_currency)


def viewer(request: Request, state: Annotated[WebState, Depends(web_state)]) -> Viewer:
    """The page's signed-in user: the API's session cookie, and on unsafe methods the API's
    CSRF header (htmx sends it). Signed out -> SignInRequired (the sign-in page)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        raise SignInRequired
    try:
        caller = session_caller(request, state, cookie)
    except WebError as exc:
        if exc.status == 401:
            raise SignInRequired from exc
        raise
    # The user read with the session (not again), and the CSRF token of the same cookie.
    return Viewer(caller.principal, caller.user, state, caller.csrf)


Page = Annotated[Viewer, Depends(viewer)]


def signed_out_lang(request: Request) -> str:
    """The language of a signed-out page: ?lang=, then the cookie, then Accept-Language."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked:
        return i18n.language(asked)
    return i18n.from_accept_language(request.headers.get("accept-language"))


def show(
    request: Request,
    page: Viewer,
    template: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render `template` for the signed-in viewer."""
    env, lang = page.env, page.user.language

    def category_label(category_id: str) -> str:
        found = next((c for c in env.rules.categories if c.id == category_id), None)
        return found.label.get(lang) if found is not None else category_id

    values = {
        "user": page.user,
        "csrf": page.csrf,
        "path": request.url.path,
        "now": env.now(),
        "rules": env.rules,
        "category_label": category_label,
        "own_tier": ROLE_TIER.get(page.user.role, ""),
        "metrics_roles": users.METRICS_ROLES,
        "parse_time": datetime.fromisoformat,
        **context,
    }
    return pages.render(
        request, template, values, locale=page.locale, status=status, headers=headers
    )


def refused(request: Request, page: Viewer, exc: ServiceError | WebError) -> HTMLResponse:
    """A service's (or the web layer's) refusal as an alert fragment, with its HTTP status."""
    if isinstance(exc, ServiceError):
        status, code, message, data = status_for(exc), exc.code, exc.message, exc.data
    else:
        status, code, message, data = exc.status, exc.code, exc.detail, {}
    return show(
        request, page, "console/_refused.html", status=status, code=code, message=message, data=data
    )


def attempt(
    render: Callable[..., HTMLResponse], command: Callable[[], object], **done: Any
) -> HTMLResponse:
    """Post, then show the page again: `command` run, then `render(**done)` (a notice, say); on
    a service's refusal `render(status=..., error=...)`, so the refusal shows above the form
    with its HTTP status and nothing has changed."""
    try:
        command()
    except ServiceError as exc:
        return render(status=status_for(exc), error=exc)
    return render(**done)


def go(request: Request, url: str) -> Response:
    """Navigate to `url`: an htmx request is told by HX-Redirect, a plain one by a 303."""
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _sign_in_page(request: Request, _: Exception) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return go(request, "/login?next=" + quote(target, safe=""))


def install(app: FastAPI) -> None:
    """A signed-out viewer of a console page is sent to sign in (the routes are `routes`)."""
    app.add_exception_handler(SignInRequired, _sign_in_page)


def mount_static(app: FastAPI) -> None:
    app.mount("/static", pages.static_files(), name="static")
