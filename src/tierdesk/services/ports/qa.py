"""QA reviews and overrides (R-QA-1; records in `tierdesk.services.qa_records`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tierdesk.services.qa_records import QaOverrideRecord, QaQueuePage, QaReviewRecord


class QaRepository(Protocol):
    """QA reviews (R-QA-1): each resolved ticket's stored automatic score and verdicts, and
    the overrides QA specialists made (`tierdesk.services.qa_records`)."""

    def add_review(self, review: QaReviewRecord) -> bool:
        """Store a new review; False (nothing written) when the ticket has one already (two
        readers scoring the same ticket at once: the first one's is kept)."""
        ...

    def save_review(self, review: QaReviewRecord) -> None:
        """Replace the ticket's existing review."""
        ...

    def get_review(self, ticket_id: str) -> QaReviewRecord | None: ...

    def unscored(self, limit: int) -> list[str]:
        """Ids of resolved or closed tickets (by id, at most `limit`) that have no review, or
        an unreviewed one of another ticket version than the ticket's (it changed since)."""
        ...

    def queue(
        self, *, limit: int = 50, cursor: str | None = None, agent_id: str | None = None
    ) -> QaQueuePage:
        """Unreviewed reviews of tickets still resolved or closed (of one agent when given),
        in queue order (`QaQueuePage`); `cursor` is the previous page's `next_cursor`.
        ValueError for a cursor this store did not make."""
        ...

    def reviews(
        self, since: datetime, until: datetime, agent_id: str | None = None
    ) -> list[QaReviewRecord]:
        """Reviews with `since <= closed_at < until` (of one agent when given), by closed_at
        then ticket id."""
        ...

    def add_override(self, override: QaOverrideRecord) -> None: ...

    def overrides(self, ticket_id: str) -> list[QaOverrideRecord]:
        """The ticket's overrides, oldest first (at, then insertion)."""
        ...
