"""In-memory staff notices and incidents: the `NoticeRepository` and `IncidentRepository`
ports on the tables of `tierdesk.testing.memory` (see there)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from tierdesk.services.ports import DuplicateKey
from tierdesk.services.staff_records import (
    IncidentEntryRecord,
    IncidentRecord,
    IncidentTicketRecord,
    NoticeRecord,
    NoticeSettingsRecord,
)
from tierdesk.testing.memory_repos import Tables


def _latest_first(n: NoticeRecord) -> tuple[datetime, str]:
    return n.updated_at, n.id


class MemoryNotices:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, notice: NoticeRecord) -> None:
        rows = self._t.notices
        if notice.id in rows:
            raise DuplicateKey("notices.id", notice.id)
        if notice.ref and any(
            n.user_id == notice.user_id and n.ref == notice.ref for n in rows.values()
        ):
            raise DuplicateKey("notices.ref", notice.ref)
        rows[notice.id] = notice

    def get(self, notice_id: str) -> NoticeRecord | None:
        return self._t.notices.get(notice_id)

    def save(self, notice: NoticeRecord) -> None:
        if notice.id in self._t.notices:
            self._t.notices[notice.id] = notice

    def open_about(self, user_id: str, ticket_id: str, since: datetime) -> NoticeRecord | None:
        found = [
            n
            for n in self._t.notices.values()
            if n.user_id == user_id
            and n.ticket_id == ticket_id
            and n.read_at is None
            and n.updated_at >= since
        ]
        return max(found, key=_latest_first, default=None)

    def for_user(
        self, user_id: str, *, unread_only: bool = False, limit: int = 50
    ) -> list[NoticeRecord]:
        rows = [
            n
            for n in self._t.notices.values()
            if n.user_id == user_id and not (unread_only and n.read_at is not None)
        ]
        return sorted(rows, key=_latest_first, reverse=True)[:limit]

    def unread_count(self, user_id: str) -> int:
        return sum(
            1 for n in self._t.notices.values() if n.user_id == user_id and n.read_at is None
        )

    def mark_read(self, user_id: str, notice_ids: Sequence[str] | None, at: datetime) -> int:
        wanted = None if notice_ids is None else set(notice_ids)
        marked = 0
        for n in list(self._t.notices.values()):
            if n.user_id != user_id or n.read_at is not None:
                continue
            if wanted is not None and n.id not in wanted:
                continue
            self._t.notices[n.id] = replace(n, read_at=at)
            marked += 1
        return marked

    def due_for_delivery(self, now: datetime, limit: int) -> list[NoticeRecord]:
        rows = [
            n
            for n in self._t.notices.values()
            if n.deliver_at is not None and n.deliver_at <= now and n.delivered_at is None
        ]
        return sorted(rows, key=lambda n: (n.deliver_at or now, n.id))[:limit]

    def settings(self, user_id: str) -> NoticeSettingsRecord | None:
        return self._t.notice_settings.get(user_id)

    def save_settings(self, settings: NoticeSettingsRecord) -> None:
        self._t.notice_settings[settings.user_id] = settings


class MemoryIncidents:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, incident: IncidentRecord) -> None:
        if incident.id in self._t.incidents:
            raise DuplicateKey("incidents.id", incident.id)
        self._t.incidents[incident.id] = incident

    def get(self, incident_id: str) -> IncidentRecord | None:
        return self._t.incidents.get(incident_id)

    def save(self, incident: IncidentRecord) -> None:
        if incident.id in self._t.incidents:
            self._t.incidents[incident.id] = incident

    def search(self, status: str | None = None, limit: int = 100) -> list[IncidentRecord]:
        rows = [i for i in self._t.incidents.values() if status is None or i.status == status]
        return sorted(rows, key=lambda i: (i.created_at, i.id), reverse=True)[:limit]

    def link(self, link: IncidentTicketRecord) -> bool:
        key = (link.incident_id, link.ticket_id)
        if key in self._t.incident_tickets:
            return False
        self._t.incident_tickets[key] = link
        return True

    def unlink(self, incident_id: str, ticket_id: str) -> bool:
        return self._t.incident_tickets.pop((incident_id, ticket_id), None) is not None

    def tickets(self, incident_id: str) -> list[IncidentTicketRecord]:
        rows = [r for r in self._t.incident_tickets.values() if r.incident_id == incident_id]
        return sorted(rows, key=lambda r: (r.linked_at, r.ticket_id))

    def for_ticket(self, ticket_id: str) -> list[str]:
        return sorted(
            r.incident_id for r in self._t.incident_tickets.values() if r.ticket_id == ticket_id
        )

    def add_entry(self, entry: IncidentEntryRecord) -> None:
        if entry.id in self._t.incident_entries:
            raise DuplicateKey("incident_entries.id", entry.id)
        self._t.incident_entries[entry.id] = entry

    def timeline(self, incident_id: str) -> list[IncidentEntryRecord]:
        # dicts keep insertion order; a stable sort by time keeps it among equal times
        rows = [e for e in self._t.incident_entries.values() if e.incident_id == incident_id]
        return sorted(rows, key=lambda e: e.at)
