"""Routing: which tier works a ticket, by issue complexity only [R-TIER-1, R-TIER-2]. Pure.

Triage already puts the category's tier, raised by any escalation the text triggers (signals,
a refund over L1's authority, a repeat contact). `route` then applies the policy's `routing:`
overrides, whose conditions may read ticket facts only: category, signal, channel, refund_over,
priority, language. A rule with any other condition (vip, plan, spend, segment ...) is never
applied: R-TIER-2, route by the issue, never by who the customer is. No override can take a
ticket below the tier an escalation requires.

Neither `route` nor `triage` accepts a customer. `triage_ticket`, the entry for services and the
CLI, takes a whole ticket record and reads only `TICKET_FACTS` from it, so whatever else the
record carries (a customer's VIP flag, plan or spend) cannot change the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from tierdesk.domain.amounts import find_amounts
from tierdesk.domain.classifier import Classifier, Prediction
from tierdesk.domain.decisions import TriageDecision
from tierdesk.domain.intent_map import IntentMapping
from tierdesk.domain.model import Money
from tierdesk.domain.rulebook import RoutingRule, Rulebook
from tierdesk.domain.signals import detect_language, normalize
from tierdesk.domain.triage import triage

TICKET_CONDITIONS: frozenset[str] = frozenset(
    {"category", "signal", "channel", "refund_over", "priority", "language"}
)
# The only fields of a ticket record that triage and routing read.
TICKET_FACTS: tuple[str, ...] = ("text", "contact_count", "channel", "language")


@dataclass(frozen=True)
class Route:
    """Where a ticket goes, and why."""

    tier: str
    priority: str
    reasons: tuple[str, ...]


def route(
    decision: TriageDecision,
    rules: Rulebook,
    *,
    channel: str | None = None,
    language: str | None = None,
) -> Route:
    """The tier and priority for a triaged ticket after the policy's routing overrides.

    Reads the decision's category, signals, refund and priority and the ticket's channel and
    language; nothing about the customer. Overrides apply in policy order (a later one wins);
    the tier never drops below the highest tier among `decision.escalate_to`.
    """
    floor = max(
        [t for t in decision.escalate_to if t in rules.tier_order] or [rules.tier_order[0]],
        key=rules.tier_rank,
    )
    tier, priority = decision.tier, decision.priority
    reasons: list[str] = []
    for rule in rules.routing_rules:
        if any(key not in TICKET_CONDITIONS for key, _ in rule.when):
            continue  # R-TIER-2: a rule that reads the customer is never applied
        held = _holds(rule, decision, rules, channel, language)
        if held is None:
            continue
        why = f"routing {rule.id}: {held}"
        if rule.reason.texts:
            why += f" ({rule.reason})"
        if rule.tier is not None:
            wanted = rule.tier
            tier = max(wanted, floor, key=rules.tier_rank)
            why += f" -> {tier}" + ("" if tier == wanted else f" (not {wanted}: escalation)")
        if rule.priority is not None:
            priority = rule.priority
            why += f", priority {priority}"
        reasons.append(why)
    return Route(tier, priority, tuple(reasons))


def _holds(
    rule: RoutingRule,
    decision: TriageDecision,
    rules: Rulebook,
    channel: str | None,
    language: str | None,
) -> str | None:
    """'cond=value, ...' when every condition of `rule` holds, else None."""
    facts = {
        "category": {decision.category},
        "signal": {s.value for s in decision.signals},
        "channel": {channel.lower()} if channel else set(),
        "language": {language} if language else set(),
        "priority": {decision.priority},
    }
    shown: list[str] = []
    for key, values in rule.when:
        if key == "refund_over":
            if not _refund_over(decision.refund, values, rules):
                return None
        elif not facts[key] & {v if key != "channel" else v.lower() for v in values}:
            return None
        shown.append(f"{key}={'|'.join(values)}")
    return ", ".join(shown)


def _refund_over(refund: Money | None, values: tuple[str, ...], rules: Rulebook) -> bool:
    """Whether the refund exceeds the threshold (a number in the policy currency, or an
    amount with its currency such as "NT$1,000"); amounts in other currencies never compare."""
    if refund is None or not values:
        return False
    threshold = _threshold(values[0], rules.default_currency)
    if threshold is None or threshold.currency != refund.currency:
        return False
    return refund.amount > threshold.amount


def _threshold(value: str, currency: str) -> Money | None:
    try:
        return Money(Decimal(value), currency)
    except InvalidOperation:
        found = find_amounts(normalize(value).text, currency)
        return found[0].money if found else None


def triage_ticket(
    ticket: Mapping[str, object],
    rules: Rulebook,
    *,
    classifier: Classifier | None = None,
    intent_map: Mapping[str, IntentMapping] | None = None,
    prediction: Prediction | None = None,
) -> TriageDecision:
    """Triage and route one ticket record, e.g. a line of `tierdesk triage --jsonl`
    (`prediction`: the classifier's answer from a batch, see `triage.predict_all`).

    Reads `text` (required), `contact_count` (default 1), `channel` and `language` (detected
    from the text when absent); every other field is ignored. Raises ValueError naming the
    field when one is missing or of the wrong type.
    """
    text = ticket.get("text")
    if not isinstance(text, str):
        raise ValueError("'text' is missing or not a string")
    contacts = ticket.get("contact_count", 1)
    if isinstance(contacts, bool) or not isinstance(contacts, int) or contacts < 1:
        raise ValueError(f"'contact_count' must be a whole number >= 1, got {contacts!r}")
    channel, language = ticket.get("channel"), ticket.get("language")
    for name, value in (("channel", channel), ("language", language)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"'{name}' must be a string, got {value!r}")
    decision = triage(
        text,
        rules,
        contact_count=contacts,
        classifier=classifier,
        intent_map=intent_map,
        prediction=prediction,
    )
    routed = route(
        decision,
        rules,
        channel=channel if isinstance(channel, str) else None,
        language=language if isinstance(language, str) else detect_language(text),
    )
    return replace(
        decision,
        tier=routed.tier,
        priority=routed.priority,
        reasons=decision.reasons + routed.reasons,
    )
