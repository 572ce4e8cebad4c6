"""Triage: a customer's text -> category, priority, tier, signals, refund, escalation. Pure.

Two layers. The policy's phrases decide first (`signals.py` says how phrases match and how
negation cancels them). A learned `Classifier`, when given, names an intent that an intent map
turns into category, priority and tier; it decides the category when no phrase matched or when
it is more confident than the phrase match. Signals found by the phrases always stand, whatever
the model says; a model under the policy's confidence threshold never decides: a person triages.

Rule data only: categories, signals, escalation targets and authority limits all come from the
`Rulebook`. Compiled phrases are cached per Rulebook, so triage of one text costs a few regex
scans.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tierdesk.domain.amounts import AmountMention, find_amounts
from tierdesk.domain.classifier import Classifier, Prediction
from tierdesk.domain.decisions import TriageDecision
from tierdesk.domain.intent_map import IntentMapping
from tierdesk.domain.model import Money, Signal
from tierdesk.domain.rulebook import Category, Rulebook, Timeline
from tierdesk.domain.signals import (
    Hit,
    LiteralIndex,
    Matcher,
    Normalized,
    normalize,
    stated_contact_count,
)
from tierdesk.domain.triggers import REGISTRY, IntakeFacts

FALLBACK_CONFIDENCE = 0.2  # nothing matched: a guess, under any sensible human-triage threshold
SIGNAL_CONFIDENCE = 0.75  # a category claimed by a signal the text raises: like one clear phrase
REPEAT_WITHOUT_RULE = 2  # with no repeat_contact rule, any contact after the first repeats
# Categories whose amounts are refunds: the amount a customer names there is what they want back.
_REFUND_CATEGORY = re.compile(r"refund|return")
# Words that tie an amount to the refund asked for, and failing those to a charge.
_REFUND_WORDS = re.compile(r"refund|money back|reimburse|back|退款|退費|退錢|退我|退回|退")
_CHARGE_WORDS = re.compile(r"charged|charge|paid|pay|cost|price|扣款|扣了|付了|刷了|花了|多收|收費")


@dataclass(frozen=True)
class _Rated:
    """A category with the phrases that matched it, and how specific they are."""

    category: Category
    hits: tuple[Hit, ...]
    p1: bool
    order: int

    @property
    def best(self) -> Hit:
        return max(self.hits, key=lambda h: h.weight)

    def key(self) -> tuple[bool, int, int, int]:
        """Sort key: a P1 category beats the others, then the most specific phrase, then the
        number of different phrases, then policy order."""
        return (self.p1, self.best.weight, len({h.phrase for h in self.hits}), -self.order)


class CompiledRules:
    """A Rulebook's phrases compiled once: build with `compiled(rules)`."""

    def __init__(self, rules: Rulebook) -> None:
        p1 = {p.id for p in rules.priorities if p.rank == 1}
        self.categories = tuple(
            (c, Matcher(c.phrases.all()), c.priority in p1) for c in rules.categories
        )
        self.signals = tuple(
            (r.signal, Matcher(r.phrases.all(), r.negations.all())) for r in rules.signal_rules
        )
        matchers = [m for _, m, _ in self.categories] + [m for _, m in self.signals]
        self.index = LiteralIndex(lit for m in matchers for lit in m.literals)
        counts = [r.count for r in rules.escalation_rules if r.trigger == "repeat_contact"]
        self.repeat_count: int | None = min((c for c in counts if c is not None), default=None)


_CACHE: dict[int, tuple[weakref.ref[Rulebook], CompiledRules]] = {}


def compiled(rules: Rulebook) -> CompiledRules:
    """The compiled phrases of `rules`, built on first use and kept while `rules` lives."""
    entry = _CACHE.get(id(rules))
    if entry is not None and entry[0]() is rules:
        return entry[1]
    built = CompiledRules(rules)
    remember(rules, built)
    return built


def remember(rules: Rulebook, built: CompiledRules) -> None:
    """Use `built` as the compiled phrases of `rules` (one kept with them, e.g. unpickled
    from the command line's compiled-policy cache together with `rules`)."""
    key = id(rules)
    ref = weakref.ref(rules, lambda _: _CACHE.pop(key, None))
    _CACHE[key] = (ref, built)


@dataclass(frozen=True)
class _Draft:
    """The decision under construction (kept small so each step is a short function)."""

    category: str
    priority: str
    tier: str
    confidence: float
    reasons: tuple[str, ...]
    intent: str | None = None
    needs_human: bool = False
    model_signal: Signal | None = None
    matched: frozenset[str] = frozenset()  # every category some phrase matched


