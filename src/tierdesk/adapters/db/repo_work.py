"""Per-ticket records and the outbox on SQLAlchemy Core (their ports in
`tierdesk.services.ports`). Lists come back in insertion order (`row_id`) unless the port
says otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.repo_people import update_by_id
from tierdesk.adapters.db.repo_tickets import index_message
from tierdesk.adapters.db.tables import (
    actions,
    approvals,
    calls,
    escalations,
    messages,
    outbox,
    surveys,
)
from tierdesk.adapters.db.tx import Tx
from tierdesk.services.ports import (
    ActionRecord,
    ApprovalRecord,
    CallRecord,
    EscalationRecord,
    MessageRecord,
    OutboxRecord,
    SurveyRecord,
)

R = TypeVar("R")


class PerTicketTable(Generic[R]):
    """A table of records with `id` and `ticket_id`: add, get, save, for_ticket."""

    def __init__(self, tx: Tx, table: sa.Table, record_type: type[R]) -> None:
        self._tx = tx
        self._table = table
        self._type = record_type

    def _many(self, query: sa.Select[Any]) -> list[R]:
        return [from_row(self._type, r) for r in self._tx.execute(query).mappings()]

    def add(self, record: R) -> None:
        self._tx.insert(self._table, to_row(record))

    def get(self, record_id: str) -> R | None:
        found = self._many(sa.select(self._table).where(self._table.c.id == record_id))
        return found[0] if found else None

    def save(self, record: R) -> None:
        update_by_id(self._tx, self._table, record)

    def for_ticket(self, ticket_id: str) -> list[R]:
        t = self._table.c
        return self._many(sa.select(self._table).where(t.ticket_id == ticket_id).order_by(t.row_id))


class SqlMessages(PerTicketTable[MessageRecord]):
    """MessageRepository."""

    def __init__(self, tx: Tx) -> None:
        super().__init__(tx, messages, MessageRecord)

    def add(self, record: MessageRecord) -> None:
        super().add(record)
        index_message(self._tx, record.ticket_id, record.body)  # the ticket's search tokens

    def find_by_channel_message(self, channel: str, message_id: str) -> MessageRecord | None:
        m = messages.c
        query = sa.select(messages).where(m.channel == channel, m.channel_message_id == message_id)
        found = self._many(query)
        return found[0] if found else None

    def for_ticket(self, ticket_id: str) -> list[MessageRecord]:
        m = messages.c
        query = sa.select(messages).where(m.ticket_id == ticket_id)
        return self._many(query.order_by(m.created_at, m.row_id))


def sql_calls(tx: Tx) -> PerTicketTable[CallRecord]:
    """CallRepository."""
    return PerTicketTable(tx, calls, CallRecord)


def sql_escalations(tx: Tx) -> PerTicketTable[EscalationRecord]:
    """EscalationRepository (insertion order is oldest first)."""
    return PerTicketTable(tx, escalations, EscalationRecord)


def sql_actions(tx: Tx) -> PerTicketTable[ActionRecord]:
    """ActionRepository."""
    return PerTicketTable(tx, actions, ActionRecord)


class SqlApprovals(PerTicketTable[ApprovalRecord]):
    """ApprovalRepository."""

    def __init__(self, tx: Tx) -> None:
        super().__init__(tx, approvals, ApprovalRecord)

    def pending(self, limit: int = 100) -> list[ApprovalRecord]:
        a = approvals.c
        query = sa.select(approvals).where(a.status == "pending")
        return self._many(query.order_by(a.created_at, a.row_id).limit(limit))


class SqlSurveys(PerTicketTable[SurveyRecord]):
    """SurveyRepository."""

    def __init__(self, tx: Tx) -> None:
        super().__init__(tx, surveys, SurveyRecord)

    def get_by_token(self, token: str) -> SurveyRecord | None:
        found = self._many(sa.select(surveys).where(surveys.c.token == token))
        return found[0] if found else None


_O = outbox.c


class SqlOutbox:
    """OutboxRepository: claims use FOR UPDATE SKIP LOCKED on PostgreSQL (on SQLite the
    unit of work's write transaction already excludes other claimers)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _many(self, query: sa.Select[Any]) -> list[OutboxRecord]:
        return [from_row(OutboxRecord, r) for r in self._tx.execute(query).mappings()]

    def add(self, message: OutboxRecord) -> bool:
        return self._tx.insert(outbox, to_row(message), ignore=("dedupe_key",)) == 1

    def claim_batch(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxRecord]:
        ready = sa.or_(
            sa.and_(_O.status == "pending", _O.next_attempt_at <= now),
            sa.and_(
                _O.status == "sending",
                sa.or_(_O.claimed_until.is_(None), _O.claimed_until <= now),
            ),
        )
        query = sa.select(_O.row_id).where(ready).order_by(_O.created_at, _O.row_id).limit(limit)
        if self._tx.postgres:
            query = query.with_for_update(skip_locked=True)
        row_ids = list(self._tx.execute(query).scalars())
        if not row_ids:
            return []
        self._tx.execute(
            outbox.update()
            .where(_O.row_id.in_(row_ids))
            .values(status="sending", attempts=_O.attempts + 1, claimed_until=now + lease)
        )
        return self._many(
            sa.select(outbox).where(_O.row_id.in_(row_ids)).order_by(_O.created_at, _O.row_id)
        )

    def _update(self, message_id: str, **values: Any) -> None:
        changed = self._tx.execute(
            outbox.update().where(_O.id == message_id).values(**values)
        ).rowcount
        if changed != 1:
            raise KeyError(f"outbox message {message_id} not found")

    def mark_sent(self, message_id: str, at: datetime) -> None:
        self._update(message_id, status="sent", sent_at=at, claimed_until=None)

    def release(self, message_id: str, at: datetime) -> None:
        self._update(
            message_id,
            status="pending",
            attempts=sa.case((_O.attempts > 0, _O.attempts - 1), else_=0),
            claimed_until=None,
            next_attempt_at=at,
        )

    def mark_failed(self, message_id: str, error: str, retry_at: datetime | None) -> None:
        if retry_at is None:
            self._update(message_id, status="dead", last_error=error)
        else:
            self._update(
                message_id,
                status="pending",
                next_attempt_at=retry_at,
                claimed_until=None,
                last_error=error,
            )

    def for_ticket(self, ticket_id: str) -> list[OutboxRecord]:
        query = sa.select(outbox).where(_O.ticket_id == ticket_id)
        return self._many(query.order_by(_O.created_at, _O.row_id))
