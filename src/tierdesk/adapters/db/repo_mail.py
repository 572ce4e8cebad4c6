"""The email channel's ledger on SQLAlchemy Core (the `MailRepository` port)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.tables import inbound_mail, mail_address_failures
from tierdesk.adapters.db.tx import Tx
from tierdesk.services.ports import AddressFailureRecord, InboundMailRecord

_M = inbound_mail.c
_F = mail_address_failures.c
_BATCH = 1000


class SqlMail:
    """MailRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _many(self, query: sa.Select[Any]) -> list[InboundMailRecord]:
        return [from_row(InboundMailRecord, r) for r in self._tx.execute(query).mappings()]

    def add(self, mail: InboundMailRecord) -> None:
        self._tx.insert(inbound_mail, to_row(mail))

    def find(self, message_id: str) -> InboundMailRecord | None:
        found = self._many(sa.select(inbound_mail).where(_M.message_id == message_id))
        return found[0] if found else None

    def count_from(self, sender: str, since: datetime) -> int:
        query = sa.select(sa.func.count()).where(_M.sender == sender, _M.received_at >= since)
        return int(self._tx.execute(query).scalar_one())

    def for_ticket(self, ticket_id: str) -> list[InboundMailRecord]:
        return self._many(
            sa.select(inbound_mail)
            .where(_M.ticket_id == ticket_id)
            .order_by(_M.received_at, _M.row_id)
        )

    def get(self, mail_id: str) -> InboundMailRecord | None:
        found = self._many(sa.select(inbound_mail).where(_M.id == mail_id))
        return found[0] if found else None

    def with_outcome(self, outcome: str, limit: int) -> list[InboundMailRecord]:
        return self._many(
            sa.select(inbound_mail)
            .where(_M.outcome == outcome)
            .order_by(_M.received_at.desc(), _M.row_id.desc())
            .limit(limit)
        )

    def settle(
        self, mail_id: str, from_outcome: str, outcome: str, ticket_id: str | None, reason: str
    ) -> bool:
        updated = self._tx.execute(
            sa.update(inbound_mail)
            .where(_M.id == mail_id, _M.outcome == from_outcome)
            .values(outcome=outcome, ticket_id=ticket_id, reason=reason)
        )
        return bool(updated.rowcount)

    def failing(self, address: str) -> AddressFailureRecord | None:
        rows = self._tx.execute(
            sa.select(mail_address_failures).where(_F.address == address)
        ).mappings()
        found = [from_row(AddressFailureRecord, r) for r in rows]
        return found[0] if found else None

    def mark_failing(self, failure: AddressFailureRecord) -> None:
        row = to_row(failure)
        updated = self._tx.execute(
            sa.update(mail_address_failures).where(_F.address == failure.address).values(**row)
        )
        if not updated.rowcount:
            self._tx.insert(mail_address_failures, row)

    def clear_failing(self, address: str) -> bool:
        deleted = self._tx.execute(sa.delete(mail_address_failures).where(_F.address == address))
        return bool(deleted.rowcount)

    def blob_hashes(self) -> Iterator[str]:
        last = 0
        while True:
            rows = (
                self._tx.execute(
                    sa.select(_M.row_id, _M.raw_sha256, _M.attachments)
                    .where(_M.row_id > last)
                    .order_by(_M.row_id)
                    .limit(_BATCH)
                )
                .mappings()
                .all()
            )
            if not rows:
                return
            for row in rows:
                last, attachments = row["row_id"], row["attachments"]
                yield row["raw_sha256"]
                yield from (a["sha256"] for a in attachments or () if a.get("sha256"))
