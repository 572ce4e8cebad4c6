"""R-ESC-3: a refund above a role's refund limit (compared in the limit's currency only: a refund
in another currency cannot be compared, so it escalates and the reason says so)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from tierdesk.domain.model import Money, Signal, money_text
from tierdesk.domain.rulebook import EscalationRule, Rulebook
from tierdesk.domain.ticket import Entry, Ticket
from tierdesk.domain.triggers.base import (
    Fired,
    IntakeFacts,
    PolicyFacts,
    TriggerKind,
    Words,
    describe,
    first_seen,
    money,
)


def _compile(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"role": params["role"]}


def _check(params: Mapping[str, Any], policy: PolicyFacts) -> Iterator[tuple[tuple[str, ...], str]]:
    if params["role"] not in policy.ladder:
        yield ("role",), f"role {params['role']!r} is not on the ladder"


def _evaluate(
    rule: EscalationRule, ticket: Ticket, entries: list[Entry], _: datetime, rules: Rulebook
) -> Fired | None:
    refund = ticket.refund
    if refund is None or rule.role is None:
        return None
    at = first_seen(Signal.REFUND_REQUEST, ticket, entries) or ticket.created_at
    action = rules.authority.action("refund")
    head = f"{rule.id}: {describe(rule)}: refund of {refund}"
    if action is None:
        return Fired(at, f"{head}: the policy gives no role refund authority")
    limit = Money(action.limit(rule.role), action.currency)
    if refund.currency != action.currency:
        why = (
            f"{head} could not be compared with {rule.role}'s limit of {money(limit)} "
            f"(different currency), so a higher tier decides"
        )
        return Fired(at, why)
    if refund.amount <= limit.amount:
        return None
    return Fired(at, f"{head} is above {rule.role}'s limit of {money(limit)}")


def _at_intake(rule: EscalationRule, rules: Rulebook, facts: IntakeFacts) -> str | None:
    refund, role = facts.refund, rule.role
    if refund is None or not role:
        return None
    action = rules.authority.action("refund")
    limit = action.limit(role) if action is not None else Decimal(0)
    currency = (action.currency if action is not None else "") or rules.authority.currency
    shown = money_text(limit, currency)
    written = facts.refund_written
    if refund.currency != currency:
        # No exchange rates in the domain: the role cannot tell whether it may grant this.
        return f"refund {written} in {refund.currency}, {role} limit {shown} cannot be compared"
    if refund.amount > limit:
        return f"refund {written} exceeds {role} limit {shown}"
    return None


def _question(rule: EscalationRule, rules: Rulebook, words: Words) -> str:
    role = rule.role or ""
    refund = rules.authority.action("refund")
    limit = refund.limit(role) if refund is not None else None
    shown = (
        words.money(limit, refund.currency)
        if refund is not None and limit is not None and limit.is_finite()
        else words.msg("values.none")
    )
    return words.msg("flow.q_refund", role=words.role(role), limit=shown)


KIND = TriggerKind(
    name="refund_over_authority",
    compile=_compile,
    evaluate=_evaluate,
    question=_question,
    at_intake=_at_intake,
    check=_check,
)
