"""Staff notices (with each user's notice settings) and incidents (records in
`tierdesk.services.staff_records`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tierdesk.services.staff_records import (
    IncidentEntryRecord,
    IncidentRecord,
    IncidentTicketRecord,
    NoticeRecord,
    NoticeSettingsRecord,
)


class NoticeRepository(Protocol):
    """Staff notices and each user's notice settings."""

    def add(self, notice: NoticeRecord) -> None:
        """DuplicateKey ("notices.ref") when the user has a notice of the same `ref`."""
        ...

    def get(self, notice_id: str) -> NoticeRecord | None: ...

    def save(self, notice: NoticeRecord) -> None:
        """Replace an existing notice's row (a fold, a delivery)."""
        ...

    def open_about(self, user_id: str, ticket_id: str, since: datetime) -> NoticeRecord | None:
        """The user's newest unread notice about `ticket_id` last added to at or after
        `since` (the one a new notice folds into), or None."""
        ...

    def for_user(
        self, user_id: str, *, unread_only: bool = False, limit: int = 50
    ) -> list[NoticeRecord]:
        """The user's notices, latest first (updated_at desc, then id desc), at most `limit`."""
        ...

    def unread_count(self, user_id: str) -> int: ...

    def mark_read(self, user_id: str, notice_ids: Sequence[str] | None, at: datetime) -> int:
        """Set `read_at` on the user's unread notices (those of `notice_ids`, or all with
        None); the number marked. Other users' notices are never touched."""
        ...

    def due_for_delivery(self, now: datetime, limit: int) -> list[NoticeRecord]:
        """Notices with `deliver_at <= now` not yet delivered, earliest first."""
        ...

    def settings(self, user_id: str) -> NoticeSettingsRecord | None: ...

    def save_settings(self, settings: NoticeSettingsRecord) -> None:
        """Insert or replace the user's settings."""
        ...


class IncidentRepository(Protocol):
    """Incidents, their linked tickets and their timelines."""

    def add(self, incident: IncidentRecord) -> None: ...

    def get(self, incident_id: str) -> IncidentRecord | None: ...

    def save(self, incident: IncidentRecord) -> None: ...

    def search(self, status: str | None = None, limit: int = 100) -> list[IncidentRecord]:
        """Incidents (of one status when given), newest first (created_at desc, id desc)."""
        ...

    def link(self, link: IncidentTicketRecord) -> bool:
        """Link a ticket; False (nothing written) when it is linked already."""
        ...

    def unlink(self, incident_id: str, ticket_id: str) -> bool:
        """False when the ticket was not linked."""
        ...

    def tickets(self, incident_id: str) -> list[IncidentTicketRecord]:
        """The linked tickets, in the order they were linked (linked_at, then ticket id)."""
        ...

    def for_ticket(self, ticket_id: str) -> list[str]:
        """Ids of the incidents a ticket is linked to."""
        ...

    def add_entry(self, entry: IncidentEntryRecord) -> None: ...

    def timeline(self, incident_id: str) -> list[IncidentEntryRecord]:
        """The incident's entries, oldest first (at, then insertion)."""