def triage(
    text: str,
    rules: Rulebook,
    *,
    contact_count: int = 1,
    classifier: Classifier | None = None,
    intent_map: Mapping[str, IntentMapping] | None = None,
    prediction: Prediction | None = None,
) -> TriageDecision:
    """Triage one customer message by the policy's rules (and a classifier, when given).

    `contact_count` is how many times the customer has contacted about this issue, this one
    included (the customer's own words may say more: "third time I'm writing"). `prediction`
    is the classifier's answer for `text` when it was worked out already, in a batch
    (`predict_all`); the classifier is then not asked again. Raises ValueError for a count
    under one.
    """
    if contact_count < 1:
        raise ValueError(
            f"contact_count must be 1 or more (this contact counts), got {contact_count}"
        )
    norm = normalize(text)
    comp = compiled(rules)
    present = comp.index.present(norm.text)
    found = _scan_signals(norm, comp, present)
    draft = _by_phrases(norm, rules, comp, present, found.negated_spans)
    if classifier is not None or prediction is not None:
        pred = prediction or classifier.predict([text])[0]  # type: ignore[union-attr]
        draft = _by_model(rules, draft, pred, intent_map or {})
    draft = _by_signal(draft, rules, found)
    draft = _gate(draft, rules)
    said = _stated_contacts(found, comp)
    signals, signal_reasons = _signals(found, comp, contact_count, said, draft)
    refund, refund_written = _refund(norm, rules, draft.category, signals, found.refund_negated)
    refund_reasons = () if refund is None else (f"refund {refund_written}: {refund}",)
    # What the customer says about earlier contacts counts like the history does: they may
    # have written from another address or channel.
    count = contact_count if said is None else max(contact_count, said[0])
    targets, esc_reasons = _escalations(rules, signals, refund, refund_written, count)
    tier, tier_reasons = _raise_tier(rules, draft.tier, targets)
    return TriageDecision(
        category=draft.category,
        priority=draft.priority,
        tier=tier,
        signals=signals,
        refund=refund,
        escalate_to=targets,
        confidence=draft.confidence,
        reasons=draft.reasons + signal_reasons + refund_reasons + esc_reasons + tier_reasons,
        intent=draft.intent,
        needs_human=draft.needs_human,
    )


@dataclass(frozen=True)
class _SignalScan:
    hits: tuple[tuple[Signal, str], ...]  # (signal, the words that matched, as written)
    negated_spans: tuple[tuple[int, int], ...]  # where a negation cancelled a signal phrase
    refund_negated: bool  # the text is about refunds without asking for one ("refund policy")


def _scan_signals(norm: Normalized, comp: CompiledRules, present: frozenset[str]) -> _SignalScan:
    hits: list[tuple[Signal, str]] = []
    spans: list[tuple[int, int]] = []
    refund_negated = False
    for signal, matcher in comp.signals:
        if not matcher.may_match(present):
            if signal is Signal.REFUND_REQUEST:
                refund_negated = matcher.negation_in(norm.text, present)
            continue
        scan = matcher.scan(norm.text, present)
        if scan.hits:
            first = scan.hits[0]
            hits.append((signal, norm.source_span(first.start, first.end)))
        spans.extend((h.start, h.end) for h, _ in scan.negated)
        if signal is Signal.REFUND_REQUEST and not scan.hits:
            refund_negated = bool(scan.negated) or matcher.negation_in(norm.text, present)
    return _SignalScan(tuple(hits), tuple(spans), refund_negated)


def _by_phrases(
    norm: Normalized,
    rules: Rulebook,
    comp: CompiledRules,
    present: frozenset[str],
    negated: tuple[tuple[int, int], ...],
) -> _Draft:
    """The category by phrases. A phrase inside a negated signal phrase is no evidence either
    ("my lawyer friend" is not about a lawyer)."""
    rated = []
    for i, (cat, matcher, p1) in enumerate(comp.categories):
        if not matcher.may_match(present):
            continue
        hits = matcher.scan(norm.text, present).hits
        if negated:
            hits = tuple(h for h in hits if not any(s < h.end and h.start < e for s, e in negated))
        if hits:
            rated.append(_Rated(cat, hits, p1, i))
    if not rated:
        cat = rules.category(rules.fallback_category)
        reason = f"category {cat.id} ({cat.priority}, {cat.tier}): no category phrase matched"
        return _Draft(cat.id, cat.priority, cat.tier, FALLBACK_CONFIDENCE, (reason,))
    rated.sort(key=_Rated.key, reverse=True)
    win = rated[0]
    cat = win.category
    quoted = norm.source_span(win.best.start, win.best.end)
    reason = f"category {cat.id} ({cat.priority}, {cat.tier}): matched '{quoted}'"
    matched = frozenset(r.category.id for r in rated)
    return _Draft(
        cat.id, cat.priority, cat.tier, _rule_confidence(rated), (reason,), matched=matched
    )


