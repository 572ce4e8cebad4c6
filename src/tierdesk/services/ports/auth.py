"""Staff users and how they sign in: users, API tokens and browser sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tierdesk.services.records import ApiTokenRecord, SessionRecord, UserRecord


class UserRepository(Protocol):
    def add(self, user: UserRecord) -> None:
        """DuplicateKey for an existing username."""
        ...

    def get(self, user_id: str) -> UserRecord | None: ...

    def get_by_username(self, username: str) -> UserRecord | None: ...

    def save(self, user: UserRecord) -> None: ...

    def search(self, role: str | None = None) -> list[UserRecord]:
        """Users (of one role when given), by username."""
        ...


class ApiTokenRepository(Protocol):
    def add(self, token: ApiTokenRecord) -> None:
        """DuplicateKey for an existing id or token_hash."""
        ...

    def get(self, token_id: str) -> ApiTokenRecord | None: ...

    def by_hash(self, token_hash: str) -> ApiTokenRecord | None:
        """The token whose secret hashes to `token_hash` (revoked and expired ones too)."""
        ...

    def for_user(self, user_id: str) -> list[ApiTokenRecord]:
        """Every token of one user (revoked and expired ones too), oldest first
        (created_at, then id)."""
        ...

    def save(self, token: ApiTokenRecord) -> None:
        """Replace an existing token's row (e.g. to revoke it)."""
        ...

    def touch(self, token_id: str, at: datetime) -> None:
        """Set the token's `last_used_at` to `at`, writing nothing else."""
        ...

    def purge(self, before: datetime) -> int:
        """Delete every token that expired or was revoked before `before` (strictly); the
        number deleted. Tokens still valid at `before` are never touched."""
        ...


class SessionRepository(Protocol):
    def add(self, session: SessionRecord) -> None:
        """DuplicateKey for an existing id."""
        ...

    def get(self, session_id: str) -> SessionRecord | None:
        """The session with this id (ended and expired ones too)."""
        ...

    def for_user(self, user_id: str) -> list[SessionRecord]:
        """Every session of one user (ended and expired ones too), oldest first (created_at,
        then id)."""
        ...

    def save(self, session: SessionRecord) -> None:
        """Replace an existing session's row (e.g. to end it)."""
        ...

    def touch(self, session_id: str, at: datetime) -> None:
        """Set the session's `last_seen_at` to `at`, writing nothing else."""
        ...

    def end_for_user(self, user_id: str, at: datetime, except_id: str | None = None) -> int:
        """Set `revoked_at` to `at` on every session of `user_id` not yet ended (expired ones
        too), except `except_id`; the number of sessions ended. Ended sessions keep their
        first `revoked_at`."""
        ...

    def purge(self, before: datetime) -> int:
        """Delete every session that expired or was ended before `before` (strictly); the
        number deleted. Sessions still valid at `before` are never touched."""
        ...
