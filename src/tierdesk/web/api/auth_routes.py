"""Sign-in (stored session, signed cookie), sign-out, the caller's sessions, the current user,
and bearer API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from tierdesk.services import sessions, tokens, users
from tierdesk.services.errors import InvalidInput
from tierdesk.services.records import ApiTokenRecord, SessionRecord
from tierdesk.web.api.common import State, client_ip, rate_limit, user_out
from tierdesk.web.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentUser,
    check_password,
    sign_in,
)
from tierdesk.web.errors import WebError
from tierdesk.web.schemas import (
    LoginIn,
    LoginOut,
    PasswordChangeIn,
    SessionOut,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserOut,
)

router = APIRouter(prefix="/auth", tags=["auth"])
TokenId = Annotated[str, Path(min_length=1, max_length=100)]
SessionId = Annotated[str, Path(min_length=1, max_length=100)]
ForUser = Annotated[
    str | None,
    Query(min_length=1, max_length=100, description="Another user's id (admins only)."),
]


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, state: State) -> LoginOut:
    """Check the password, start a stored session and set its cookie (HttpOnly,
    SameSite=Lax) and the CSRF cookie. Rate-limited per username and client IP (429 with
    Retry-After)."""
    user, csrf = sign_in(state, request, response, body.username, body.password)
    return LoginOut(user=user_out(user), csrf_token=csrf)


@router.post("/password", status_code=204)
def change_password(
    body: PasswordChangeIn, request: Request, user: CurrentUser, state: State
) -> Response:
    """Set a new password, proving the current one (403 `wrong_password`; rate-limited like
    sign-in, so a borrowed session cannot guess it). Every other session of the caller ends;
    this one stays signed in. API tokens are not touched."""
    rate_limit(state.login_limiter, f"password:{user.user_id}:{client_ip(request)}")
    record = users.get_user(state.env, user.user_id)
    if not check_password(state, record, body.current_password):
        raise WebError(403, "wrong_password", "the current password is wrong")
    if body.new_password == body.current_password:
        raise InvalidInput("new_password", "must differ from the current password")
    users.change_own_password(
        state.env,
        user_id=user.user_id,
        password_hash=state.hasher.hash(body.new_password),
        keep_session_id=user.session_id,
    )
    return Response(status_code=204)


def _clear_cookies(response: Response) -> Response:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/logout", status_code=204)
def logout(user: CurrentUser, response: Response, state: State) -> Response:
    """End this session on the server (a copy of its cookie stops working too) and clear the
    session cookies."""
    if user.session_id is not None:
        sessions.end(state.env, user.session_id)
    response.status_code = 204
    return _clear_cookies(response)


@router.post("/logout-everywhere", status_code=204)
def logout_everywhere(user: CurrentUser, response: Response, state: State) -> Response:
    """End every session of the caller, this one included, on every browser (API tokens are
    not touched: revoke them with DELETE /api/auth/tokens/{id})."""
    sessions.end_all(state.env, user.user_id)
    response.status_code = 204
    return _clear_cookies(response)


def _session_out(session: SessionRecord, current_id: str | None) -> SessionOut:
    return SessionOut(
        id=session.id,
        created_at=session.created_at,
        last_seen_at=session.last_seen_at,
        expires_at=session.expires_at,
        user_agent=session.user_agent,
        address=session.address,
        current=session.id == current_id,
    )


@router.get("/sessions", response_model=list[SessionOut])
def list_sessions(user: CurrentUser, state: State) -> list[SessionOut]:
    """The caller's active sessions (neither ended nor expired), oldest first; `current` marks
    the session of this request."""
    return [_session_out(s, user.session_id) for s in sessions.list_for(state.env, user.user_id)]


@router.delete("/sessions/{session_id}", status_code=204)
def end_session(session_id: SessionId, user: CurrentUser, state: State) -> Response:
    """End one of the caller's sessions at once (ending one twice is fine); 404 for an unknown
    session or another user's. Ending the current one also clears its cookies."""
    sessions.end_own(state.env, user.user_id, session_id)
    response = Response(status_code=204)
    return _clear_cookies(response) if session_id == user.session_id else response


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser, state: State) -> UserOut:
    """The signed-in user."""
    return user_out(users.get_user(state.env, user.user_id))


def _token_out(token: ApiTokenRecord) -> TokenOut:
    """A token as the API shows it (never its hash)."""
    return TokenOut(
        id=token.id,
        user_id=token.user_id,
        name=token.name,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
        revoked_by=token.revoked_by,
    )


@router.post("/tokens", status_code=201, response_model=TokenCreated)
def create_token(body: TokenIn, user: CurrentUser, state: State) -> TokenCreated:
    """A named bearer API token for the caller; the token itself is shown only in this
    answer. It acts with the caller's role as it is at each request, until it expires or is
    revoked (DELETE /api/auth/tokens/{id}); deactivating the user stops all of their tokens."""
    days = body.days or state.settings.token_max_age_days
    record, token = tokens.create(state.env, user.user_id, body.name, days)
    return TokenCreated(token=token, **_token_out(record).model_dump())


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(user: CurrentUser, state: State, user_id: ForUser = None) -> list[TokenOut]:
    """The caller's tokens (an admin may pass `user_id`), revoked and expired ones included,
    oldest first. Neither secrets nor hashes are ever shown."""
    found = tokens.list_for(state.env, user.user_id, user_id)
    return [_token_out(t) for t in found]


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: TokenId, user: CurrentUser, state: State) -> Response:
    """Revoke a token at once: the caller's own, or anyone's by an admin. Revoking twice is
    fine; 404 for an unknown token or another user's (non-admins)."""
    tokens.revoke(state.env, user.user_id, token_id)
    return Response(status_code=204)
