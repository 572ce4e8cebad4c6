"""What every escalation trigger kind provides, and the helpers they share. Standard library only.

A trigger kind is one module of this package exposing `KIND`, a `TriggerKind`:

- `compile(params)`: the policy's trigger values (the schema's fields, `type` left out) as the
  `EscalationRule` fields the engine reads;
- `check(params, policy)`: cross-reference findings the schema alone cannot see (`(path, message)`,
  path relative to the trigger);
- `evaluate(rule, ticket, entries, now, rules)`: whether the rule fires on a ticket at `now`, and
  when and why (the sweeper and every command, through `escalation.evaluate`);
- `at_intake(rule, rules, facts)`: whether the text of a new contact fires it (triage), and why;
- `question(rule, rules, words)`: the rule as the yes/no question of the printed SOP's flowchart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tierdesk.domain.durations import local_time
from tierdesk.domain.model import Money, Signal
from tierdesk.domain.rulebook import EscalationRule, Rulebook
from tierdesk.domain.ticket import Entry, Ticket


@dataclass(frozen=True)
class Fired:
    """A rule fired: when (the deadline counts from it) and the reason, in words."""

    at: datetime
    reason: str


@dataclass(frozen=True)
class IntakeFacts:
    """What triage read from a new contact's text."""

    signals: tuple[Signal, ...]
    refund: Money | None
    refund_written: str  # the refund as the customer wrote it, e.g. "NT$1,200"
    contact_count: int


@dataclass(frozen=True)
class PolicyFacts:
    """The names a trigger's values may refer to: tiers and the authority ladder."""

    tiers: Sequence[str]
    ladder: Sequence[str]


class Words(Protocol):
    """How the printed SOP words values in its language (tierdesk.sop.context.Ctx)."""

    @property
    def msg(self) -> Callable[..., str]:
        """The catalog: `msg(key, **values)` is the message in the document's language."""

    def duration(self, value: Any) -> str: ...

    def money(self, amount: Any, currency: str) -> str: ...

    def role(self, role: str) -> str: ...


Evaluate = Callable[[EscalationRule, Ticket, list[Entry], datetime, Rulebook], Fired | None]
AtIntake = Callable[[EscalationRule, Rulebook, IntakeFacts], str | None]
Question = Callable[[EscalationRule, Rulebook, Words], str]
Compile = Callable[[Mapping[str, Any]], dict[str, Any]]
Check = Callable[[Mapping[str, Any], PolicyFacts], Iterable[tuple[tuple[str, ...], str]]]


def _never(_: EscalationRule, __: Rulebook, ___: IntakeFacts) -> str | None:
    return None


def _nothing(_: Mapping[str, Any], __: PolicyFacts) -> Iterator[tuple[tuple[str, ...], str]]:
    return iter(())


@dataclass(frozen=True)
class TriggerKind:
    """One kind of escalation trigger (see the module doc)."""

    name: str
    compile: Compile
    evaluate: Evaluate
    question: Question
    at_intake: AtIntake = _never  # a trigger that needs time (time in tier) never fires from text
    check: Check = _nothing


def describe(rule: EscalationRule) -> str:
    """The rule in words: the policy's description, else its trigger's name."""
    return rule.description.get("en") or rule.trigger.replace("_", " ")


def first_seen(signal: Signal, ticket: Ticket, entries: Iterable[Entry]) -> datetime | None:
    """When `signal` was first seen: its first entry, else intake if the ticket carries it."""
    hit = next((e.at for e in entries if signal in e.signals), None)
    if hit is not None:
        return hit
    return ticket.created_at if signal in ticket.signals else None


def contact_time(ticket: Ticket, n: int) -> datetime | None:
    """When the ticket's nth contact came, if it has come."""
    return ticket.contacts_at[n - 1] if len(ticket.contacts_at) >= n else None


def stamp(at: datetime, rules: Rulebook) -> str:
    """A moment in a reason: in the policy's time zone (its business calendar's), to the
    minute."""
    cal = next((c for c in rules.calendars if not c.always_open), rules.calendars[0])
    return local_time(at, cal.timezone)


def money(m: Money) -> str:
    return "no limit" if m.amount.is_infinite() else str(m)
