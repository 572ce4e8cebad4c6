"""R-ESC-1: a tier has held the ticket too long (working time in the tier, paused while the
ticket waits on the customer). Never fires from text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from tierdesk.domain.calendar import BusinessCalendar, calendar_for
from tierdesk.domain.durations import clock_kind, local_time, spoken, to_minute
from tierdesk.domain.rulebook import EscalationRule, Rulebook
from tierdesk.domain.ticket import Entry, Ticket
from tierdesk.domain.triggers.base import Fired, PolicyFacts, TriggerKind, Words, describe


def _compile(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"tier": params["tier"], "over": params["over"]}


def _check(params: Mapping[str, Any], policy: PolicyFacts) -> Iterator[tuple[tuple[str, ...], str]]:
    if params["tier"] not in policy.tiers:
        yield ("tier",), f"tier {params['tier']} is not defined in tiers"


def work_segments(ticket: Ticket, now: datetime) -> list[tuple[datetime, datetime]]:
    """The spans the tier has worked the ticket up to `now`: from when an agent of the tier
    took it (assignment or first reply) on, less the spans it waited on the customer. None
    before it was taken: time in the queue is the first-response SLA's, not the time box."""
    taken = ticket.tier_taken_at
    if taken is None or now <= taken:
        return []
    out, at = [], taken
    for paused, resumed in sorted(ticket.tier_pauses):
        if paused > at:
            out.append((at, min(paused, now)))
        at = max(at, resumed or now)
        if at >= now:
            return out
    return [*out, (at, now)]


def reached_at(
    rule: EscalationRule, ticket: Ticket, now: datetime, rules: Rulebook
) -> tuple[timedelta, datetime | None]:
    """(working time so far on the tier's calendar, the moment it reached `rule.over` or
    None). The tier's calendar is the one the policy gives the timed tier (`tiers.<id>.calendar`,
    by default the policy's business calendar): an order question that arrives on Friday
    evening is not worked, nor timed, before Monday."""
    cal = _calendar(rule, rules)
    worked = timedelta(0)
    for start, end in work_segments(ticket, now):
        span = cal.elapsed(start, end)
        if rule.over is not None and worked + span >= rule.over:
            return worked + span, cal.due(start, rule.over - worked)
        worked += span
    return worked, None


def next_look(
    rule: EscalationRule, ticket: Ticket, now: datetime, rules: Rulebook
) -> datetime | None:
    """When the time box runs out if the tier keeps working: None while nobody of the tier
    has taken the ticket or it waits on the customer (the sweeper need not look)."""
    if rule.over is None or ticket.tier_taken_at is None or ticket.pending_on_customer:
        return None
    worked, reached = reached_at(rule, ticket, now, rules)
    return reached or _calendar(rule, rules).due(now, rule.over - worked)


def _calendar(rule: EscalationRule, rules: Rulebook) -> BusinessCalendar:
    """The calendar of the tier the rule times (its own, else the policy's business one)."""
    tier = next((t for t in rules.tiers if t.id == rule.tier), None)
    name = tier.calendar if tier is not None and tier.calendar else None
    if name is None:
        name = next((c.name for c in rules.calendars if not c.always_open), None)
    return calendar_for(rules.calendar(name or rules.calendars[0].name))


def _evaluate(
    rule: EscalationRule, ticket: Ticket, _: list[Entry], now: datetime, rules: Rulebook
) -> Fired | None:
    if rule.over is None or ticket.tier != rule.tier or ticket.tier_taken_at is None:
        return None
    if ticket.pending_on_customer:
        return None
    worked, reached = reached_at(rule, ticket, now, rules)
    if reached is None:
        return None
    cal = _calendar(rule, rules)
    kind = clock_kind(cal.spec.always_open)
    clock = "business time" if kind == "business" else "24x7 time"
    paused = sum((b - a for a, b in _closed(ticket.tier_pauses, now)), timedelta(0))
    waited = f", not counting {spoken(to_minute(paused))} waiting on the customer" if paused else ""
    reason = (
        f"{rule.id}: {describe(rule)}: {ticket.tier} has worked the ticket for "
        f"{spoken(to_minute(worked))} of {clock} on the {cal.spec.name} calendar (the "
        f"{ticket.tier} tier's) since it was taken at {_local(ticket.tier_taken_at, cal)}{waited}, "
        f"without resolving it (limit {spoken(rule.over, clock=kind)}, reached at "
        f"{_local(reached, cal)})"
    )
    return Fired(reached, reason)


def _closed(
    pauses: tuple[tuple[datetime, datetime | None], ...], now: datetime
) -> list[tuple[datetime, datetime]]:
    return [(a, min(b or now, now)) for a, b in pauses if a < now]


def _local(at: datetime | None, cal: BusinessCalendar) -> str:
    return "-" if at is None else local_time(at, cal.spec.timezone)


def _question(rule: EscalationRule, _: Rulebook, words: Words) -> str:
    return words.msg("flow.q_time_in_tier", tier=rule.tier, over=words.duration(rule.over))


KIND = TriggerKind(
    name="time_in_tier", compile=_compile, evaluate=_evaluate, question=_question, check=_check
)
