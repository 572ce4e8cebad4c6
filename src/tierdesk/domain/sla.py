"""SLA clocks of a ticket (R-SLA-2): first response, next reply and resolution.

Each clock counts business time on its priority's calendar (`PriorityLevel.clock`) against the
priority's target. The clocks are a pure fold over `ClockEvent`s:

- `first_response` and `resolution` start when the ticket is created; `next_reply` starts at a
  `start` event (a customer message after the first response) and restarts at the next one
  after each `stop` (the agent's reply). A `start` while it runs changes nothing: the agent
  owes a reply since the earliest unanswered message.
- `pause` (waiting on the customer) and `resume` apply to the clock they name, or to every
  clock when they name none. Paused time never counts, so the due time moves out.
- `stop` ends the named clock (the first reply stops `first_response`), or every clock when
  it names none (resolved). A `start` of a stopped `resolution` clock (reopened) carries on
  from where it stopped.

A running clock warns once `warn_at` of its target is used, and breaches when more than the
target is used; a breach records by how much business time it was missed (`breached_by`).

Per-channel first response (R-SLA-4): when the policy sets a target for the ticket's channel
(`Rulebook.channel_target`), `first_response` is counted twice from the same events, on the
priority's calendar against the priority's target and on the channel's calendar against the
channel's, and the clock is the one due first (`basis` says which). The ticket must be answered
by the earlier due time; it is met only when both are met, and breached as soon as either is.
Standard library only; `now` is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal, get_args

from tierdesk.domain.calendar import BusinessCalendar, calendar_for, require_aware
from tierdesk.domain.durations import clock_kind, local_time, spoken, to_minute
from tierdesk.domain.errors import DomainError
from tierdesk.domain.rulebook import PriorityLevel, Rulebook

ClockName = Literal["first_response", "next_reply", "resolution"]
EventKind = Literal["start", "pause", "resume", "stop"]
ClockState = Literal["running", "paused", "warning", "met", "breached"]

CLOCKS: tuple[ClockName, ...] = get_args(ClockName)
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
_ZERO = timedelta(0)


class UnknownPriorityError(DomainError):
    """The priority is not defined by the policy; `defined` lists the ones that are."""

    code = "unknown_priority"

    def __init__(self, priority_id: str, defined: Sequence[str]) -> None:
        self.priority_id = priority_id
        self.defined = tuple(defined)
        super().__init__(
            f"unknown priority {priority_id!r}; the policy defines {', '.join(self.defined)}",
            priority=priority_id,
            defined=list(self.defined),
        )


@dataclass(frozen=True)
class ClockEvent:
    """Something that starts, pauses, resumes or stops a clock at `at` (aware).

    `clock` names the clock; None means every clock (not allowed for `start`).
    """

    kind: EventKind
    at: datetime
    clock: ClockName | None = None

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"clock event kind {self.kind!r}: use one of {', '.join(EVENT_KINDS)}")
        if self.clock is not None and self.clock not in CLOCKS:
            raise ValueError(f"clock event clock {self.clock!r}: use one of {', '.join(CLOCKS)}")
        if self.kind == "start" and self.clock is None:
            raise ValueError("a start event must name its clock")
        require_aware(self.at, f"clock event {self.kind} at")


@dataclass(frozen=True)
class ClockStatus:
    """One clock as of `now`.

    `elapsed` is business time counted (pauses excluded), `remaining` what is left of the
    target (zero once used up). `due_at` is when the target is (or was) reached: for a running
    or paused clock assuming it runs on from `now` without further pause, for a stopped clock
    from where it stopped. `warning_at` is the same for `warn_at` of the target. `previous`
    holds the earlier cycles of a restarting clock (next reply), oldest first.
    """

    clock: ClockName
    state: ClockState
    target: timedelta
    started_at: datetime
    elapsed: timedelta
    remaining: timedelta
    due_at: datetime
    warning_at: datetime
    paused: bool
    stopped_at: datetime | None
    breached_by: timedelta | None
    reason: str
    previous: tuple[ClockStatus, ...] = ()
    basis: str = "priority"  # whose target: "priority", or the channel's name (R-SLA-4)
    calendar: str = ""  # the policy calendar the clock counts on
    always_open: bool = False  # that calendar is 24x7 (else business hours)


@dataclass(frozen=True)
class DueTimes:
    """When a ticket created at `created_at` must first be answered and be resolved."""

    priority: str
    clock: str
    timezone: str
    first_response_due: datetime
    resolution_due: datetime | None


@dataclass
class _Cycle:
    """One run of a clock from a start to a stop (mutable only while folding)."""

    started_at: datetime
    segments: list[tuple[datetime, datetime]] = field(default_factory=list)
    running_since: datetime | None = None
    paused: bool = False
    stopped_at: datetime | None = None

    def apply(self, kind: EventKind, at: datetime) -> None:
        if kind in ("pause", "stop") and self.running_since is not None:
            self.segments.append((self.running_since, at))
            self.running_since = None
            self.paused = kind == "pause"
        elif kind == "pause" and self.stopped_at is None:
            self.paused = True
        if kind == "stop" and self.stopped_at is None:
            self.stopped_at, self.paused = at, False
        elif (kind == "resume" and self.paused) or (kind == "start" and self.running_since is None):
            # `start` also reopens a stopped clock; `resume` only wakes a paused one
            self.running_since, self.paused, self.stopped_at = at, False, None


def level_of(rules: Rulebook, priority_id: str) -> PriorityLevel:
    """The policy's priority `priority_id`; UnknownPriorityError naming the defined ones."""
    level = next((p for p in rules.priorities if p.id == priority_id), None)
    if level is None:
        raise UnknownPriorityError(priority_id, [p.id for p in rules.priorities])
    return level


