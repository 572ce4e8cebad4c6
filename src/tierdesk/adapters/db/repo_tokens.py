"""API tokens on SQLAlchemy Core (the `ApiTokenRepository` port in `tierdesk.services.ports`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.repo_people import update_by_id
from tierdesk.adapters.db.tables import api_tokens
from tierdesk.adapters.db.tx import Tx
from tierdesk.services.ports import ApiTokenRecord

_T = api_tokens.c

# Looked up on every bearer-authenticated request: built once, so SQLAlchemy reuses its cache
# key and compiled form.
_BY_HASH = sa.select(api_tokens).where(_T.token_hash == sa.bindparam("p_hash"))


class SqlTokens:
    """ApiTokenRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _many(self, query: sa.Select[Any], params: Any = None) -> list[ApiTokenRecord]:
        rows = self._tx.execute(query, params).mappings()
        return [from_row(ApiTokenRecord, r) for r in rows]

    def add(self, token: ApiTokenRecord) -> None:
        self._tx.insert(api_tokens, to_row(token))

    def get(self, token_id: str) -> ApiTokenRecord | None:
        found = self._many(sa.select(api_tokens).where(_T.id == token_id))
        return found[0] if found else None

    def by_hash(self, token_hash: str) -> ApiTokenRecord | None:
        found = self._many(_BY_HASH, {"p_hash": token_hash})
        return found[0] if found else None

    def for_user(self, user_id: str) -> list[ApiTokenRecord]:
        query = (
            sa.select(api_tokens)
            .where(_T.user_id == user_id)
            .order_by(_T.created_at, self._tx.id_order(_T.id))
        )
        return self._many(query)

    def save(self, token: ApiTokenRecord) -> None:
        update_by_id(self._tx, api_tokens, token)

    def touch(self, token_id: str, at: datetime) -> None:
        self._tx.execute(api_tokens.update().where(_T.id == token_id).values(last_used_at=at))

    def purge(self, before: datetime) -> int:
        query = api_tokens.delete().where(sa.or_(_T.expires_at < before, _T.revoked_at < before))
        return self._tx.execute(query).rowcount
