"""Escalation rules (R-ESC-1..7): which escalations are due on a ticket at a given time.

`evaluate(ticket, history, now, rules)` reads only the policy's `escalation_rules`; every number
(15 minutes, 5 minutes, the L1 refund limit, the third contact) comes from the rulebook. Each
`Escalation` names the rule, its targets, the tier it goes to, when it was triggered, its
deadline, warm or cold handoff, a reason, and the customer notice (R-ESC-7) rendered from the
policy's notice template with the expected resolution time.

Decisions, so that every caller gets the same answer:
- A ticket that is resolved, closed or merged escalates no further.
- A rule already raised on the ticket (`ticket.raised`) is not raised again.
- A rule whose targets are all tiers at or below the ticket's tier is not due: there is nobody to
  hand it to (a refund above L1's limit on a ticket already at L2 is L2's to approve).
- R-ESC-1 (time in tier) counts working time in the tier: from `tier_entered_at`, less
  `paused_in_tier`, and it does not fire while the ticket waits on the customer (the clocks are
  paused, R-SLA-2: the tier is not failing to resolve, the customer has not answered). It fires
  once the limit is reached (at 15 minutes, not after).
- R-ESC-3 compares the refund with the role's refund limit in the same currency; a refund in
  another currency cannot be compared, so it escalates, and the reason says so.
- Deadlines: `immediate` and `same_interaction` are due at the trigger time (the escalation is
  late from then on; `timeline` tells a screen which one it is), `within <d>` is the trigger time
  plus d, `after_contact <n>` is the time of the nth contact (and the rule waits for it).

Each trigger kind is its own module in `tierdesk.domain.triggers` (looked up in its REGISTRY);
the decision matrix (R-ESC-6) is `tierdesk.domain.triggers.matrix`. Standard library only; time
is a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tierdesk.domain import durations
from tierdesk.domain.calendar import calendar_for
from tierdesk.domain.rulebook import EscalationRule, Rulebook, Template
from tierdesk.domain.sla import level_of
from tierdesk.domain.templates import render
from tierdesk.domain.ticket import Entry, Ticket, until, utc
from tierdesk.domain.triggers import REGISTRY, Fired
from tierdesk.domain.triggers.base import contact_time

Handoff = Literal["warm", "cold"]

# How staff roles are named to a customer (teams are named by the policy, tiers too).
ROLE_NAMES: dict[str, dict[str, str]] = {
    "agent_l1": {"en": "front-line agent", "zh-TW": "第一線客服"},
    "agent_l2": {"en": "specialist", "zh-TW": "專員"},
    "agent_l3": {"en": "expert", "zh-TW": "專家"},
    "team_lead": {"en": "team lead", "zh-TW": "組長"},
    "supervisor": {"en": "supervisor", "zh-TW": "主管"},
    "manager": {"en": "manager", "zh-TW": "經理"},
}


@dataclass(frozen=True)
class Escalation:
    """One escalation due on a ticket, with everything needed to record and announce it.

    `targets` are the rule's tiers, teams and roles; `to_tier` is the highest tier among them,
    never below the ticket's tier. `customer_notice` is the rendered notice ("" when the policy
    has no notice template); `notice_values` are the placeholder values it was rendered with,
    so a service can add its own (e.g. the customer's name) and render again.
    """

    rule_id: str
    trigger: str
    targets: tuple[str, ...]
    to_tier: str
    timeline: str
    triggered_at: datetime
    deadline: datetime
    handoff: Handoff
    reason: str
    expected_resolution_by: datetime
    customer_notice: str
    notice_values: tuple[tuple[str, str], ...] = ()


def evaluate(
    ticket: Ticket, history: Sequence[Entry], now: datetime, rules: Rulebook
) -> list[Escalation]:
    """Every escalation due on `ticket` at `now` (aware), in the policy's rule order.

    `history` is the ticket's entries; those after `now` are ignored. See the module doc for
    the decisions on resolved tickets, rules already raised, time in tier and currencies.
    Raises `NaiveDatetimeError` for a naive `now` and `UnknownPriorityError` when an escalation
    is due on a ticket whose priority the policy does not define (no clock for the notice).
    """
    at = utc(now, "now")
    if not ticket.active:
        return []
    entries = until(history, at)
    due: list[Escalation] = []
    for rule in rules.escalation_rules:
        if rule.id in ticket.raised or not _has_work(rule, ticket, rules):
            continue
        if rule.timeline.kind == "after_contact" and ticket.contact_count < (
            rule.timeline.contact or 1
        ):
            continue
        fired = REGISTRY[rule.trigger].evaluate(rule, ticket, entries, at, rules)
        if fired is not None:
            due.append(_escalation(rule, ticket, fired, at, rules))
    return due


# --- building the escalation --------------------------------------------------------------------


def _has_work(rule: EscalationRule, ticket: Ticket, rules: Rulebook) -> bool:
    """False when every target is a tier at or below the ticket's own tier."""
    here = rules.tier_rank(ticket.tier)
    return any(t not in rules.tier_order or rules.tier_rank(t) > here for t in rule.target)


def _to_tier(rule: EscalationRule, ticket: Ticket, rules: Rulebook) -> str:
    tiers = [t for t in rule.target if t in rules.tier_order]
    return max([ticket.tier, *tiers], key=rules.tier_rank)


def _deadline(rule: EscalationRule, ticket: Ticket, fired: Fired) -> datetime:
    tl = rule.timeline
    if tl.kind == "within" and tl.within is not None:
        return fired.at + tl.within
    if tl.kind == "after_contact" and tl.contact is not None:
        return contact_time(ticket, tl.contact) or fired.at
    return fired.at


def _escalation(
    rule: EscalationRule, ticket: Ticket, fired: Fired, now: datetime, rules: Rulebook
) -> Escalation:
    to_tier = _to_tier(rule, ticket, rules)
    expected = expected_resolution(ticket, to_tier, now, rules)
    values = notice_values(ticket, rule.target, to_tier, expected, rules)
    template = notice_template(rules)
    text = (
        render(template.body.get(ticket.language), values, ticket.language)
        if template is not None
        else ""
    )
    return Escalation(
        rule_id=rule.id,
        trigger=rule.trigger,
        targets=rule.target,
        to_tier=to_tier,
        timeline=rule.timeline.kind,
        triggered_at=fired.at,
        deadline=_deadline(rule, ticket, fired),
        handoff=rule.handoff,
        reason=fired.reason,
        expected_resolution_by=expected,
        customer_notice=text,
        notice_values=tuple(sorted(values.items())),
    )


def expected_resolution(ticket: Ticket, to_tier: str, now: datetime, rules: Rulebook) -> datetime:
    """When `to_tier` is expected to resolve: its resolution target from `now` on the clock of
    the ticket's priority (business time on a business calendar)."""
    clock = rules.calendar(level_of(rules, ticket.priority).clock)
    return calendar_for(clock).due(utc(now, "now"), rules.tier(to_tier).resolution_target)


def notice_template(rules: Rulebook) -> Template | None:
    """The policy's customer notice (`escalation.customer_notice`), else its first template
    used as an escalation notice; None when it has neither."""
    named = rules.template(rules.customer_notice) if rules.customer_notice else None
    return named or next((t for t in rules.templates if t.use == "escalation_notice"), None)


def notice_values(
    ticket: Ticket,
    targets: Sequence[str],
    to_tier: str,
    expected: datetime,
    rules: Rulebook,
) -> dict[str, str]:
    """Placeholder values of the escalation notice, in the ticket's language."""
    lang = ticket.language
    tz = rules.calendar(level_of(rules, ticket.priority).clock).timezone
    category = next((c for c in rules.categories if c.id == ticket.category), None)
    return {
        "name": ticket.customer_name,
        "ticket_id": ticket.id,
        "business": rules.business,
        "escalated_to": customer_targets(targets, rules, lang),
        "expected_resolution": local_time(expected, tz, lang),
        "tier": target_name(to_tier, rules, lang),
        "category": category.label.get(lang) if category is not None else ticket.category,
        "priority": level_of(rules, ticket.priority).name.get(lang),
    }


def customer_targets(targets: Sequence[str], rules: Rulebook, lang: str = "en") -> str:
    """Whom an escalation goes to, as the customer's notice names it: the tiers and teams
    ("Specialist", "Legal, PR"; zh-TW joined with 、), each once. Staff roles (team lead,
    supervisor) are people told inside the helpdesk, named only when no tier or team is."""
    teams = dict(rules.teams)
    tiers = {t.id for t in rules.tiers}
    named = [t for t in dict.fromkeys(targets) if t in tiers or t in teams]
    shown = named or list(dict.fromkeys(targets))
    return ("、" if lang == "zh-TW" else ", ").join(target_name(t, rules, lang) for t in shown)


def target_name(target: str, rules: Rulebook, lang: str = "en") -> str:
    """A tier, team or role as a customer reads it."""
    tier = next((t for t in rules.tiers if t.id == target), None)
    if tier is not None:
        return tier.name.get(lang)
    team = dict(rules.teams).get(target)
    if team is not None:
        return team.get(lang)
    names = ROLE_NAMES.get(target)
    if names is not None:
        return names.get(lang, names["en"])
    return target.replace("_", " ")


def local_time(when: datetime, tz_name: str, lang: str) -> str:
    """A time as a customer reads it, in the business's time zone, to the minute."""
    return durations.local_time(when, tz_name, lang)
