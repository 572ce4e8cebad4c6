"""QA reviews on SQLAlchemy Core (the `QaRepository` port in `tierdesk.services.ports`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.tables import qa_overrides, qa_reviews, tickets
from tierdesk.adapters.db.tx import Tx
from tierdesk.domain.state import TicketStatus
from tierdesk.services.ports import QaOverrideRecord, QaQueuePage, QaReviewRecord
from tierdesk.services.qa_records import (
    UNSCORED_KEY,
    decode_queue_cursor,
    encode_queue_cursor,
)

_R, _O, _T = qa_reviews.c, qa_overrides.c, tickets.c
_DONE = (str(TicketStatus.RESOLVED), str(TicketStatus.CLOSED))
_KEY = sa.func.coalesce(_R.auto_score, UNSCORED_KEY)


class SqlQa:
    """QaRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _many(self, query: sa.Select[Any]) -> list[QaReviewRecord]:
        return [from_row(QaReviewRecord, r) for r in self._tx.execute(query).mappings()]

    def add_review(self, review: QaReviewRecord) -> bool:
        return self._tx.insert(qa_reviews, to_row(review), ignore=("ticket_id",)) == 1

    def save_review(self, review: QaReviewRecord) -> None:
        values = to_row(review)
        del values["ticket_id"]
        query = sa.update(qa_reviews).where(_R.ticket_id == review.ticket_id).values(**values)
        self._tx.execute(query)

    def get_review(self, ticket_id: str) -> QaReviewRecord | None:
        query = sa.select(qa_reviews).where(_R.ticket_id == ticket_id)
        row = self._tx.execute(query).mappings().first()
        return None if row is None else from_row(QaReviewRecord, row)

    def unscored(self, limit: int) -> list[str]:
        stale = sa.and_(_R.reviewed_at.is_(None), _R.ticket_version != _T.version)
        query = (
            sa.select(_T.id)
            .select_from(tickets.outerjoin(qa_reviews, _R.ticket_id == _T.id))
            .where(_T.status.in_(_DONE), sa.or_(_R.ticket_id.is_(None), stale))
            .order_by(self._tx.id_order(_T.id))
            .limit(limit)
        )
        return [str(r) for r in self._tx.execute(query).scalars()]

    def queue(
        self, *, limit: int = 50, cursor: str | None = None, agent_id: str | None = None
    ) -> QaQueuePage:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        ticket_id = self._tx.id_order(_R.ticket_id)
        query = (
            sa.select(qa_reviews)
            .join(tickets, _T.id == _R.ticket_id)
            .where(_R.reviewed_at.is_(None), _T.status.in_(_DONE))
        )
        if agent_id is not None:
            query = query.where(_R.agent_id == agent_id)
        if cursor is not None:
            key, after = decode_queue_cursor(cursor)
            query = query.where(sa.tuple_(_KEY, ticket_id) > sa.tuple_(key, after))
        rows = self._many(query.order_by(_KEY, ticket_id).limit(limit + 1))
        page = tuple(rows[:limit])
        more = len(rows) > limit
        return QaQueuePage(page, encode_queue_cursor(page[-1]) if more else None)

    def reviews(
        self, since: datetime, until: datetime, agent_id: str | None = None
    ) -> list[QaReviewRecord]:
        query = sa.select(qa_reviews).where(_R.closed_at >= since, _R.closed_at < until)
        if agent_id is not None:
            query = query.where(_R.agent_id == agent_id)
        return self._many(query.order_by(_R.closed_at, self._tx.id_order(_R.ticket_id)))

    def add_override(self, override: QaOverrideRecord) -> None:
        self._tx.insert(qa_overrides, to_row(override))

    def overrides(self, ticket_id: str) -> list[QaOverrideRecord]:
        query = sa.select(qa_overrides).where(_O.ticket_id == ticket_id).order_by(_O.at, _O.row_id)
        return [from_row(QaOverrideRecord, r) for r in self._tx.execute(query).mappings()]