def due_times(
    priority_id: str, created_at: datetime, rules: Rulebook, channel: str | None = None
) -> DueTimes:
    """First-response and resolution due times (UTC) of a ticket created at `created_at`
    (aware), on the priority's calendar; the first response the earlier of that and the
    channel's target (R-SLA-4) when the policy sets one for `channel`. `resolution_due` is
    None without a target."""
    level = level_of(rules, priority_id)
    created = require_aware(created_at, "created_at")
    spec = rules.calendar(level.clock)
    cal = calendar_for(spec)
    resolution = None if level.resolution is None else cal.due(created, level.resolution)
    first = cal.due(created, level.first_response)
    target = rules.channel_target(channel)
    if target is not None:
        first = min(
            first, calendar_for(rules.calendar(target.clock)).due(created, target.first_response)
        )
    return DueTimes(
        priority=level.id,
        clock=level.clock,
        timezone=spec.timezone,
        first_response_due=first,
        resolution_due=resolution,
    )


def ticket_clocks(
    priority_id: str,
    created_at: datetime,
    events: Iterable[ClockEvent],
    now: datetime,
    rules: Rulebook,
    channel: str | None = None,
) -> dict[str, ClockStatus]:
    """The status at `now` of each clock the ticket has: one per target the priority sets,
    except `next_reply` before its first start; `first_response` also against the target of
    the ticket's `channel` when the policy sets one (see the module doc). Events after `now`
    are not yet counted; an event before `created_at`, or `now` before it, is a ValueError."""
    level = level_of(rules, priority_id)
    created = require_aware(created_at, "created_at")
    now = require_aware(now, "now")
    if now < created:
        raise ValueError(f"now ({now.isoformat()}) is before the ticket was created")
    cal = calendar_for(rules.calendar(level.clock))
    cycles = _fold(created, events, now)
    targets: dict[ClockName, timedelta | None] = {
        "first_response": level.first_response,
        "next_reply": level.next_reply,
        "resolution": level.resolution,
    }
    out: dict[str, ClockStatus] = {}
    for name in CLOCKS:
        target, runs = targets[name], cycles[name]
        if target is None or not runs:
            continue
        statuses = [_status(name, run, target, level.warn_at, now, cal) for run in runs]
        out[name] = _with_previous(statuses[-1], tuple(statuses[:-1]))
    by_channel = rules.channel_target(channel)
    if by_channel is not None:
        ch_cal = calendar_for(rules.calendar(by_channel.clock))
        run = cycles["first_response"][-1]
        own = _status(
            "first_response",
            run,
            by_channel.first_response,
            level.warn_at,
            now,
            ch_cal,
            basis=by_channel.channel,
        )
        if own.due_at < out["first_response"].due_at:
            out["first_response"] = own
    return out


