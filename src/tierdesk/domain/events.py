"""The append-only ticket event: every change to a ticket is one (R-PROC-1, document control).

An event says who (`actor`), when (`at`, aware UTC), what (`kind` and `data`: the fields that
changed as `{"field": [old, new]}` plus any facts the kind needs) and why (`reason`). Events of a
ticket are numbered 1, 2, 3 ... by `seq`; the ticket's version is the seq of its last event, so
`tierdesk.domain.state.replay` rebuilds both the state and the version. Pure standard library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tierdesk.domain.errors import DomainError

SYSTEM = "system"  # the actor of automatic changes (triage at intake, the SLA sweeper)


class EventKind(StrEnum):
    """What happened to a ticket. The values are stored; never rename one."""

    OPENED = "opened"
    TRIAGED = "triaged"
    ROUTED = "routed"
    MESSAGE_ADDED = "message_added"  # a customer message or a public reply
    NOTE_ADDED = "note_added"  # an internal note
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    CLOCK_PAUSED = "clock_paused"
    CLOCK_RESUMED = "clock_resumed"
    ESCALATED = "escalated"
    APPROVAL_REQUESTED = "approval_requested"
    APPROVAL_DECIDED = "approval_decided"
    ACTION_APPLIED = "action_applied"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    MERGED = "merged"
    CALL_LOGGED = "call_logged"
    IDENTITY_VERIFIED = "identity_verified"
    CONTACT_LINKED = "contact_linked"
    SURVEY_SENT = "survey_sent"
    SURVEY_ANSWERED = "survey_answered"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    POLICY_EXCEPTION = "policy_exception"  # a recorded deviation with a named approver (R-AUTH-3)
    TRIAGE_CORRECTED = "triage_corrected"  # a person set the category/priority, saying why


class EventError(DomainError):
    """An event that cannot be stored: naive time, bad seq, data that is not JSON."""

    code = "invalid_event"


@dataclass(frozen=True)
class TicketEvent:
    """One change to one ticket. `data` must be JSON-able (str, int, float, bool, None, lists,
    dicts with str keys); money and times are written as strings (`"500.00"`, ISO 8601)."""

    ticket_id: str
    seq: int
    at: datetime
    actor: str
    kind: EventKind
    data: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise EventError(f"event {self.kind} of ticket {self.ticket_id}: naive time {self.at}")
        if self.at.utcoffset() != timedelta(0):
            raise EventError(f"event {self.kind} of ticket {self.ticket_id}: time must be UTC")
        if self.seq < 1:
            raise EventError(f"event {self.kind} of ticket {self.ticket_id}: seq must be >= 1")
        if not self.actor:
            raise EventError(f"event {self.kind} of ticket {self.ticket_id}: actor is empty")
        try:
            json.dumps(self.data, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise EventError(
                f"event {self.kind} of ticket {self.ticket_id}: data is not JSON-able: {exc}"
            ) from exc

    def get(self, key: str, default: Any = None) -> Any:
        """A value of `data`, or `default`."""
        return self.data.get(key, default)

    def new(self, key: str) -> Any:
        """The new value of a changed field written as `[old, new]` (None when absent)."""
        pair = self.data.get(key)
        return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def change(old: Any, new: Any) -> list[Any]:
    """The JSON form of a changed field: `[old, new]`."""
    return [old, new]
