"""Administration pages (admins): users (add, role, deactivate, reset password), API tokens,
webhooks. The services check the role again on every change; passwords are hashed here, as the
API does, before the service stores them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from tierdesk.services import tokens, users, webhooks
from tierdesk.services.errors import Forbidden, InvalidInput, ServiceError
from tierdesk.services.records import ROLES
from tierdesk.services.users import USER_ADMIN_ROLES
from tierdesk.web.console.base import Page, Viewer, attempt, refused, show
from tierdesk.web.errors import status_for

router = APIRouter(prefix="/admin")
Id = Annotated[str, Path(min_length=1, max_length=100)]
Field = Annotated[str, Form(max_length=1024)]
MIN_PASSWORD = 8  # as the API's schema (UserIn)


def _admin(page: Viewer) -> None:
    """The lists below are read by services that take no actor: the role is checked here."""
    if page.user.role not in USER_ADMIN_ROLES:
        raise Forbidden(f"{page.user.role} may not manage users", role=page.user.role)


def _password(value: str) -> str:
    if len(value) < MIN_PASSWORD:
        raise InvalidInput("password", f"at least {MIN_PASSWORD} characters")
    return value


def _users_page(
    request: Request,
    page: Viewer,
    *,
    status: int = 200,
    error: ServiceError | None = None,
    notice: str = "",
) -> HTMLResponse:
    try:
        _admin(page)
    except ServiceError as exc:
        return refused(request, page, exc)
    return show(
        request, page, "console/admin_users.html", status=status, error=error, notice=notice,
        people=users.list_users(page.env), roles=ROLES,
    )  # fmt: skip


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, page: Page) -> HTMLResponse:
    return _users_page(request, page)


def _run_users(
    request: Request, page: Viewer, run: Callable[[], object], notice: str
) -> HTMLResponse:
    def command() -> None:
        _admin(page)
        run()

    return attempt(partial(_users_page, request, page), command, notice=notice)


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    page: Page,
    username: Field,
    display_name: Field,
    role: Field,
    password: Field,
    email: Field = "",
    language: Field = "en",
) -> HTMLResponse:
    state = page.state
    return _run_users(
        request, page,
        lambda: users.add_user(
            page.env, username=username, display_name=display_name, role=role,
            actor_id=page.id, email=email or None, language=language,
            password_hash=state.hasher.hash(_password(password)),
        ),
        "user_added",
    )  # fmt: skip


@router.post("/users/{user_id}", response_class=HTMLResponse)
def change_user(
    request: Request,
    page: Page,
    user_id: Id,
    role: Field = "",
    active: Field = "",
    password: Field = "",
) -> HTMLResponse:
    """One change per form: a new role, (de)activation, or a password reset."""
    state = page.state
    return _run_users(
        request, page,
        lambda: users.update_user(
            page.env, user_id=user_id, actor_id=page.id, role=role or None,
            active={"1": True, "0": False}.get(active),
            password_hash=state.hasher.hash(_password(password)) if password else None,
            keep_session_id=page.principal.session_id,
        ),
        "user_changed",
    )  # fmt: skip


def _tokens_page(
    request: Request,
    page: Viewer,
    *,
    status: int = 200,
    error: ServiceError | None = None,
    created: str = "",
    hooks_secret: str = "",
) -> HTMLResponse:
    try:
        own = tokens.list_for(page.env, page.id)
        hooks = webhooks.list_all(page.env, page.id) if page.user.role in USER_ADMIN_ROLES else []
    except ServiceError as exc:
        return refused(request, page, exc)
    return show(
        request, page, "console/admin_tokens.html", status=status, error=error,
        tokens=own, hooks=hooks, created=created, hooks_secret=hooks_secret,
    )  # fmt: skip


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, page: Page) -> HTMLResponse:
    """The viewer's API tokens and (admins) the webhooks."""
    return _tokens_page(request, page)


@router.post("/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    page: Page,
    name: Annotated[str, Form(max_length=80)],
    days: Annotated[int, Form(ge=1, le=3650)] = 90,
) -> HTMLResponse:
    try:
        _record, secret = tokens.create(page.env, page.id, name, days)
    except ServiceError as exc:
        return _tokens_page(request, page, status=status_for(exc), error=exc)
    return _tokens_page(request, page, created=secret)


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, page: Page, token_id: Id) -> HTMLResponse:
    return attempt(
        partial(_tokens_page, request, page), lambda: tokens.revoke(page.env, page.id, token_id)
    )


@router.post("/webhooks", response_class=HTMLResponse)
def add_webhook(
    request: Request,
    page: Page,
    url: Annotated[str, Form(max_length=2000)],
    events: Annotated[str, Form(max_length=2000)] = "*",
) -> HTMLResponse:
    kinds = [e.strip() for e in events.replace(",", " ").split() if e.strip()] or ["*"]
    try:
        _hook, secret = webhooks.add(page.env, page.id, url, kinds)
    except ServiceError as exc:
        return _tokens_page(request, page, status=status_for(exc), error=exc)
    return _tokens_page(request, page, hooks_secret=secret)


@router.post("/webhooks/{webhook_id}/deactivate", response_class=HTMLResponse)
def deactivate_webhook(request: Request, page: Page, webhook_id: Id) -> HTMLResponse:
    return attempt(
        partial(_tokens_page, request, page),
        lambda: webhooks.deactivate(page.env, page.id, webhook_id),
    )
