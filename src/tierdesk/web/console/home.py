"""Sign in and out, the home of each role, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tierdesk.services import sessions, users
from tierdesk.services.errors import ServiceError
from tierdesk.web import i18n, pages
from tierdesk.web.api.common import State
from tierdesk.web.auth import CSRF_COOKIE, SESSION_COOKIE, sign_in
from tierdesk.web.console.base import (
    LANG_COOKIE,
    Page,
    go,
    page_locale,
    refused,
    show,
    signed_out_lang,
)
from tierdesk.web.errors import WebError

router = APIRouter()

# Where each role starts its day.
HOME_BY_ROLE = {
    "agent_l1": "/queue",
    "agent_l2": "/queue",
    "agent_l3": "/queue",
    "team_lead": "/queue?view=team",
    "supervisor": "/approvals",
    "manager": "/approvals",
    "qa": "/qa",
    "admin": "/admin/users",
}


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never `//host` or a scheme) may follow the sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(
    request: Request,
    state: State,
    *,
    lang: str,
    error: str = "",
    status: int = 200,
    username: str = "",
    next_url: str = "/",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    context = {"error": error, "username": username, "next": next_url}
    return pages.render(
        request,
        "console/login.html",
        context,
        locale=page_locale(state, lang),
        status=status,
        headers=headers,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, state: State, next: str | None = None) -> HTMLResponse:
    lang = signed_out_lang(request)
    response = _login_page(request, state, lang=lang, next_url=_safe_next(next))
    if request.query_params.get("lang"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    state: State,
    username: Annotated[str, Form(max_length=150)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The sign-in form: the API's session and CSRF cookies, rate-limited the same way."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    try:
        sign_in(state, request, response, username, password)
    except WebError as exc:
        lang = signed_out_lang(request)
        message = "rate_limited" if exc.status == 429 else "invalid_credentials"
        return _login_page(
            request,
            state,
            lang=lang,
            error=message,
            status=exc.status,
            username=username,
            next_url=_safe_next(next),
            headers=exc.headers,
        )
    return response


@router.post("/logout")
def logout(request: Request, page: Page) -> Response:
    if page.principal.session_id is not None:
        sessions.end(page.env, page.principal.session_id)
    response = go(request, "/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, page: Page) -> Response:
    """Each role's home (agents: their queue; leads: the team; supervisors and managers:
    approvals; QA: what to review; admins: users)."""
    return RedirectResponse(HOME_BY_ROLE.get(page.user.role, "/queue"), status_code=303)


@router.post("/language")
def set_language(
    request: Request, page: Page, language: Annotated[str, Form(max_length=16)]
) -> Response:
    """Store the viewer's language with the user; the page reloads in it."""
    try:
        users.set_language(page.env, user_id=page.id, language=language)
    except ServiceError as exc:
        return refused(request, page, exc)
    return Response(status_code=204, headers={"HX-Refresh": "true"})


__all__ = ["HOME_BY_ROLE", "i18n", "router", "show"]
