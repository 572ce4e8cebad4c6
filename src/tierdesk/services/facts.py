"""Stored ticket -> the domain's view of it (`Ticket`, history `Entry`s).

The domain rules (escalation, handoff brief) read a `Ticket` and its history; the services keep
a `TicketState` folded from events and the messages. This is the one place that maps one to the
other, so the services ask the domain instead of re-deciding its rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from tierdesk.domain.events import EventKind, TicketEvent
from tierdesk.domain.model import Money, Signal
from tierdesk.domain.state import TicketState
from tierdesk.domain.ticket import CUSTOMER, SYSTEM, Entry, EntryKind, Ticket
from tierdesk.services.ports import UnitOfWork

_KINDS = {
    "customer": EntryKind.CUSTOMER_MESSAGE,
    "reply": EntryKind.PUBLIC_REPLY,
    "note": EntryKind.INTERNAL_NOTE,
}


def paused_in_tier(state: TicketState, events: Sequence[TicketEvent], now: datetime) -> timedelta:
    """Time the ticket waited on the customer since it entered its tier: it does not count
    toward time in tier (R-ESC-1 asks whether the tier could resolve, not the customer)."""
    total, since = timedelta(0), None
    for e in events:
        if e.kind == EventKind.CLOCK_PAUSED and since is None:
            since = e.at
        elif e.kind == EventKind.CLOCK_RESUMED and since is not None:
            total += max(e.at - max(since, state.tier_since), timedelta(0))
            since = None
    if since is not None:
        total += max(now - max(since, state.tier_since), timedelta(0))
    return total


def taken_in_tier(state: TicketState, events: Sequence[TicketEvent]) -> datetime | None:
    """When an agent of the ticket's current tier took it: its first assignment to someone or
    its first public reply since it entered the tier (None: nobody has yet)."""
    for e in events:
        if e.at < state.tier_since:
            continue
        assigned = (
            e.kind == EventKind.ASSIGNED
            and (e.data.get("changes") or {}).get("assignee_id", [None, None])[1]
        )
        replied = e.kind == EventKind.MESSAGE_ADDED and e.data.get("author") == "agent"
        if assigned or replied:
            return e.at
    return None


def pauses_in_tier(
    state: TicketState, events: Sequence[TicketEvent]
) -> tuple[tuple[datetime, datetime | None], ...]:
    """The (paused, resumed) spans since the ticket entered its tier; resumed None: still
    waiting on the customer."""
    out: list[tuple[datetime, datetime | None]] = []
    since: datetime | None = None
    for e in events:
        if e.kind == EventKind.CLOCK_PAUSED and since is None:
            since = e.at
        elif e.kind == EventKind.CLOCK_RESUMED and since is not None:
            if e.at > state.tier_since:
                out.append((max(since, state.tier_since), e.at))
            since = None
    if since is not None:
        out.append((max(since, state.tier_since), None))
    return tuple(out)


def ticket(
    state: TicketState,
    events: Sequence[TicketEvent],
    now: datetime,
    *,
    promises: Sequence[str] = (),
    customer_name: str = "",
) -> Ticket:
    """The domain `Ticket` of a stored ticket at `now`."""
    known = {s.value for s in Signal}
    refund = (
        Money(state.refund_amount, state.refund_currency)
        if state.refund_amount is not None and state.refund_currency
        else None
    )
    return Ticket(
        id=state.id,
        category=state.category,
        priority=state.priority,
        tier=state.tier,
        status=state.status,
        created_at=state.created_at,
        tier_entered_at=state.tier_since,
        signals=tuple(Signal(s) for s in state.signals if s in known),
        refund=refund,
        contact_count=state.contact_count,
        promises=tuple(promises),
        raised=frozenset(state.escalation_marks),
        paused_in_tier=paused_in_tier(state, events, now),
        tier_taken_at=taken_in_tier(state, events),
        tier_pauses=pauses_in_tier(state, events),
        language=state.language,
        customer_name=customer_name,
        subject=state.subject,
    )


def entries(uow: UnitOfWork, ticket_id: str) -> list[Entry]:
    """The ticket's messages as history entries, oldest first, with each author's role."""
    roles: dict[str, str] = {}
    out = []
    for m in uow.messages.for_ticket(ticket_id):
        if m.author_id is None:
            role = CUSTOMER if m.kind == "customer" else SYSTEM
        else:
            if m.author_id not in roles:
                user = uow.users.get(m.author_id)
                roles[m.author_id] = user.role if user is not None else SYSTEM
            role = roles[m.author_id]
        out.append(Entry(m.created_at, _KINDS[m.kind], m.body, role, m.author_id or ""))
    return out
