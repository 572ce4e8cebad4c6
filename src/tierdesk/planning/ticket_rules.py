"""What the policy decides about each simulated ticket, asked of the domain once per distinct case.

Triage (`tierdesk.domain.routing.triage_ticket`) runs once per distinct text; the intake
escalations (signals, refunds over authority) and the time-in-tier limits (R-ESC-1) come from
`tierdesk.domain.escalation.evaluate` on a probe `Ticket`, once per distinct case, so the
simulation follows exactly the rules the helpdesk runs, without calling the domain a million
times. The sets of rules already raised on a ticket are numbered (`EscalationBook.state`), so the
event loop carries one small integer per ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from tierdesk.domain.escalation import evaluate
from tierdesk.domain.model import Money, Signal
from tierdesk.domain.routing import triage_ticket
from tierdesk.domain.rulebook import CalendarSpec, Category, Rulebook
from tierdesk.domain.ticket import Ticket
from tierdesk.planning.arrivals import Arrivals, ArrivalsError

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_PROBE_AT = datetime(2026, 1, 5, tzinfo=UTC)  # any instant: the rules read durations only


_PROBE_CLOCK = "__simulation_24x7"


def _round_the_clock(rules: Rulebook) -> Rulebook:
    """`rules` with every tier on a 24x7 calendar: the simulation's time runs while the tier
    works (its clock is working time), so a time box is read as the duration it sets."""
    always = CalendarSpec(_PROBE_CLOCK, "UTC", always_open=True)
    tiers = tuple(replace(t, calendar=_PROBE_CLOCK) for t in rules.tiers)
    return replace(rules, tiers=tiers, calendars=(*rules.calendars, always))


@dataclass(frozen=True)
class TimeRule:
    """A time-in-tier escalation: after `limit_s` in the tier the ticket goes to `to_tier`
    (an index into the tier order; the same tier when the rule only names teams)."""

    rule_id: str
    limit_s: float
    to_tier: int
    next_state: int


class EscalationBook:
    """Numbered sets of raised escalation rules, and the time-in-tier rule each set leaves."""

    def __init__(self, rules: Rulebook) -> None:
        self.rules = rules
        self._probe_rules = _round_the_clock(rules)
        self.states: list[frozenset[str]] = []
        self._ids: dict[frozenset[str], int] = {}
        self._limits: dict[tuple[int, int], TimeRule | None] = {}
        self._horizon = max(
            (r.over for r in rules.escalation_rules if r.over is not None), default=timedelta(0)
        ) + timedelta(seconds=1)
        self.state(frozenset())

    def state(self, raised: frozenset[str]) -> int:
        """The number of a set of raised rule ids."""
        found = self._ids.get(raised)
        if found is None:
            found = self._ids[raised] = len(self.states)
            self.states.append(raised)
        return found

    def time_rule(self, state: int, tier: int) -> TimeRule | None:
        """The first time-in-tier rule due on a ticket in `tier` with the rules of `state`
        raised, as `evaluate` finds it on an open ticket that has sat in the tier long enough
        for every limit to pass; None when no such rule applies."""
        key = (state, tier)
        if key not in self._limits:
            self._limits[key] = self._probe_time(state, tier)
        return self._limits[key]

    def _probe_time(self, state: int, tier: int) -> TimeRule | None:
        rules = self._probe_rules
        probe = _probe(rules, rules.tier_order[tier], self.states[state])
        due = [
            e
            for e in evaluate(probe, [], _PROBE_AT + self._horizon, rules)
            if e.trigger == "time_in_tier"
        ]
        if not due:
            return None
        first = min(due, key=lambda e: e.triggered_at)
        raised = self.states[state] | {first.rule_id}
        return TimeRule(
            rule_id=first.rule_id,
            limit_s=(first.triggered_at - _PROBE_AT).total_seconds(),
            to_tier=rules.tier_order.index(first.to_tier),
            next_state=self.state(raised),
        )


@dataclass(frozen=True)
class TicketPlan:
    """Per ticket (arrival order): priority (index into `rules.priorities`), starting tier
    (index into `rules.tier_order`), the escalation state after intake, and whether intake
    escalated it; `intake_rules` counts the rules intake raised, by id."""

    priority: IntArray
    tier: IntArray
    state: IntArray
    intake_escalated: BoolArray
    intake_rules: dict[str, int]


@dataclass(frozen=True)
class _Case:
    priority: int
    tier: int
    state: int
    escalated: bool


def plan_tickets(rules: Rulebook, arrivals: Arrivals, book: EscalationBook) -> TicketPlan:
    """Triage, route and intake-escalate every ticket by the policy (see the module doc).

    Raises ArrivalsError ("FILE:LINE: ...") when a ticket names a category or priority the
    policy does not define, or has neither text nor category.
    """
    width = len(arrivals.labels) + 1
    codes = (arrivals.text_id + 1) * width * width + (arrivals.category + 1) * width
    codes = codes + arrivals.priority + 1
    unique, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    cases = [_case(rules, arrivals, int(i), book) for i in first]
    pick = np.asarray(inverse, dtype=np.int64).reshape(-1)
    counts = np.bincount(pick, minlength=len(unique))
    intake: dict[str, int] = {}
    for case, n in zip(cases, counts, strict=True):
        for rule_id in book.states[case.state]:
            intake[rule_id] = intake.get(rule_id, 0) + int(n)
    return TicketPlan(
        priority=np.array([c.priority for c in cases], dtype=np.int64)[pick],
        tier=np.array([c.tier for c in cases], dtype=np.int64)[pick],
        state=np.array([c.state for c in cases], dtype=np.int64)[pick],
        intake_escalated=np.array([c.escalated for c in cases], dtype=np.bool_)[pick],
        intake_rules=intake,
    )


def _case(rules: Rulebook, arrivals: Arrivals, i: int, book: EscalationBook) -> _Case:
    """The decision for ticket `i` (the first of its distinct case). A category given in the
    input replaces triage's (its tier and priority come from the policy); a given priority
    replaces the category's. Signals and refunds always come from the text."""
    where = f"{arrivals.source}:{int(arrivals.lines[i])}"
    text_id, cat_id, pri_id = (
        int(arrivals.text_id[i]),
        int(arrivals.category[i]),
        int(arrivals.priority[i]),
    )
    decision = triage_ticket({"text": arrivals.texts[text_id]}, rules) if text_id >= 0 else None
    triaged = decision if cat_id < 0 else None  # triage decides category, tier and priority
    if cat_id < 0 and triaged is None:
        raise ArrivalsError(f"{where}: the ticket has neither text nor category")
    cat = _category(rules, arrivals.labels[cat_id] if triaged is None else triaged.category, where)
    if pri_id >= 0:
        priority = _priority(rules, arrivals.labels[pri_id], where)
    else:
        priority = triaged.priority if triaged is not None else cat.priority
    routed = triaged.tier if triaged is not None else cat.tier
    base = min(cat.tier, routed, key=rules.tier_rank)
    signals = decision.signals if decision is not None else ()
    refund = decision.refund if decision is not None else None
    probe = _probe(rules, base, frozenset(), cat.id, priority, signals, refund)
    due = [e for e in evaluate(probe, [], _PROBE_AT, rules) if e.trigger != "time_in_tier"]
    start = max([routed, *(e.to_tier for e in due)], key=rules.tier_rank)
    return _Case(
        priority=next(k for k, p in enumerate(rules.priorities) if p.id == priority),
        tier=rules.tier_order.index(start),
        state=book.state(frozenset(e.rule_id for e in due)),
        escalated=bool(due),
    )


