"""Sign-in (session cookie), sign-out, the current user, and bearer API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tierdesk.services import users
from tierdesk.web.api.common import State, client_ip, rate_limit, user_out
from tierdesk.web.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentUser,
    check_password,
    issue_session,
    issue_token,
)
from tierdesk.web.errors import WebError
from tierdesk.web.schemas import LoginIn, LoginOut, TokenIn, TokenOut, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, state: State) -> LoginOut:
    """Check the password and set the session cookie (HttpOnly, SameSite=Lax) and the CSRF
    cookie. Rate-limited per username and client IP (429 with Retry-After)."""
    name = body.username.strip().lower()
    rate_limit(state.login_limiter, f"login:{name}:{client_ip(request)}")
    user = users.find_user(state.env, name)
    if user is None or not check_password(state, user, body.password):
        raise WebError(401, "invalid_credentials", "wrong username or password")
    settings = state.settings
    cookie, csrf = issue_session(state.signer, user.id, state.env.now(), settings.session_max_age)
    age, secure = settings.session_max_age, settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE, cookie, max_age=age, secure=secure, httponly=True, samesite="lax"
    )
    # Readable by the console's script, which echoes it in X-CSRF-Token (double submit).
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, secure=secure, samesite="lax")
    return LoginOut(user=user_out(user), csrf_token=csrf)


@router.post("/logout", status_code=204)
def logout(user: CurrentUser, response: Response) -> Response:
    """Clear the session cookies."""
    response.status_code = 204
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser, state: State) -> UserOut:
    """The signed-in user."""
    return user_out(users.get_user(state.env, user.user_id))


@router.post("/tokens", status_code=201, response_model=TokenOut)
def create_token(body: TokenIn, user: CurrentUser, state: State) -> TokenOut:
    """A bearer API token for the caller (shown once). It acts with the caller's role as it
    is at each request; deactivating the user revokes it."""
    days = body.days or state.settings.token_max_age_days
    issued = issue_token(state.signer, user.user_id, state.env.now(), days)
    return TokenOut(
        token=issued.token,
        token_id=issued.token_id,
        expires_at=issued.expires_at,
        user_id=user.user_id,
    )
