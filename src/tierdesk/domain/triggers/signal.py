"""R-ESC-2/4: a signal (legal threat, safety, media mention...) seen in the ticket's text."""

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
    describe,
    first_seen,
    stamp,
)


def _compile(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"signals": tuple(params["any_of"])}


def _evaluate(
    rule: EscalationRule, ticket: Ticket, entries: list[Entry], _: datetime, rules: Rulebook
) -> Fired | None:
    seen = [(s, first_seen(s, ticket, entries)) for s in rule.signals]
    present = [(s, t) for s, t in seen if t is not None]
    if not present:
        return None
    at = min(t for _, t in present)
    where = "at intake" if at == ticket.created_at else f"at {stamp(at, rules)}"
    names = ", ".join(s.value for s, _ in present)
    return Fired(at, f"{rule.id}: {describe(rule)}: signal {names} detected {where}")


def _at_intake(rule: EscalationRule, _: Rulebook, facts: IntakeFacts) -> str | None:
    hit = [s.value for s in rule.signals if s in facts.signals]
    return f"signal {', '.join(hit)}" if hit else None


def _question(rule: EscalationRule, _: Rulebook, words: Words) -> str:
    names = words.msg("values.or_sep").join(words.msg(f"signals.{s.value}") for s in rule.signals)
    text = words.msg("flow.q_signal", signals=names)
    return text[:1].upper() + text[1:]


KIND = TriggerKind(
    name="signal", compile=_compile, evaluate=_evaluate, question=_question, at_intake=_at_intake
)
