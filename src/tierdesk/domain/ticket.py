"""The ticket as the rules engine sees it: a small immutable view, built from stored rows.

`Ticket` holds the facts escalation, authority and the warm handoff read (tier, status, times,
signals, refund, contacts, promises, escalations already raised); `Entry` is one item of its
history (a customer message, a public reply, an internal note or a system entry). A service
builds both from its records (`TicketState` and its messages); nothing here reads a clock or a
store. Every datetime must be timezone-aware and is kept in UTC; a naive one is refused with
`NaiveDatetimeError` naming the field. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from tierdesk.domain.errors import InvalidValueError, NaiveDatetimeError
from tierdesk.domain.model import Money, Signal
from tierdesk.domain.state import ACTIVE_STATUSES, TicketStatus

CUSTOMER = "customer"  # the author role of the customer's own messages
SYSTEM = "system"  # the author role of automatic entries

_E = TypeVar("_E", bound=StrEnum)


def utc(value: datetime, field_name: str) -> datetime:
    """`value` in UTC; `NaiveDatetimeError` naming `field_name` when it has no time zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(field_name, value.isoformat())
    return value.astimezone(UTC)


class EntryKind(StrEnum):
    """What a history entry is. Only public replies reach the customer."""

    CUSTOMER_MESSAGE = "customer_message"
    PUBLIC_REPLY = "public_reply"
    INTERNAL_NOTE = "internal_note"
    SYSTEM = "system"


@dataclass(frozen=True)
class Entry:
    """One item of a ticket's history.

    `author_role` is `customer`, `system` or a staff role (agent_l1, team_lead ...);
    `signals` are the escalation signals triage found in this entry's text (their time is when
    they were first seen, e.g. when the customer asked for a supervisor).
    """

    at: datetime
    kind: EntryKind
    text: str
    author_role: str
    author: str = ""
    signals: tuple[Signal, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", utc(self.at, "entry.at"))
        object.__setattr__(self, "kind", _member(EntryKind, self.kind, "entry.kind"))
        object.__setattr__(self, "signals", _signals(self.signals, "entry.signals"))

    @property
    def by_staff(self) -> bool:
        """Written by a person of the support team (not the customer, not the system)."""
        return self.author_role not in (CUSTOMER, SYSTEM) and self.kind in (
            EntryKind.PUBLIC_REPLY,
            EntryKind.INTERNAL_NOTE,
        )


@dataclass(frozen=True)
class Ticket:
    """The facts of one ticket that the escalation, authority and handoff rules read.

    - `tier_entered_at`: when the ticket entered its current tier (R-ESC-1 counts from here);
      `paused_in_tier`: how long of that it waited on the customer (not counted).
    - `tier_taken_at`: when an agent of the tier took it (assignment or first reply; None: still
      in the queue); `tier_pauses`: the (paused, resumed or None) spans it waited on the
      customer since. R-ESC-1 times the working time between them.
    - `status`: a `TicketStatus` value; `pending_on_customer` is derived from it.
    - `contact_count`: contacts on the same issue, this one included (R-ESC-5);
      `contacts_at`: their times, oldest first, when known (may be shorter than the count).
    - `promises`: promises the staff recorded explicitly (the brief also finds them in replies).
    - `raised`: ids of escalation rules already raised on this ticket (never raised twice).
    - `language`, `customer_name`, `subject`: for the customer notice and the brief.
    """

    id: str
    category: str
    priority: str
    tier: str
    status: str
    created_at: datetime
    tier_entered_at: datetime
    signals: tuple[Signal, ...] = ()
    refund: Money | None = None
    contact_count: int = 1
    contacts_at: tuple[datetime, ...] = ()
    promises: tuple[str, ...] = ()
    raised: frozenset[str] = field(default_factory=frozenset)
    paused_in_tier: timedelta = timedelta(0)
    tier_taken_at: datetime | None = None
    tier_pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    language: str = "en"
    customer_name: str = ""
    subject: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "status", _member(TicketStatus, self.status, "ticket.status"))
        set_(self, "created_at", utc(self.created_at, "ticket.created_at"))
        set_(self, "tier_entered_at", utc(self.tier_entered_at, "ticket.tier_entered_at"))
        set_(self, "contacts_at", tuple(utc(t, "ticket.contacts_at") for t in self.contacts_at))
        set_(self, "signals", _signals(self.signals, "ticket.signals"))
        set_(self, "raised", frozenset(self.raised))
        if self.contact_count < 1:
            raise InvalidValueError(
                "ticket.contact_count", "must be at least 1", value=self.contact_count
            )
        if len(self.contacts_at) > self.contact_count:
            raise InvalidValueError(
                "ticket.contacts_at",
                f"{len(self.contacts_at)} contact times for {self.contact_count} contacts",
            )
        if self.tier_entered_at < self.created_at:
            raise InvalidValueError("ticket.tier_entered_at", "is before the ticket was created")
        if self.paused_in_tier < timedelta(0):
            raise InvalidValueError("ticket.paused_in_tier", "must not be negative")

    @property
    def active(self) -> bool:
        """Open for work: new, open or pending the customer."""
        return self.status in ACTIVE_STATUSES

    @property
    def pending_on_customer(self) -> bool:
        """Waiting on the customer: the SLA clocks and the time in tier are paused."""
        return self.status == TicketStatus.PENDING_CUSTOMER


def until(history: Iterable[Entry], now: datetime) -> list[Entry]:
    """The entries at or before `now`, oldest first (the engine never reads the future)."""
    return sorted((e for e in history if e.at <= now), key=lambda e: e.at)


def _member(enum: type[_E], value: object, field_name: str) -> _E:
    try:
        return enum(str(value))
    except ValueError:
        known = ", ".join(m.value for m in enum)
        raise InvalidValueError(field_name, f"{value!r} is not one of {known}") from None


def _signals(values: Iterable[object], field_name: str) -> tuple[Signal, ...]:
    return tuple(_member(Signal, v, field_name) for v in values)