def _rule_confidence(rated: list[_Rated]) -> float:
    """0.6 for one phrase, more for several phrases of the winner and a clear margin."""
    win = rated[0]
    extra = min(len({h.phrase for h in win.hits}) - 1, 2) * 0.1
    if len(rated) == 1:
        return min(0.95, 0.75 + extra)
    rival = rated[1].best.weight
    margin = max(0.0, (win.best.weight - rival) / win.best.weight)
    return min(0.95, 0.6 + extra + 0.15 * margin)


def _by_signal(draft: _Draft, rules: Rulebook, scan: _SignalScan) -> _Draft:
    """A signal the text raises puts it in a category that claims the signal (the policy's
    category `signals`), unless the phrases or the model found a more urgent category, or one
    as urgent that the signal does not confirm (its own phrases did not match).

    So a threat or a fire decides the category however it is worded, in either language, and
    "refund order 12345" is a refund, not an order question.
    """
    fired = {signal for signal, _ in scan.hits}
    if not fired:
        return draft
    decided = draft.confidence > FALLBACK_CONFIDENCE
    current = rules.priority(draft.priority).rank
    best: tuple[int, Category, Signal] | None = None
    for cat in rules.categories:
        hit = next((s for s in cat.signals if s in fired), None)
        if hit is None or cat.id == draft.category:
            continue
        rank = rules.priority(cat.priority).rank
        outranked = rank > current or (rank == current and cat.id not in draft.matched)
        if (decided and outranked) or (best is not None and rank >= best[0]):
            continue
        best = (rank, cat, hit)
    if best is None:
        return draft
    _, cat, hit = best
    why = f"category {cat.id} ({cat.priority}, {cat.tier}): signal {hit}"
    return _Draft(cat.id, cat.priority, cat.tier, SIGNAL_CONFIDENCE, (why,), intent=draft.intent)


def _gate(draft: _Draft, rules: Rulebook) -> _Draft:
    """Flag a decision a person must check: its confidence is under the policy's threshold."""
    if draft.needs_human or draft.confidence >= rules.human_triage_below:
        return draft
    why = (
        f"confidence {draft.confidence:.2f} under {rules.human_triage_below:.2f}: a person triages"
    )
    return replace(draft, needs_human=True, reasons=(*draft.reasons, why))


def predict_all(classifier: Classifier | None, texts: Sequence[str]) -> list[Prediction | None]:
    """The classifier's answers for many texts in one call (vectorizing a batch costs little
    more than one text), to pass to `triage` as `prediction`; all None without a classifier."""
    if classifier is None:
        return [None] * len(texts)
    return list(classifier.predict(list(texts))) if texts else []


def _by_model(
    rules: Rulebook,
    draft: _Draft,
    pred: Prediction,
    intent_map: Mapping[str, IntentMapping],
) -> _Draft:
    """Let the model decide when no phrase matched or it is more confident than the phrases."""
    mapping = _mapping(pred.label, rules, intent_map)
    phrase_matched = draft.confidence > FALLBACK_CONFIDENCE
    said = f"model intent {pred.label!r} ({pred.confidence:.2f})"
    if mapping is None:
        why = f"{said}: not in the intent map nor a policy category; ignored"
        return replace(draft, intent=pred.label, reasons=(*draft.reasons, why))
    if phrase_matched and pred.confidence <= draft.confidence:
        why = f"{said}: phrase match kept (confidence {draft.confidence:.2f})"
        return replace(draft, intent=pred.label, reasons=(*draft.reasons, why))
    if pred.confidence < rules.human_triage_below:
        # Too unsure to decide: keep the phrase match, or leave the fallback to a person.
        why = f"{said}: under {rules.human_triage_below:.2f}, not used"
        conf = draft.confidence if phrase_matched else pred.confidence
        return replace(draft, intent=pred.label, confidence=conf, reasons=(*draft.reasons, why))
    signal = Signal(mapping.escalation_signal) if mapping.escalation_signal else None
    why = f"category {mapping.category} ({mapping.priority}, {mapping.tier}): {said}"
    return _Draft(
        mapping.category,
        mapping.priority,
        mapping.tier,
        pred.confidence,
        (why,),
        intent=pred.label,
        model_signal=signal,
    )


def _mapping(
    label: str, rules: Rulebook, intent_map: Mapping[str, IntentMapping]
) -> IntentMapping | None:
    """The intent's mapping; a label that is itself a policy category maps to that category.

    A mapping to a category or tier this policy does not define is no mapping: an intent map
    written for another policy must not route tickets to a queue that does not exist.
    """
    mapped = intent_map.get(label)
    if mapped is not None:
        known = any(c.id == mapped.category for c in rules.categories)
        return mapped if known and mapped.tier in rules.tier_order else None
    cat = next((c for c in rules.categories if c.id == label), None)
    return None if cat is None else IntentMapping(cat.id, cat.priority, cat.tier)


