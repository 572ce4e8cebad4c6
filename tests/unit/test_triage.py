"""Rule-based triage: category, priority, tier, signals, escalation, reasons, the model layer."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

import pytest

from tierdesk import policy
from tierdesk.domain.classifier import Prediction
from tierdesk.domain.intent_map import IntentMapping
from tierdesk.domain.model import Signal
from tierdesk.domain.rulebook import ActionLimit, Rulebook
from tierdesk.domain.triage import compiled, triage


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return policy.rulebook(preset="cs-sop")


class FakeClassifier:
    """Says the same label with the same confidence for every text; counts its calls."""

    def __init__(self, label: str, confidence: float) -> None:
        self.label, self.confidence, self.calls = label, confidence, 0

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        self.calls += 1
        return [Prediction(self.label, self.confidence) for _ in texts]


# --- categories, priority, tier -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I was charged twice and want a refund", "billing_payment"),
        ("我被重複扣款了，請退款", "billing_payment"),
        ("I want to return these shoes", "returns_refunds"),
        ("Where is my order?", "order_status"),
        ("我的帳號被鎖住了", "account_access"),
        ("How do I reset my password?", "account_access"),
        ("The app crashes when I upload a photo", "technical_issue"),
        ("Please add dark mode", "feature_request"),
    ],
)
def test_most_specific_phrase_decides_the_category(
    rules: Rulebook, text: str, category: str
) -> None:
    assert triage(text, rules).category == category


def test_reason_names_the_phrase_that_decided_the_category(rules: Rulebook) -> None:
    d = triage("I was charged twice and want a refund", rules)
    assert d.reasons[0] == "category billing_payment (P2, L2): matched 'charged twice'"


@pytest.mark.rule("R-PRI-1")
def test_p1_category_beats_a_longer_match_of_a_lower_priority(rules: Rulebook) -> None:
    # "where is my order" is the longer phrase, but a safety issue is critical.
    d = triage("Where is my order? The last charger you sent caught fire.", rules)
    assert (d.category, d.priority) == ("safety_issue", "P1")


@pytest.mark.rule("R-PRI-1")
@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("Your website is down, nobody can check out.", "P1"),  # service outage
        ("My account was hacked", "P1"),  # security breach
        ("充電器冒煙了", "P1"),  # safety issue
        ("My payment failed three times", "P2"),  # payment failure
        ("My account is locked", "P2"),  # account locked
        ("Is it compatible with iPhone?", "P3"),  # product question
        ("Please add dark mode", "P3"),  # feature request
        ("Your service has been terrible", "P3"),  # general complaint
        ("Just wanted to say great job on the new app", "P4"),  # feedback
        ("What are your opening hours?", "P4"),  # general inquiry
    ],
)
def test_priority_follows_the_issue_type(rules: Rulebook, text: str, priority: str) -> None:
    assert triage(text, rules).priority == priority


@pytest.mark.rule("R-TIER-1")
@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("Where is my order?", "L1"),  # order status
        ("I forgot my password", "L1"),  # password reset
        ("I want to return these shoes", "L1"),  # simple return
        ("The app crashes when I upload a photo", "L2"),  # technical issue
        ("I was overcharged on my invoice", "L2"),  # billing dispute
        ("The screen arrived cracked", "L2"),  # product defect
        ("Please delete my personal data under GDPR", "L3"),  # legal/compliance
        ("The app is down for everyone", "L3"),  # crisis
    ],
)
def test_tier_follows_the_issue_complexity(rules: Rulebook, text: str, tier: str) -> None:
    assert triage(text, rules).tier == tier


def test_no_phrase_falls_back_with_low_confidence_and_asks_a_person(rules: Rulebook) -> None:
    d = triage("hello there", rules)
    assert d.category == rules.fallback_category
    assert d.confidence < rules.human_triage_below
    assert d.needs_human
    assert any("a person triages" in r for r in d.reasons)


def test_phrase_match_is_confident_enough_to_skip_a_person(rules: Rulebook) -> None:
    d = triage("Where is my order?", rules)
    assert d.confidence >= rules.human_triage_below
    assert not d.needs_human


# --- signals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("get me someone in charge", Signal.SUPERVISOR_REQUEST),
        ("叫你們主管出來", Signal.SUPERVISOR_REQUEST),
        ("我要PO爆料公社", Signal.MEDIA_MENTION),
        ("我已經向消保官申訴了", Signal.LEGAL_THREAT),
        ("see you in court", Signal.LEGAL_THREAT),
        ("I want my money back", Signal.REFUND_REQUEST),
        ("Someone else logged in to my account", Signal.SECURITY_INCIDENT),
        ("The kettle gave me an electric shock", Signal.SAFETY_ISSUE),
        ("Is there an outage? Your site is down", Signal.SERVICE_OUTAGE),
    ],
)
def test_signal_found_in_varied_phrasing(rules: Rulebook, text: str, signal: Signal) -> None:
    d = triage(text, rules)
    assert signal in d.signals
    assert any(r.startswith(f"signal {signal.value}: matched '") for r in d.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "I don't need a manager",
        "my lawyer friend recommended you",
        "I saw your ad on Instagram",
        "what is your refund policy?",
        "No need to get a supervisor involved",
        "不用找主管，幫我查物流就好",
        "我不需要退款，換貨就好",
        "沒有要提告的意思",
        "I'm not asking for a refund, just an apology.",
    ],
)
def test_negations_and_look_alikes_raise_no_signal(rules: Rulebook, text: str) -> None:
    assert triage(text, rules).signals == ()


def test_negation_reaches_only_its_own_clause(rules: Rulebook) -> None:
    d = triage("I don't care anymore, I want to speak to your manager", rules)
    assert Signal.SUPERVISOR_REQUEST in d.signals


def test_look_alike_is_no_evidence_for_the_category_either(rules: Rulebook) -> None:
    # "lawyer" is a legal_compliance phrase, but the policy says "lawyer friend" is a look-alike.
    assert triage("My lawyer friend recommended you", rules).category != "legal_compliance"


@pytest.mark.rule("R-ESC-5")
def test_repeat_contact_comes_from_the_count(rules: Rulebook) -> None:
    assert Signal.REPEAT_CONTACT not in triage("Where is my order?", rules, contact_count=2).signals
    third = triage("Where is my order?", rules, contact_count=3)
    assert Signal.REPEAT_CONTACT in third.signals
    assert third.escalate_to == ("L2", "investigation")
    assert third.tier == "L2"


@pytest.mark.rule("R-ESC-5")
@pytest.mark.parametrize(
    "text",
    ["This is the third time I'm writing about the same problem!", "第三次來信了，還是沒人處理"],
)
def test_repeat_contact_also_comes_from_what_the_customer_says(rules: Rulebook, text: str) -> None:
    # The history may be short because the customer wrote from another address.
    said = triage(text, rules, contact_count=1)
    assert Signal.REPEAT_CONTACT in said.signals
    assert said.escalate_to == ("L2", "investigation")
    assert any("the customer says" in r and "contact 3" in r for r in said.reasons)


def test_a_second_contact_said_in_words_is_under_the_threshold(rules: Rulebook) -> None:
    assert Signal.REPEAT_CONTACT not in triage("This is the second time I'm writing", rules).signals
    assert Signal.REPEAT_CONTACT not in triage("這是第二次來信", rules).signals


def test_contact_count_under_one_is_refused(rules: Rulebook) -> None:
    with pytest.raises(ValueError, match="contact_count"):
        triage("hi", rules, contact_count=0)


# --- escalation from the text -----------------------------------------------------------------


@pytest.mark.rule("R-ESC-2")
def test_supervisor_request_escalates_to_the_rule_targets(rules: Rulebook) -> None:
    d = triage("I want to speak to your manager right now", rules)
    assert d.escalate_to == ("L2", "team_lead")
    assert d.tier == "L2"
    assert any("(R-ESC-2) -> L2, team_lead, within 5 min" in r for r in d.reasons)


@pytest.mark.rule("R-ESC-4")
@pytest.mark.parametrize("text", ["我要去爆料公社", "I'll see you in court", "我要找消保官"])
def test_legal_or_media_goes_to_l3_legal_and_pr(rules: Rulebook, text: str) -> None:
    d = triage(text, rules)
    assert d.escalate_to == ("L3", "legal", "pr")
    assert d.tier == "L3"


@pytest.mark.rule("R-ESC-4")
def test_escalation_targets_are_rule_data_not_code(rules: Rulebook) -> None:
    esc = tuple(
        dataclasses.replace(r, target=("L2", "comms")) if r.id == "R-ESC-4" else r
        for r in rules.escalation_rules
    )
    d = triage("我要去爆料公社", dataclasses.replace(rules, escalation_rules=esc))
    assert d.escalate_to == ("L2", "comms")
    assert d.tier == "L2"


@pytest.mark.rule("R-ESC-3")
def test_refund_over_l1_authority_escalates_with_the_limit_in_the_reason(rules: Rulebook) -> None:
    d = triage("I want a refund of NT$1,200", rules)
    assert d.refund is not None
    assert (d.refund.amount, d.refund.currency) == (Decimal(1200), "TWD")
    assert d.escalate_to == ("L2",)
    assert d.tier == "L2"
    assert any(
        r.startswith("refund NT$1,200 exceeds agent_l1 limit NT$500 (R-ESC-3) -> L2")
        for r in d.reasons
    )


@pytest.mark.rule("R-AUTH-1")
def test_refund_within_l1_authority_stays_with_l1(rules: Rulebook) -> None:
    d = triage("I want a refund of NT$300", rules)
    assert d.refund is not None
    assert d.escalate_to == ()
    assert d.tier == "L1"


@pytest.mark.rule("R-ESC-3")
def test_refund_limit_is_read_from_the_authority_table(rules: Rulebook) -> None:
    raised = tuple(
        ActionLimit(a.action, a.unit, (("agent_l1", Decimal(2000)),), a.currency)
        if a.action == "refund"
        else a
        for a in rules.authority.actions
    )
    authority = dataclasses.replace(rules.authority, actions=raised)
    d = triage("I want a refund of NT$1,200", dataclasses.replace(rules, authority=authority))
    assert d.escalate_to == ()


@pytest.mark.rule("R-ESC-3")
def test_refund_in_another_currency_cannot_be_checked_by_l1(rules: Rulebook) -> None:
    d = triage("I want a refund of 20 USD", rules)
    assert d.escalate_to == ("L2",)
    assert any("cannot be compared" in r for r in d.reasons)


def test_several_triggers_join_their_targets_and_take_the_highest_tier(rules: Rulebook) -> None:
    d = triage("叫你們主管出來，不然我就PO爆料公社！", rules)
    assert d.escalate_to == ("L2", "team_lead", "L3", "legal", "pr")
    assert d.tier == "L3"


# --- the model layer --------------------------------------------------------------------------

INTENTS = {
    "card_arrival": IntentMapping("order_status", "P3", "L1"),
    "compromised_card": IntentMapping("security_breach", "P1", "L3", "security_incident"),
}


def test_model_decides_when_no_phrase_matched(rules: Rulebook) -> None:
    model = FakeClassifier("card_arrival", 0.9)
    d = triage("my plastic has not shown up", rules, classifier=model, intent_map=INTENTS)
    assert (d.category, d.priority, d.tier) == ("order_status", "P3", "L1")
    assert (d.intent, d.confidence, d.needs_human) == ("card_arrival", 0.9, False)
    assert model.calls == 1


def test_model_more_confident_than_the_phrases_decides(rules: Rulebook) -> None:
    model = FakeClassifier("compromised_card", 0.97)
    d = triage("Where is my order?", rules, classifier=model, intent_map=INTENTS)
    assert d.category == "security_breach"
    assert Signal.SECURITY_INCIDENT in d.signals


def test_phrases_more_confident_than_the_model_keep_the_category(rules: Rulebook) -> None:
    model = FakeClassifier("card_arrival", 0.55)
    d = triage("I was charged twice", rules, classifier=model, intent_map=INTENTS)
    assert d.category == "billing_payment"
    assert d.intent == "card_arrival"


def test_unsure_model_asks_a_person_instead_of_guessing(rules: Rulebook) -> None:
    model = FakeClassifier("card_arrival", 0.3)
    d = triage("my plastic has not shown up", rules, classifier=model, intent_map=INTENTS)
    assert d.category == rules.fallback_category
    assert d.needs_human
    assert d.confidence == 0.3
    assert any("under 0.50, not used" in r for r in d.reasons)


def test_rule_signals_escalate_whatever_the_model_says(rules: Rulebook) -> None:
    model = FakeClassifier("card_arrival", 0.99)
    d = triage("see you in court", rules, classifier=model, intent_map=INTENTS)
    assert Signal.LEGAL_THREAT in d.signals
    assert d.tier == "L3"
    # The signal's category (legal_compliance, P2) is more urgent than the model's pick (P3).
    assert d.category == "legal_compliance"


def test_model_category_as_urgent_as_the_signals_stands(rules: Rulebook) -> None:
    model = FakeClassifier("card_arrival", 0.99)  # order_status, P3
    d = triage("I will post this on Facebook", rules, classifier=model, intent_map=INTENTS)
    assert Signal.MEDIA_MENTION in d.signals
    assert d.category == "order_status"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我要告你們", "legal_compliance"),  # no legal category phrase: the signal decides
        ("Your charger burned a hole in my sofa, and my order is late", "safety_issue"),
        ("我要把這件事 po 到 PTT 跟 Dcard", "general_complaint"),
    ],
)
def test_a_signal_puts_the_text_in_the_category_that_claims_it(
    rules: Rulebook, text: str, category: str
) -> None:
    d = triage(text, rules)
    assert d.category == category
    assert any(r.startswith(f"category {category}") and "signal" in r for r in d.reasons)


def test_model_label_that_is_a_policy_category_needs_no_intent_map(rules: Rulebook) -> None:
    d = triage("zzz", rules, classifier=FakeClassifier("product_defect", 0.8))
    assert (d.category, d.tier) == ("product_defect", "L2")


def test_unknown_model_label_is_ignored_with_a_reason(rules: Rulebook) -> None:
    d = triage("Where is my order?", rules, classifier=FakeClassifier("mystery", 0.99))
    assert d.category == "order_status"
    assert any("not in the intent map" in r for r in d.reasons)


def test_intent_mapped_to_a_category_the_policy_lacks_is_ignored(rules: Rulebook) -> None:
    foreign = {"card_arrival": IntentMapping("card_delivery", "P3", "L1")}
    model = FakeClassifier("card_arrival", 0.99)
    d = triage("my plastic has not shown up", rules, classifier=model, intent_map=foreign)
    assert d.category == rules.fallback_category
    assert any("not in the intent map nor a policy category" in r for r in d.reasons)


def test_intent_mapped_to_an_undefined_tier_is_ignored(rules: Rulebook) -> None:
    foreign = {"card_arrival": IntentMapping("order_status", "P3", "L9")}
    d = triage("zzz", rules, classifier=FakeClassifier("card_arrival", 0.99), intent_map=foreign)
    assert d.tier in rules.tier_order


# --- compiled once ----------------------------------------------------------------------------


def test_phrases_are_compiled_once_per_rulebook(rules: Rulebook) -> None:
    assert compiled(rules) is compiled(rules)
    other = dataclasses.replace(rules)
    assert compiled(other) is not compiled(rules)


def test_bad_policy_regex_is_reported_with_the_phrase(rules: Rulebook) -> None:
    bad = dataclasses.replace(
        rules.signal_rules[0],
        phrases=dataclasses.replace(rules.signal_rules[0].phrases, by_lang=(("en", ("re:(",)),)),
    )
    broken = dataclasses.replace(rules, signal_rules=(bad,))
    with pytest.raises(ValueError, match=r"phrase 're:\(': bad regular expression"):
        triage("hi", broken)
