"""The current state of a ticket as a pure fold over its events.

`apply(state, event)` returns the state after one event; `replay(events)` folds a whole history
(the first event must be `opened`). The services never change a ticket any other way: they
build events and fold them, and store the result, so the stored state is always the state the
event log rebuilds (a test proves it).

Event data convention (see `tierdesk.domain.events`): `data["changes"]` maps a TicketState field
to `[old, new]` in JSON form (datetimes ISO 8601, Decimal as a string, tuples as lists); other
keys of `data` are facts of the kind (message id, duration, mark ...). Bookkeeping that follows
from the kind itself (first response time, pause time, counters) is derived here, not written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tierdesk.domain.errors import DomainError
from tierdesk.domain.events import EventKind, TicketEvent


class TicketStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"
    MERGED = "merged"


ACTIVE_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER})


class ReplayError(DomainError):
    """The events do not make a history: wrong ticket, a gap in seq, no `opened` first."""

    code = "replay_failed"


@dataclass(frozen=True)
class TicketState:
    """Everything current about a ticket; `version` is the seq of the last event folded."""

    id: str
    version: int
    customer_id: str
    channel: str
    subject: str
    language: str
    status: str
    category: str
    priority: str
    tier: str
    queue: str
    created_at: datetime
    updated_at: datetime
    tier_since: datetime  # when the ticket entered its current tier (R-ESC-1 time in tier)
    assignee_id: str | None = None
    signals: tuple[str, ...] = ()
    escalate_to: tuple[str, ...] = ()
    refund_amount: Decimal | None = None
    refund_currency: str | None = None
    needs_human: bool = False
    first_response_at: datetime | None = None
    awaiting_reply_since: datetime | None = None
    last_reply_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: int = 0
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    merged_into: str | None = None
    related_to: str | None = None
    contact_count: int = 1
    identity_verified_at: datetime | None = None
    escalation_count: int = 0
    escalation_marks: tuple[str, ...] = ()
    sla_marks: tuple[str, ...] = ()
    call_seconds: int = 0
    reply_count: int = 0
    unedited_template_count: int = 0
    csat: int | None = None
    nps: int | None = None
    policy_version_id: str | None = None
    idempotency_key: str | None = None
    channel_message_id: str | None = None

    @property
    def active(self) -> bool:
        """Open for work: new, open or pending the customer."""
        return self.status in ACTIVE_STATUSES


_FIELDS = {f.name: f for f in fields(TicketState)}
_DATETIMES = frozenset(n for n, f in _FIELDS.items() if "datetime" in str(f.type))
_DECIMALS = frozenset(n for n, f in _FIELDS.items() if "Decimal" in str(f.type))
_TUPLES = frozenset(n for n, f in _FIELDS.items() if str(f.type).startswith("tuple"))
_FIXED = frozenset({"id", "version", "created_at", "updated_at"})  # never set by `changes`


def encode(name: str, value: Any) -> Any:
    """The JSON form of a TicketState field's value (for `data["changes"]`)."""
    if value is None:
        return None
    if name in _DATETIMES:
        return value.isoformat()
    if name in _DECIMALS:
        return str(value)
    if name in _TUPLES:
        return list(value)
    return value


def decode(name: str, value: Any) -> Any:
    """The TicketState value of field `name` from its JSON form."""
    if value is None:
        return None
    if name in _DATETIMES:
        return datetime.fromisoformat(value)
    if name in _DECIMALS:
        return Decimal(value)
    if name in _TUPLES:
        return tuple(value)
    return value


def diff(old: TicketState, new: TicketState, names: Iterable[str]) -> dict[str, list[Any]]:
    """`changes` for the fields among `names` whose value differs: {field: [old, new]}."""
    out: dict[str, list[Any]] = {}
    for name in names:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out[name] = [encode(name, a), encode(name, b)]
    return out


def replay(events: Iterable[TicketEvent]) -> TicketState:
    """The state after all `events` (in seq order, starting with `opened`, seq 1)."""
    state: TicketState | None = None
    for event in events:
        state = opened(event) if state is None else apply(state, event)
    if state is None:
        raise ReplayError("no events: a ticket starts with an `opened` event")
    return state


def opened(event: TicketEvent) -> TicketState:
    """The state of a new ticket from its `opened` event (seq 1). Facts: customer_id,
    channel, subject, language and optionally idempotency_key, channel_message_id,
    policy_version_id, queue, category, priority, tier."""
    if event.kind != EventKind.OPENED or event.seq != 1:
        raise ReplayError(
            f"ticket {event.ticket_id}: history must start with `opened` seq 1, "
            f"got {event.kind} seq {event.seq}"
        )
    d = event.data
    state = TicketState(
        id=event.ticket_id,
        version=1,
        customer_id=str(d["customer_id"]),
        channel=str(d["channel"]),
        subject=str(d.get("subject", "")),
        language=str(d.get("language", "en")),
        status=TicketStatus.NEW,
        category=str(d.get("category", "")),
        priority=str(d.get("priority", "")),
        tier=str(d.get("tier", "")),
        queue=str(d.get("queue", "")),
        created_at=event.at,
        updated_at=event.at,
        tier_since=event.at,
        awaiting_reply_since=event.at,
        idempotency_key=d.get("idempotency_key"),
        channel_message_id=d.get("channel_message_id"),
        policy_version_id=d.get("policy_version_id"),
    )
    return _changed(state, event)