def _fold(
    created: datetime, events: Iterable[ClockEvent], now: datetime
) -> dict[ClockName, list[_Cycle]]:
    cycles: dict[ClockName, list[_Cycle]] = {
        "first_response": [_Cycle(created, running_since=created)],
        "next_reply": [],
        "resolution": [_Cycle(created, running_since=created)],
    }
    for event in sorted(events, key=lambda e: e.at):
        at = event.at.astimezone(created.tzinfo)
        if at < created:
            raise ValueError(
                f"clock event {event.kind} at {event.at.isoformat()} is before the ticket "
                f"was created ({created.isoformat()})"
            )
        if at > now:
            break
        for name in (event.clock,) if event.clock is not None else CLOCKS:
            runs = cycles[name]
            new_cycle = not runs or runs[-1].stopped_at is not None
            if name == "next_reply" and event.kind == "start" and new_cycle:
                runs.append(_Cycle(at))
            if runs:
                runs[-1].apply(event.kind, at)
    return cycles


def _status(
    name: ClockName,
    run: _Cycle,
    target: timedelta,
    warn_at: float,
    now: datetime,
    cal: BusinessCalendar,
    basis: str = "priority",
) -> ClockStatus:
    segments = list(run.segments)
    if run.running_since is not None:
        segments.append((run.running_since, now))
    anchor = run.stopped_at or now
    spent = [cal.elapsed(a, b) for a, b in segments]
    elapsed = sum(spent, _ZERO)
    due_at = _reached(target, segments, spent, anchor, cal)
    warning_at = _reached(target * warn_at, segments, spent, anchor, cal)
    breached_by = elapsed - target if elapsed > target else None
    state: ClockState
    if breached_by is not None:
        state = "breached"
    elif run.stopped_at is not None:
        state = "met"
    elif run.paused:
        state = "paused"
    else:
        state = "warning" if elapsed >= target * warn_at else "running"
    return ClockStatus(
        clock=name,
        state=state,
        target=target,
        started_at=run.started_at,
        elapsed=elapsed,
        remaining=max(target - elapsed, _ZERO),
        due_at=due_at,
        warning_at=warning_at,
        paused=run.paused,
        stopped_at=run.stopped_at,
        breached_by=breached_by,
        reason=_reason(name, state, target, elapsed, due_at, breached_by, cal, basis),
        basis=basis,
        calendar=cal.spec.name,
        always_open=cal.spec.always_open,
    )


def _reached(
    amount: timedelta,
    segments: Sequence[tuple[datetime, datetime]],
    spent: Sequence[timedelta],
    anchor: datetime,
    cal: BusinessCalendar,
) -> datetime:
    """When `amount` of business time is used: inside the running segment where it ran out,
    or counting on from `anchor` if it has not run out yet."""
    used = _ZERO
    for (a, _), part in zip(segments, spent, strict=True):
        if used + part >= amount:
            return cal.due(a, amount - used)
        used += part
    return cal.due(anchor, amount - used)


def _reason(
    name: ClockName,
    state: ClockState,
    target: timedelta,
    elapsed: timedelta,
    due_at: datetime,
    breached_by: timedelta | None,
    cal: BusinessCalendar,
    basis: str = "priority",
) -> str:
    """The clock in words, durations as people say them (to the minute) and the due time in
    the calendar's time zone: `first response running: 20 minutes of 4 business hours used
    on the business calendar; due 2025-03-04 15:00 (Asia/Taipei)`."""
    label = name.replace("_", " ")
    kind = clock_kind(cal.spec.always_open)
    used = f"{spoken(to_minute(elapsed))} of {spoken(target, clock=kind)}"
    where = f"on the {cal.spec.name} calendar"
    if basis != "priority":
        where += f", the {basis} channel's target"
    due = local_time(due_at, cal.spec.timezone)
    if state == "breached" and breached_by is not None:
        missed = spoken(max(to_minute(breached_by), timedelta(minutes=1)), clock=kind)
        return f"{label} target missed by {missed} ({used} used {where}; due {due})"
    if state == "met":
        return f"{label} met: {used} used {where}"
    return f"{label} {state}: {used} used {where}; due {due}"


def _with_previous(status: ClockStatus, previous: tuple[ClockStatus, ...]) -> ClockStatus:
    if not previous:
        return status
    return replace(status, previous=previous)
