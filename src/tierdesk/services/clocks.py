"""SLA clocks of a ticket (R-SLA-2), as the services need them.

The arithmetic is `tierdesk.domain.sla` (business calendars, pauses, warnings, breaches); this
module translates the ticket's events into clock events and turns clock statuses into what the
services record: findings (warnings and breaches, each recorded once under a mark in
`TicketState.sla_marks`), the sweeper's next look, and due times for messages.

Ticket event -> clock event: a public reply stops first_response and next_reply; a customer
message after the first reply starts next_reply; waiting on the customer pauses every clock and
resuming resumes them; resolving, closing or merging stops them; reopening starts resolution
again (it carries on) and next_reply. A ticket's first response is also held to its channel's
target when the policy sets one (R-SLA-4): the ticket's channel goes to the domain's clocks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tierdesk.domain.calendar import calendar_for
from tierdesk.domain.events import EventKind, TicketEvent
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.sla import ClockEvent, ClockStatus, due_times, level_of, ticket_clocks
from tierdesk.domain.state import TicketState, TicketStatus
from tierdesk.domain.triggers import time_in_tier
from tierdesk.services import facts, notify

_SECOND = timedelta(seconds=1)


def clock_events(events: Sequence[TicketEvent]) -> list[ClockEvent]:
    """The clock events of a ticket's history (see the module doc)."""
    out: list[ClockEvent] = []
    replied = False
    for e in events:
        if e.kind == EventKind.MESSAGE_ADDED and e.get("author") == "customer":
            if replied:
                out.append(ClockEvent("start", e.at, "next_reply"))
        elif e.kind == EventKind.MESSAGE_ADDED:
            replied = True
            out += [
                ClockEvent("stop", e.at, "first_response"),
                ClockEvent("stop", e.at, "next_reply"),
            ]
        elif e.kind == EventKind.CLOCK_PAUSED:
            out.append(ClockEvent("pause", e.at))
        elif e.kind == EventKind.CLOCK_RESUMED:
            out.append(ClockEvent("resume", e.at))
        elif e.kind in (EventKind.RESOLVED, EventKind.CLOSED) or (
            e.kind == EventKind.MERGED and e.get("into")
        ):
            out.append(ClockEvent("stop", e.at))
        elif e.kind == EventKind.REOPENED:
            out.append(ClockEvent("start", e.at, "resolution"))
            if replied:
                out.append(ClockEvent("start", e.at, "next_reply"))
    return out


def views(
    rules: Rulebook, state: TicketState, events: Sequence[TicketEvent], now: datetime
) -> list[ClockStatus]:
    """Every clock of the ticket as of `now` (none before it is triaged)."""
    if not state.priority:
        return []
    at = max(now, state.created_at)
    clocks = ticket_clocks(
        state.priority, state.created_at, clock_events(events), at, rules, state.channel
    )
    return list(clocks.values())


@dataclass(frozen=True)
class SlaFinding:
    """A warning or breach to record once: `mark` is its key in `TicketState.sla_marks`."""

    mark: str
    kind: str  # warning, breach
    clock: str
    due_at: datetime
    breached_by: timedelta | None
    reason: str
    basis: str = "priority"  # whose target: "priority" or the channel's name (R-SLA-4)


def _cycles(status: ClockStatus) -> Iterator[tuple[str, ClockStatus]]:
    """(mark suffix, status) of every cycle of a clock: next_reply restarts, one per cycle."""
    for cycle in (*status.previous, status):
        sfx = f"@{cycle.started_at.isoformat()}" if status.clock == "next_reply" else ""
        yield sfx, cycle


def findings(
    rules: Rulebook, state: TicketState, events: Sequence[TicketEvent], now: datetime
) -> list[SlaFinding]:
    """Warnings and breaches due by `now` and not yet in `state.sla_marks`. A clock that
    stopped late still gets its breach, with the business time it was missed by."""
    out = []
    for status in views(rules, state, events, now):
        for sfx, c in _cycles(status):
            breach, warning = f"breach:{c.clock}{sfx}", f"warning:{c.clock}{sfx}"
            if c.breached_by is not None and breach not in state.sla_marks:
                out.append(
                    SlaFinding(
                        breach, "breach", c.clock, c.due_at, c.breached_by, c.reason, c.basis
                    )
                )
            elif c.state == "warning" and warning not in state.sla_marks:
                out.append(
                    SlaFinding(warning, "warning", c.clock, c.due_at, None, c.reason, c.basis)
                )
    return out


def next_sweep(
    rules: Rulebook, state: TicketState, events: Sequence[TicketEvent], now: datetime
) -> datetime | None:
    """When the sweeper must look at the ticket next: the earliest unrecorded warning or
    breach of a running clock, or time-in-tier limit (R-ESC-1). None while nothing can come
    due (resolved, or every clock paused or stopped)."""
    if findings(rules, state, events, now):
        return now
    times: list[datetime] = []
    for status in views(rules, state, events, now):
        if status.stopped_at is not None or status.paused:
            continue
        sfx = next(s for s, c in _cycles(status) if c is status)
        if f"warning:{status.clock}{sfx}" not in state.sla_marks and status.warning_at > now:
            times.append(status.warning_at)
        if f"breach:{status.clock}{sfx}" not in state.sla_marks:
            times.append(status.due_at + _SECOND)  # a breach is more than the target
    times.extend(_tier_limits(rules, state, events, now))
    return min(times) if times else None


