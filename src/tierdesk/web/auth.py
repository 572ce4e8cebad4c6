"""Who is calling: signed session cookies (browser) and bearer API tokens (integrations).

Sessions are stored (`tierdesk.services.sessions`), so the server can end them: sign-out,
"sign out everywhere", a password change or a deactivation stop a copied cookie at once. The
cookie is an HMAC-SHA256-signed, expiring payload naming the stored session's id and its CSRF
token (the standard library's `hmac` with a per-purpose key); a request is signed in only when
the signature is right AND the stored session is neither ended nor expired. Cookies of earlier
releases named a user, not a session, and no longer work. API tokens are stored, revocable
one by one (`tierdesk.services.tokens`: only their sha256 is kept); a signed session value is
never a token, and tokens signed by earlier releases no longer work. The role is never taken
from the request: every request loads the user, and an unknown or deactivated user is refused.
Cookie-authenticated unsafe requests must echo the session's CSRF token in the `X-CSRF-Token`
header (double submit: the token is also in the readable `tierdesk_csrf` cookie and in the
login answer); a cross-site form cannot set that header. Bearer requests need no CSRF token
because browsers never attach them on their own.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal, Protocol

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from tierdesk.services import sessions, tokens, users
from tierdesk.services.records import UserRecord
from tierdesk.services.signing import Signer as Signer  # re-exported: the web app signs with it
from tierdesk.web.errors import WebError
from tierdesk.web.state import WebState, web_state

SESSION_COOKIE = "tierdesk_session"
CSRF_COOKIE = "tierdesk_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Hasher(Protocol):
    """Password hashing (argon2id in production: `tierdesk.bootstrap.password_hasher()`)."""

    def hash(self, password: str) -> str: ...

    def verify(self, stored: str, password: str) -> bool: ...


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as loaded from the store for this request."""

    user_id: str
    username: str
    role: str
    via: Literal["session", "token"]
    session_id: str | None = None  # the stored session of a cookie-authenticated request


def issue_session(signer: Signer, session_id: str, expires_at: datetime) -> tuple[str, str]:
    """(signed session cookie value naming the stored session `session_id`, its CSRF token)."""
    csrf = secrets.token_urlsafe(24)
    exp = int(expires_at.timestamp())
    return signer.dumps("session", {"s": session_id, "c": csrf, "exp": exp}), csrf


def _unauthenticated(detail: str) -> WebError:
    return WebError(401, "unauthenticated", detail, headers={"WWW-Authenticate": "Bearer"})


_bearer = HTTPBearer(auto_error=False, description="An API token from POST /api/auth/tokens")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Session cookie")


def authenticate(
    request: Request,
    state: Annotated[WebState, Depends(web_state)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """The caller of this request: a valid bearer token, else a valid session cookie (with
    the CSRF header on unsafe methods). 401 without credentials, 403 on a CSRF mismatch."""
    now = state.env.now()
    if bearer is not None:
        # Unknown, revoked and expired tokens get the same answer.
        token_user = tokens.holder(state.env, bearer.credentials, now)
        if token_user is None:
            raise _unauthenticated("the API token is invalid, expired or revoked")
        return _principal(token_user, "token")
    if cookie is None:
        raise _unauthenticated("sign in (POST /api/auth/login) or send a bearer token")
    return session_caller(request, state, cookie).principal


@dataclass(frozen=True)
class SessionCaller:
    """A cookie-authenticated caller: the principal, the stored user read with the session
    (this request's read, so a page need not read it again) and the cookie's CSRF token."""

    principal: Principal
    user: UserRecord
    csrf: str


def session_caller(request: Request, state: WebState, cookie: str) -> SessionCaller:
    """`authenticate` for a session cookie (the same answers and refusals), with the user
    and the CSRF token of the one signature check."""
    now = state.env.now()
    payload = state.signer.loads("session", cookie, now)
    if payload is None:
        raise _unauthenticated(_SESSION_GONE)
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), str(payload.get("c", "")).encode()):
            raise WebError(
                403, "csrf_failed", f"cookie-authenticated {request.method} needs {CSRF_HEADER}"
            )
    # The signature alone is not enough: the stored session must still be live. Unknown,
    # ended and expired sessions get the same answer.
    session_id = payload.get("s")
    user = sessions.signed_in(state.env, session_id, now) if isinstance(session_id, str) else None
    if user is None:
        raise _unauthenticated(_SESSION_GONE)
    principal = _principal(user, "session", session_id)
    return SessionCaller(principal, user, str(payload.get("c", "")))


_SESSION_GONE = "the session is invalid, expired or ended; sign in again"


def _principal(
    user: UserRecord, via: Literal["session", "token"], session_id: str | None = None
) -> Principal:
    """The role always comes from the stored user, loaded with the session or token."""
    if not user.active:
        raise _unauthenticated("the account is deactivated")
    return Principal(user.id, user.username, user.role, via, session_id)


CurrentUser = Annotated[Principal, Depends(authenticate)]


def require_role(allowed: frozenset[str], command: str) -> Callable[[Principal], Principal]:
    """A dependency admitting only users whose role is in `allowed` (403 `forbidden`), for the
    few reads the services do not guard themselves (user administration)."""

    def check(user: CurrentUser) -> Principal:
        if user.role not in allowed:
            raise WebError(403, "forbidden", f"{user.role} may not {command}")
        return user

    return check


def check_password(state: WebState, user: UserRecord | None, password: str) -> bool:
    """True when `user` is active and `password` matches. An unknown user still costs one
    hash verification, so response time does not reveal which usernames exist."""
    if user is None or user.password_hash is None:
        state.hasher.verify(state.dummy_hash, password)
        return False
    return state.hasher.verify(user.password_hash, password) and user.active


def sign_in(
    state: WebState, request: Request, response: Response, username: str, password: str
) -> tuple[UserRecord, str]:
    """Check the password, start a stored session and set its cookie (HttpOnly,
    SameSite=Lax) and the CSRF cookie on `response`: (the user, the CSRF token). Rate-limited
    per username and client IP (429 `rate_limited`); 401 `invalid_credentials`. The API's
    login and the console's sign-in form both come here."""
    from tierdesk.web.api.common import client_ip, rate_limit, too_many

    name, address = username.strip().lower(), client_ip(request)
    # Failed sign-ins from one address are limited whatever the usernames (password spraying).
    wait = state.failure_limiter.waiting(f"failed:{address}")
    if wait is not None:
        raise too_many(wait)
    rate_limit(state.login_limiter, f"login:{name}:{address}")
    user = users.find_user(state.env, name)
    if user is None or not check_password(state, user, password):
        state.failure_limiter.hit(f"failed:{address}")
        raise WebError(401, "invalid_credentials", "wrong username or password")
    settings = state.settings
    session = sessions.start(
        state.env,
        user.id,
        settings.session_max_age,
        request.headers.get("user-agent"),
        client_ip(request),
    )
    cookie, csrf = issue_session(state.signer, session.id, session.expires_at)
    age, secure = settings.session_max_age, settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE, cookie, max_age=age, secure=secure, httponly=True, samesite="lax"
    )
    # Readable by the console's script, which echoes it in X-CSRF-Token (double submit).
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, secure=secure, samesite="lax")
    return user, csrf


def csrf_of(state: WebState, request: Request) -> str:
    """The CSRF token of the request's session cookie ("" without a valid one)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    payload = state.signer.loads("session", cookie, state.env.now()) if cookie else None
    return str(payload.get("c", "")) if payload else ""