def _category(rules: Rulebook, category: str, where: str) -> Category:
    found = next((c for c in rules.categories if c.id == category), None)
    if found is None:
        known = ", ".join(c.id for c in rules.categories)
        raise ArrivalsError(
            f"{where}: category {category!r} is not in the policy of {rules.business} ({known})"
        )
    return found


def _priority(rules: Rulebook, priority: str, where: str) -> str:
    if all(p.id != priority for p in rules.priorities):
        known = ", ".join(p.id for p in rules.priorities)
        raise ArrivalsError(
            f"{where}: priority {priority!r} is not in the policy of {rules.business} ({known})"
        )
    return priority


def _probe(
    rules: Rulebook,
    tier: str,
    raised: frozenset[str],
    category: str | None = None,
    priority: str | None = None,
    signals: tuple[Signal, ...] = (),
    refund: Money | None = None,
) -> Ticket:
    """An open ticket created at the probe instant, in `tier` since then."""
    return Ticket(
        id="simulated",
        category=category or rules.categories[0].id,
        priority=priority or rules.priorities[0].id,
        tier=tier,
        status="open",
        created_at=_PROBE_AT,
        tier_entered_at=_PROBE_AT,
        tier_taken_at=_PROBE_AT,  # the simulation times a tier from when it starts work
        signals=signals,
        refund=refund,
        raised=raised,
    )
