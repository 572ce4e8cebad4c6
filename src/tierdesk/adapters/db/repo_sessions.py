"""Browser sessions on SQLAlchemy Core (the `SessionRepository` port in
`tierdesk.services.ports`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.repo_people import update_by_id
from tierdesk.adapters.db.tables import sessions
from tierdesk.adapters.db.tx import Tx
from tierdesk.services.ports import SessionRecord

_S = sessions.c

# Looked up on every cookie-authenticated request: built once, so SQLAlchemy reuses its cache
# key and compiled form.
_BY_ID = sa.select(sessions).where(_S.id == sa.bindparam("p_id"))


class SqlSessions:
    """SessionRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _many(self, query: sa.Select[Any], params: Any = None) -> list[SessionRecord]:
        rows = self._tx.execute(query, params).mappings()
        return [from_row(SessionRecord, r) for r in rows]

    def add(self, session: SessionRecord) -> None:
        self._tx.insert(sessions, to_row(session))

    def get(self, session_id: str) -> SessionRecord | None:
        found = self._many(_BY_ID, {"p_id": session_id})
        return found[0] if found else None

    def for_user(self, user_id: str) -> list[SessionRecord]:
        query = (
            sa.select(sessions)
            .where(_S.user_id == user_id)
            .order_by(_S.created_at, self._tx.id_order(_S.id))
        )
        return self._many(query)

    def save(self, session: SessionRecord) -> None:
        update_by_id(self._tx, sessions, session)

    def touch(self, session_id: str, at: datetime) -> None:
        self._tx.execute(sessions.update().where(_S.id == session_id).values(last_seen_at=at))

    def end_for_user(self, user_id: str, at: datetime, except_id: str | None = None) -> int:
        query = sessions.update().where(_S.user_id == user_id, _S.revoked_at.is_(None))
        if except_id is not None:
            query = query.where(_S.id != except_id)
        return self._tx.execute(query.values(revoked_at=at)).rowcount

    def purge(self, before: datetime) -> int:
        query = sessions.delete().where(sa.or_(_S.expires_at < before, _S.revoked_at < before))
        return self._tx.execute(query).rowcount