def _stated_contacts(scan: _SignalScan, comp: CompiledRules) -> tuple[int, str] | None:
    """The contact number the customer says this is ("third time I'm writing": 3), with the
    words; None when they say nothing of it or name fewer than the repeat threshold."""
    words = next((w for s, w in scan.hits if s is Signal.REPEAT_CONTACT), None)
    if words is None:
        return None
    threshold = comp.repeat_count or REPEAT_WITHOUT_RULE
    stated = stated_contact_count(normalize(words).text)
    if stated is None:  # "many times", 好幾次: at least the threshold
        return threshold, words
    return (stated, words) if stated >= threshold else None


def _signals(
    scan: _SignalScan,
    comp: CompiledRules,
    contact_count: int,
    said: tuple[int, str] | None,
    draft: _Draft,
) -> tuple[tuple[Signal, ...], tuple[str, ...]]:
    """Signals from the phrases, the contact count, what the customer says of earlier
    contacts and the model, with their reasons."""
    hits = [(s, w) for s, w in scan.hits if s is not Signal.REPEAT_CONTACT]
    found: list[Signal] = [signal for signal, _ in hits]
    reasons = [f"signal {signal}: matched '{words}'" for signal, words in hits]
    if said is not None:
        found.append(Signal.REPEAT_CONTACT)
        reasons.append(
            f"signal repeat_contact: the customer says this is at least contact {said[0]}"
            f" ('{said[1]}'), whatever the history shows"
        )
    elif comp.repeat_count is not None and contact_count >= comp.repeat_count:
        found.append(Signal.REPEAT_CONTACT)
        reasons.append(
            f"signal repeat_contact: contact {contact_count} on this issue "
            f"(threshold {comp.repeat_count})"
        )
    if draft.model_signal is not None and draft.model_signal not in found:
        found.append(draft.model_signal)
        reasons.append(f"signal {draft.model_signal}: from model intent {draft.intent!r}")
    order = list(Signal)
    return tuple(sorted(found, key=order.index)), tuple(reasons)


def _refund(
    norm: Normalized,
    rules: Rulebook,
    category: str,
    signals: tuple[Signal, ...],
    refund_negated: bool,
) -> tuple[Money | None, str]:
    """The refund amount asked for, with the words as written: only when the text is about a
    refund (a refund request, or a refund category that is not a question about the policy)."""
    about_refund = Signal.REFUND_REQUEST in signals or (
        _REFUND_CATEGORY.search(category) is not None and not refund_negated
    )
    if not about_refund:
        return None, ""
    amounts = find_amounts(norm.text, rules.default_currency)
    if not amounts:
        return None, ""
    chosen = _pick_amount(norm.text, amounts)
    return chosen.money, norm.source_span(chosen.start, chosen.end)


def _pick_amount(text: str, amounts: list[AmountMention]) -> AmountMention:
    """The amount nearest a refund word, else nearest a charge word, else the first one."""
    refund_spans = [m.span() for m in _REFUND_WORDS.finditer(text)]
    charge_spans = [m.span() for m in _CHARGE_WORDS.finditer(text)]

    def distance(a: AmountMention, spans: list[tuple[int, int]]) -> int:
        gaps = [max(s - a.end, a.start - e, 0) for s, e in spans]
        return min(gaps, default=len(text))

    return min(
        amounts,
        key=lambda a: (distance(a, refund_spans), distance(a, charge_spans), a.start),
    )


def _escalations(
    rules: Rulebook,
    signals: tuple[Signal, ...],
    refund: Money | None,
    refund_written: str,
    contact_count: int,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Targets of the escalation rules the text triggers at once, with one reason per rule."""
    targets: list[str] = []
    reasons: list[str] = []
    facts = IntakeFacts(signals, refund, refund_written, contact_count)
    for rule in rules.escalation_rules:
        why = REGISTRY[rule.trigger].at_intake(rule, rules, facts)
        if why is None:
            continue
        targets.extend(t for t in rule.target if t not in targets)
        reasons.append(f"{why} ({rule.id}) -> {', '.join(rule.target)}, {_when(rule.timeline)}")
    return tuple(targets), tuple(reasons)


def _when(timeline: Timeline) -> str:
    if timeline.kind == "within" and timeline.within is not None:
        minutes = int(timeline.within.total_seconds() // 60)
        return f"within {minutes} min"
    if timeline.kind == "after_contact":
        return f"after contact {timeline.contact}"
    return timeline.kind.replace("_", " ")


def _raise_tier(
    rules: Rulebook, tier: str, targets: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The highest tier among the category's and the escalation targets'."""
    tiers = [t for t in targets if t in rules.tier_order]
    top = max([tier, *tiers], key=rules.tier_rank)
    if top == tier:
        return tier, ()
    return top, (f"tier {top}: raised from {tier} by escalation",)
