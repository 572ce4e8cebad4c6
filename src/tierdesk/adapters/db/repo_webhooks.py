"""Webhook subscriptions on SQLAlchemy Core (the `WebhookRepository` port in
`tierdesk.services.ports`)."""

from __future__ import annotations

import builtins
from typing import Any

import sqlalchemy as sa

from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.repo_people import update_by_id
from tierdesk.adapters.db.tables import webhooks
from tierdesk.adapters.db.tx import Tx
from tierdesk.services.ports import WebhookRecord

_W = webhooks.c


class SqlWebhooks:
    """WebhookRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _many(self, query: sa.Select[Any]) -> builtins.list[WebhookRecord]:
        return [from_row(WebhookRecord, r) for r in self._tx.execute(query).mappings()]

    def add(self, webhook: WebhookRecord) -> None:
        self._tx.insert(webhooks, to_row(webhook))

    def get(self, webhook_id: str) -> WebhookRecord | None:
        found = self._many(sa.select(webhooks).where(_W.id == webhook_id))
        return found[0] if found else None

    def list(self, *, active_only: bool = False) -> builtins.list[WebhookRecord]:
        query = sa.select(webhooks).order_by(_W.created_at, self._tx.id_order(_W.id))
        if active_only:
            query = query.where(_W.active.is_(True))
        return self._many(query)

    def save(self, webhook: WebhookRecord) -> None:
        update_by_id(self._tx, webhooks, webhook)
