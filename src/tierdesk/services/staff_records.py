"""Records of staff notifications and incidents (issue 16), as `records` describes records:
plain, immutable, mapped field for field to the tables `notices`, `notice_settings`,
`incidents`, `incident_tickets` and `incident_entries`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class NoticeRecord:
    """One notice to one user in the console. Repeated notices about one ticket fold into
    one (`count` of them, `updated_at` the latest, `text` the latest's). `deliver_at` is when
    it goes out by email or LINE too (None: console only), `delivered_at` once queued in the
    outbox. `urgent` notices ignore quiet hours."""

    id: str
    user_id: str
    kind: str  # one of tierdesk.domain.notify_rules.NOTICE_KINDS
    text: str
    created_at: datetime
    updated_at: datetime
    ticket_id: str | None = None
    link: str = ""  # the console page it points to
    rule_ids: tuple[str, ...] = ()
    count: int = 1
    urgent: bool = False
    read_at: datetime | None = None
    deliver_at: datetime | None = None
    delivered_at: datetime | None = None
    ref: str | None = None  # what caused it (ticket:seq, version or incident id): unique per user


@dataclass(frozen=True)
class NoticeSettingsRecord:
    """A user's choices: channels beyond the console ("email", "line"), the address for each
    (email: the user's own when empty), quiet hours as local HH:MM in `timezone` (equal or
    empty: none)."""

    user_id: str
    channels: tuple[str, ...] = ()
    email: str | None = None
    line_user_id: str | None = None
    quiet_start: str | None = None
    quiet_end: str | None = None
    timezone: str = "UTC"
    updated_at: datetime | None = None


@dataclass(frozen=True)
class IncidentRecord:
    """An emergency or outage (seed 003 10.1: notify supervisor/manager immediately, document
    the incident). Status open -> resolved; on resolution its linked tickets get one reply."""

    id: str
    title: str
    description: str
    severity: str  # a priority id of the policy (P1 ...)
    kind: str  # outage, emergency, security, other
    status: str  # open, resolved
    created_at: datetime
    created_by: str
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str = ""


@dataclass(frozen=True)
class IncidentEntryRecord:
    """One line of an incident's timeline (its audit trail): opened, note, notified, linked,
    unlinked, resolved, replied. `data` holds the facts (who was notified, which ticket)."""

    id: str
    incident_id: str
    at: datetime
    actor: str
    kind: str
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IncidentTicketRecord:
    """A ticket linked to an incident."""

    incident_id: str
    ticket_id: str
    linked_at: datetime
    linked_by: str
