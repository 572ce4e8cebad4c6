"""R-ESC-5: the nth contact on the same issue (the third, in the SOP)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tierdesk.domain.rulebook import EscalationRule, Rulebook
from tierdesk.domain.ticket import Entry, Ticket
from tierdesk.domain.triggers.base import (
    Fired,
    IntakeFacts,
    TriggerKind,
    Words,
    contact_time,
    describe,
)


def _compile(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"count": params["count"]}


def _evaluate(
    rule: EscalationRule, ticket: Ticket, _: list[Entry], now: datetime, __: Rulebook
) -> Fired | None:
    if rule.count is None or ticket.contact_count < rule.count:
        return None
    at = contact_time(ticket, rule.count) or now
    reason = (
        f"{rule.id}: {describe(rule)}: contact {ticket.contact_count} on the same issue "
        f"(escalates from contact {rule.count})"
    )
    return Fired(at, reason)


def _at_intake(rule: EscalationRule, _: Rulebook, facts: IntakeFacts) -> str | None:
    count = rule.count or 0
    n = facts.contact_count
    return f"contact {n} >= {count}" if n >= count else None


def _question(rule: EscalationRule, _: Rulebook, words: Words) -> str:
    return words.msg("flow.q_repeat", count=rule.count)


KIND = TriggerKind(
    name="repeat_contact",
    compile=_compile,
    evaluate=_evaluate,
    question=_question,
    at_intake=_at_intake,
)