@dataclass(frozen=True)
class NextDue:
    """The running clock due first: when it is due, when it warns, which clock it is and the
    calendar it counts on (`ClockStatus`)."""

    due_at: datetime
    warning_at: datetime
    clock: str
    calendar: str


def next_due(
    rules: Rulebook, state: TicketState, events: Sequence[TicketEvent], now: datetime
) -> NextDue | None:
    """The running clock due first (the one the console's queue shows): stored on the ticket
    so that lists sort and filter by it (`TicketRecord.due_at`). None when no clock runs
    (resolved, every clock stopped, or paused: a paused clock's due time moves with `now`)."""
    if not state.active:
        return None
    running = [v for v in views(rules, state, events, now) if v.stopped_at is None and not v.paused]
    if not running:
        return None
    first = min(running, key=lambda v: v.due_at)
    return NextDue(first.due_at, first.warning_at, first.clock, first.calendar)


@dataclass(frozen=True)
class ShownClock:
    """A ticket's running (or paused) clock due first as a list shows it: the queue's SLA
    column. `remaining` and `breached_by` are business time, as in `ClockStatus`."""

    clock: str
    state: str  # running, warning, breached, paused
    due_at: datetime
    remaining: timedelta
    breached_by: timedelta | None
    paused: bool = False


def shown(status: ClockStatus) -> ShownClock:
    """What a list shows of a clock status."""
    return ShownClock(
        status.clock,
        status.state,
        status.due_at,
        status.remaining,
        status.breached_by,
        status.paused,
    )


def shown_from_stored(
    rules: Rulebook,
    due: NextDue,
    now: datetime,
) -> ShownClock | None:
    """The clock due first from what the ticket stores of it (`next_due`, saved with the
    ticket), without its events: the same state and business time left (or missed by) as
    `views` gives while nothing happened to the ticket since it was saved. None when the
    policy in force no longer has that clock's calendar (ask `views` then)."""
    spec = next((c for c in rules.calendars if c.name == due.calendar), None)
    if spec is None:
        return None
    cal = calendar_for(spec)
    if now > due.due_at:
        over = cal.elapsed(due.due_at, now)
        if over > timedelta(0):  # more than the target used: breached
            return ShownClock(due.clock, "breached", due.due_at, timedelta(0), over)
        return ShownClock(due.clock, "warning", due.due_at, timedelta(0), None)
    state = "warning" if now >= due.warning_at else "running"
    return ShownClock(due.clock, state, due.due_at, cal.elapsed(now, due.due_at), None)


def _tier_limits(
    rules: Rulebook, state: TicketState, events: Sequence[TicketEvent], now: datetime
) -> list[datetime]:
    """When each time box of the ticket's tier runs out (R-ESC-1), if the tier keeps working."""
    rules_due = [
        r
        for r in rules.escalation_rules
        if r.trigger == "time_in_tier"
        and r.tier == state.tier
        and r.id not in state.escalation_marks
    ]
    if not rules_due or state.status == TicketStatus.PENDING_CUSTOMER:
        return []
    ticket = facts.ticket(state, events, now)
    looks = (time_in_tier.next_look(r, ticket, now, rules) for r in rules_due)
    return [at for at in looks if at is not None]


def due_values(rules: Rulebook, state: TicketState) -> dict[str, str]:
    """Template values `first_response_due` and `resolution_due` of a new ticket, in the
    business's time zone and the customer's language."""
    if not state.priority:
        return {}
    due = due_times(state.priority, state.created_at, rules, state.channel)
    lang = state.language
    return {
        "first_response_due": notify.fmt_time(due.first_response_due, due.timezone, lang),
        "resolution_due": notify.fmt_time(due.resolution_due, due.timezone, lang),
    }


def timezone(rules: Rulebook, state: TicketState) -> str:
    """The time zone of the ticket's priority clock (how due times are shown)."""
    if not state.priority:
        return "UTC"
    return rules.calendar(level_of(rules, state.priority).clock).timezone


def expected_resolution(
    rules: Rulebook, state: TicketState, to_tier: str, at: datetime
) -> datetime | None:
    """When the receiving tier is expected to resolve: its resolution target from `at` on
    the ticket's priority clock (told to the customer, R-ESC-7). None for a team."""
    tier = next((t for t in rules.tiers if t.id == to_tier), None)
    if tier is None or not state.priority:
        return None
    cal = calendar_for(rules.calendar(level_of(rules, state.priority).clock))
    return cal.due(at, tier.resolution_target)
