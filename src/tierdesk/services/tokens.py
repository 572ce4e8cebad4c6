"""Bearer API tokens that are stored, listed and revoked one by one.

A token is `tdk_` + a random secret (`secrets.token_urlsafe(32)`: 256 bits). Only the sha256 of
the secret is stored, so a leaked database does not hand out working tokens, and the lookup is
by that hash (an index hit; no secret is compared character by character, so timing reveals
nothing useful). Each token has a name its user chose, an expiry, and once revoked the time and
the revoker. Any active user may make, list and revoke their own tokens; admins may list and
revoke anyone's. Whether the token's user is still active is the caller's check (the web layer
loads the user on every request).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import ROLES, ApiTokenRecord, UserRecord, new_id
from tierdesk.services.users import USER_ADMIN_ROLES, actor, require_role

TOKEN_PREFIX = "tdk_"  # noqa: S105 - a marker, not a secret
NAME_MAX = 80
DAYS_MAX = 3650
# `last_used_at` is written at most this often per token: not a write per request.
TOUCH_EVERY = timedelta(minutes=1)
_ANY_ROLE = frozenset(ROLES)
_SECRET_MAX = 200  # far above the 43 characters of a real secret


def hash_secret(secret: str) -> str:
    """The stored form of a token's secret (the part after `tdk_`): sha256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(env: Env, actor_id: str, name: str, days: int) -> tuple[ApiTokenRecord, str]:
    """A new token for `actor_id`, valid `days` days (1-3650), labelled `name` (1-80
    characters after trimming). Returns the stored record and the token to show once
    (`tdk_` + secret); the token cannot be recovered afterwards."""
    label = name.strip()
    if not 1 <= len(label) <= NAME_MAX:
        raise InvalidInput("name", f"1-{NAME_MAX} characters, not only spaces")
    if not 1 <= days <= DAYS_MAX:
        raise InvalidInput("days", f"must be 1-{DAYS_MAX}", value=days)
    secret = secrets.token_urlsafe(32)
    with env.uow() as uow:
        user = actor(uow, actor_id, _ANY_ROLE, "make API tokens")
        now = env.now()
        token = ApiTokenRecord(
            id=new_id("tok"),
            user_id=user.id,
            name=label,
            token_hash=hash_secret(secret),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        uow.tokens.add(token)
        uow.commit()
    return token, TOKEN_PREFIX + secret


def verify(env: Env, raw: str, now: datetime) -> str | None:
    """The user id of a bearer token that is known, not revoked and not expired at `now`;
    None otherwise (the reason is not told apart: callers answer alike). Records the use in
    `last_used_at` when the last record is a minute old or more."""
    user = holder(env, raw, now)
    return None if user is None else user.id


def holder(env: Env, raw: str, now: datetime) -> UserRecord | None:
    """`verify`, answering with the token's user (active or not: the caller decides), read
    in the same unit of work: one transaction per request for authentication."""
    secret = raw.removeprefix(TOKEN_PREFIX)
    if secret == raw or not secret or len(secret) > _SECRET_MAX:
        return None
    with env.uow() as uow:
        token = uow.tokens.by_hash(hash_secret(secret))
        if token is None or token.revoked_at is not None or token.expires_at <= now:
            return None
        user = uow.users.get(token.user_id)
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            uow.tokens.touch(token.id, now)
            uow.commit()
        return user


def list_for(env: Env, actor_id: str, user_id: str | None = None) -> list[ApiTokenRecord]:
    """The tokens of `user_id` (the actor's own when None), revoked and expired ones
    included, oldest first. Only admins may list another user's (Forbidden otherwise;
    NotFound for an unknown user)."""
    with env.reader() as uow:
        who = actor(uow, actor_id, _ANY_ROLE, "list API tokens")
        target = who.id if user_id is None else user_id
        if target != who.id:
            require_role(who, USER_ADMIN_ROLES, "list another user's API tokens")
            if uow.users.get(target) is None:
                raise NotFound("user", target)
        return uow.tokens.for_user(target)


def revoke(env: Env, actor_id: str, token_id: str) -> ApiTokenRecord:
    """Revoke a token: the actor's own, or anyone's by an admin. Idempotent: revoking a
    revoked token changes nothing and returns it as it is. NotFound for an unknown token and
    for another user's token when the actor is no admin (its existence is not revealed)."""
    with env.uow() as uow:
        who = actor(uow, actor_id, _ANY_ROLE, "revoke API tokens")
        token = _visible(uow, who, token_id)
        if token.revoked_at is not None:
            return token
        token = replace(token, revoked_at=env.now(), revoked_by=who.id)
        uow.tokens.save(token)
        uow.commit()
        return token


def _visible(uow: UnitOfWork, who: UserRecord, token_id: str) -> ApiTokenRecord:
    token = uow.tokens.get(token_id)
    if token is None or (token.user_id != who.id and who.role not in USER_ADMIN_ROLES):
        raise NotFound("API token", token_id)
    return token
