"""R-ESC-1: a tier has held the ticket too long (working time in the tier, paused while the
ticket waits on the customer). Never fires from text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from tierdesk.domain.durations import format_duration
from tierdesk.domain.rulebook import EscalationRule, Rulebook
from tierdesk.domain.ticket import Entry, Ticket
from tierdesk.domain.triggers.base import Fired, PolicyFacts, TriggerKind, Words, describe


def _compile(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"tier": params["tier"], "over": params["over"]}


def _check(params: Mapping[str, Any], policy: PolicyFacts) -> Iterator[tuple[tuple[str, ...], str]]:
    if params["tier"] not in policy.tiers:
        yield ("tier",), f"tier {params['tier']} is not defined in tiers"


def _evaluate(
    rule: EscalationRule, ticket: Ticket, _: list[Entry], now: datetime, __: Rulebook
) -> Fired | None:
    if rule.over is None or ticket.tier != rule.tier or ticket.pending_on_customer:
        return None
    in_tier = now - ticket.tier_entered_at - ticket.paused_in_tier
    if in_tier < rule.over:
        return None
    reached = ticket.tier_entered_at + ticket.paused_in_tier + rule.over
    reason = (
        f"{rule.id}: {describe(rule)}: {ticket.tier} has worked the ticket for "
        f"{format_duration(in_tier)} without resolving it (limit {format_duration(rule.over)})"
    )
    return Fired(reached, reason)


def _question(rule: EscalationRule, _: Rulebook, words: Words) -> str:
    return words.msg("flow.q_time_in_tier", tier=rule.tier, over=words.duration(rule.over))


KIND = TriggerKind(
    name="time_in_tier", compile=_compile, evaluate=_evaluate, question=_question, check=_check
)