def apply(state: TicketState, event: TicketEvent) -> TicketState:
    """The state after `event`, which must be the next event of this ticket."""
    if event.ticket_id != state.id:
        raise ReplayError(f"event of ticket {event.ticket_id} applied to ticket {state.id}")
    if event.seq != state.version + 1:
        raise ReplayError(
            f"ticket {state.id}: expected event seq {state.version + 1}, got {event.seq}"
        )
    if event.kind == EventKind.OPENED:
        raise ReplayError(f"ticket {state.id}: `opened` again at seq {event.seq}")
    derive = _DERIVED.get(event.kind)
    derived = derive(state, event) if derive is not None else state
    return _changed(replace(derived, version=event.seq, updated_at=event.at), event)


def _changed(state: TicketState, event: TicketEvent) -> TicketState:
    """Apply `data["changes"]`; a change of tier restarts the time-in-tier clock."""
    changes: Mapping[str, Any] = event.data.get("changes") or {}
    values: dict[str, Any] = {}
    for name, pair in changes.items():
        if name not in _FIELDS or name in _FIXED:
            raise ReplayError(f"ticket {state.id} seq {event.seq}: cannot change field {name!r}")
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ReplayError(f"ticket {state.id} seq {event.seq}: {name} is not [old, new]")
        values[name] = decode(name, pair[1])
    if "tier" in values and values["tier"] != state.tier:
        values.setdefault("tier_since", event.at)
    return replace(state, **values) if values else state


def _message(state: TicketState, event: TicketEvent) -> TicketState:
    if event.get("author") == "customer":
        return replace(state, awaiting_reply_since=state.awaiting_reply_since or event.at)
    return replace(
        state,
        first_response_at=state.first_response_at or event.at,
        last_reply_at=event.at,
        awaiting_reply_since=None,
        reply_count=state.reply_count + 1,
        unedited_template_count=state.unedited_template_count
        + (1 if event.get("template_unedited") else 0),
    )


def _paused(state: TicketState, event: TicketEvent) -> TicketState:
    return replace(state, paused_at=state.paused_at or event.at)


def _resumed(state: TicketState, event: TicketEvent) -> TicketState:
    if state.paused_at is None:
        return state
    seconds = int((event.at - state.paused_at).total_seconds())
    return replace(state, paused_at=None, paused_seconds=state.paused_seconds + max(seconds, 0))


def _escalated(state: TicketState, event: TicketEvent) -> TicketState:
    marks = state.escalation_marks
    for rule in [event.get("rule_id"), *event.get("rule_ids", ())]:
        if rule and rule not in marks:
            marks = (*marks, str(rule))
    return replace(state, escalation_count=state.escalation_count + 1, escalation_marks=marks)


def _resolved(state: TicketState, event: TicketEvent) -> TicketState:
    return replace(state, resolved_at=event.at)


def _reopened(state: TicketState, event: TicketEvent) -> TicketState:
    return replace(
        state,
        reopen_count=state.reopen_count + 1,
        resolved_at=None,
        closed_at=None,
        awaiting_reply_since=state.awaiting_reply_since or event.at,
    )


def _closed(state: TicketState, event: TicketEvent) -> TicketState:
    return replace(state, closed_at=event.at)


def _call(state: TicketState, event: TicketEvent) -> TicketState:
    return replace(state, call_seconds=state.call_seconds + int(event.get("duration_seconds", 0)))


def _verified(state: TicketState, event: TicketEvent) -> TicketState:
    return replace(state, identity_verified_at=event.at)


def _sla_mark(state: TicketState, event: TicketEvent) -> TicketState:
    mark = str(event.get("mark", ""))
    if not mark or mark in state.sla_marks:
        return state
    return replace(state, sla_marks=(*state.sla_marks, mark))


_DERIVED = {
    EventKind.MESSAGE_ADDED: _message,
    EventKind.CLOCK_PAUSED: _paused,
    EventKind.CLOCK_RESUMED: _resumed,
    EventKind.ESCALATED: _escalated,
    EventKind.RESOLVED: _resolved,
    EventKind.REOPENED: _reopened,
    EventKind.CLOSED: _closed,
    EventKind.CALL_LOGGED: _call,
    EventKind.IDENTITY_VERIFIED: _verified,
    EventKind.SLA_WARNING: _sla_mark,
    EventKind.SLA_BREACHED: _sla_mark,
}
