"""QA reviews in memory: the `QaRepository` port on the tables of `tierdesk.testing.memory`."""

from __future__ import annotations

from datetime import datetime

from tierdesk.domain.state import TicketStatus
from tierdesk.services.qa_records import (
    QaOverrideRecord,
    QaQueuePage,
    QaReviewRecord,
    decode_queue_cursor,
    encode_queue_cursor,
    queue_key,
)
from tierdesk.testing.memory_repos import Tables

_DONE = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


class MemoryQa:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add_review(self, review: QaReviewRecord) -> bool:
        if review.ticket_id in self._t.qa_reviews:
            return False
        self._t.qa_reviews[review.ticket_id] = review
        return True

    def save_review(self, review: QaReviewRecord) -> None:
        if review.ticket_id in self._t.qa_reviews:
            self._t.qa_reviews[review.ticket_id] = review

    def get_review(self, ticket_id: str) -> QaReviewRecord | None:
        return self._t.qa_reviews.get(ticket_id)

    def unscored(self, limit: int) -> list[str]:
        reviews = self._t.qa_reviews
        due = [
            t.id
            for t in self._t.tickets.values()
            if t.status in _DONE
            and (
                (r := reviews.get(t.id)) is None
                or (r.reviewed_at is None and r.ticket_version != t.version)
            )
        ]
        return sorted(due)[:limit]

    def queue(
        self, *, limit: int = 50, cursor: str | None = None, agent_id: str | None = None
    ) -> QaQueuePage:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        after = decode_queue_cursor(cursor) if cursor is not None else None
        tickets = self._t.tickets
        rows = sorted(
            (
                r
                for r in self._t.qa_reviews.values()
                if r.reviewed_at is None
                and (t := tickets.get(r.ticket_id)) is not None
                and t.status in _DONE
                and (agent_id is None or r.agent_id == agent_id)
                and (after is None or (queue_key(r.auto_score), r.ticket_id) > after)
            ),
            key=lambda r: (queue_key(r.auto_score), r.ticket_id),
        )
        page = tuple(rows[:limit])
        more = len(rows) > limit
        return QaQueuePage(page, encode_queue_cursor(page[-1]) if more else None)

    def reviews(
        self, since: datetime, until: datetime, agent_id: str | None = None
    ) -> list[QaReviewRecord]:
        return sorted(
            (
                r
                for r in self._t.qa_reviews.values()
                if since <= r.closed_at < until and (agent_id is None or r.agent_id == agent_id)
            ),
            key=lambda r: (r.closed_at, r.ticket_id),
        )

    def add_override(self, override: QaOverrideRecord) -> None:
        self._t.qa_overrides[override.id] = override

    def overrides(self, ticket_id: str) -> list[QaOverrideRecord]:
        # dicts keep insertion order: a stable sort by time keeps it among equal times
        rows = [o for o in self._t.qa_overrides.values() if o.ticket_id == ticket_id]
        return sorted(rows, key=lambda o: o.at)
