"""Browser sessions that are stored, so the server can end them.

A sign-in starts a session: a row with a random id (`ses_` + 192 random bits), its user, when
it started and expires, when it was last seen (written at most once a minute, not on every
request), the browser's User-Agent (at most 200 characters) and the client address. The web
layer puts the id in a signed cookie; a request is signed in only while its session is stored,
not ended and not expired. A session ends on sign-out, on "sign out everywhere", when a user
ends it from their list of sessions, and for every session of a user whose password is changed
or who is deactivated (`tierdesk.services.users.update_user`, in the same unit of work).
Ended rows are kept (with `revoked_at`), like revoked API tokens.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.records import ROLES, SessionRecord, UserRecord
from tierdesk.services.users import actor

SESSION_PREFIX = "ses_"
USER_AGENT_MAX = 200
ADDRESS_MAX = 64
# `last_seen_at` is written at most this often per session: not a write per request.
TOUCH_EVERY = timedelta(minutes=1)
_ANY_ROLE = frozenset(ROLES)
_ID_MAX = 100  # far above the 36 characters of a real id


def new_session_id() -> str:
    """A fresh session id: `ses_` + 32 URL-safe characters (192 random bits)."""
    return SESSION_PREFIX + secrets.token_urlsafe(24)


def _clip(value: str | None, limit: int) -> str | None:
    text = (value or "").strip()
    return text[:limit] or None


def start(
    env: Env, user_id: str, max_age: int, user_agent: str | None, address: str | None
) -> SessionRecord:
    """Start a session of `user_id` (an active user: Forbidden otherwise, NotFound for an
    unknown one) lasting `max_age` seconds (at least 1). `user_agent` is kept to its first
    200 characters and `address` to 64; blank ones are stored as None."""
    if max_age < 1:
        raise InvalidInput("max_age", "must be at least 1 second", value=max_age)
    with env.uow() as uow:
        user = actor(uow, user_id, _ANY_ROLE, "sign in")
        now = env.now()
        session = SessionRecord(
            id=new_session_id(),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(seconds=max_age),
            user_agent=_clip(user_agent, USER_AGENT_MAX),
            address=_clip(address, ADDRESS_MAX),
        )
        uow.sessions.add(session)
        uow.commit()
        return session


def check(env: Env, session_id: str, now: datetime) -> str | None:
    """The user id of a session that is stored, not ended and not expired at `now`; None
    otherwise (the reason is not told apart: callers answer alike). Records the request in
    `last_seen_at` when the last record is a minute old or more."""
    user = signed_in(env, session_id, now)
    return None if user is None else user.id


def signed_in(env: Env, session_id: str, now: datetime) -> UserRecord | None:
    """`check`, answering with the session's user (active or not: the caller decides), read
    in the same unit of work: one transaction per request for authentication."""
    if not session_id or len(session_id) > _ID_MAX:
        return None
    with env.uow() as uow:
        session = uow.sessions.get(session_id)
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            return None
        user = uow.users.get(session.user_id)
        if session.last_seen_at is None or now - session.last_seen_at >= TOUCH_EVERY:
            uow.sessions.touch(session.id, now)
            uow.commit()
        return user


def end(env: Env, session_id: str) -> None:
    """End one session (sign-out). Idempotent: an unknown or ended session is left as it is."""
    with env.uow() as uow:
        session = uow.sessions.get(session_id)
        if session is None or session.revoked_at is not None:
            return
        uow.sessions.save(replace(session, revoked_at=env.now()))
        uow.commit()


def end_own(env: Env, actor_id: str, session_id: str) -> SessionRecord:
    """End one of the actor's own sessions (from their list). Idempotent: an ended session is
    returned as it is. NotFound for an unknown session and for another user's (its existence
    is not revealed)."""
    with env.uow() as uow:
        who = actor(uow, actor_id, _ANY_ROLE, "end sessions")
        session = uow.sessions.get(session_id)
        if session is None or session.user_id != who.id:
            raise NotFound("session", session_id)
        if session.revoked_at is not None:
            return session
        session = replace(session, revoked_at=env.now())
        uow.sessions.save(session)
        uow.commit()
        return session


def end_all(env: Env, user_id: str, except_id: str | None = None) -> int:
    """End every session of `user_id` ("sign out everywhere"), except `except_id` when given;
    the number of sessions ended."""
    with env.uow() as uow:
        ended = uow.sessions.end_for_user(user_id, env.now(), except_id)
        uow.commit()
        return ended


def list_for(env: Env, actor_id: str) -> list[SessionRecord]:
    """The actor's own active sessions (neither ended nor expired now), oldest first."""
    with env.reader() as uow:
        who = actor(uow, actor_id, _ANY_ROLE, "list sessions")
        now = env.now()
        return [
            s for s in uow.sessions.for_user(who.id) if s.revoked_at is None and s.expires_at > now
        ]
