"""Routing by issue complexity: policy overrides on ticket facts, never on the customer."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierdesk import policy
from tierdesk.domain.model import LocalText
from tierdesk.domain.routing import TICKET_FACTS, route, triage_ticket
from tierdesk.domain.rulebook import RoutingRule, Rulebook
from tierdesk.domain.triage import triage

ROUTING_YAML = """
routing:
  - id: chat-billing
    when: {category: billing_payment, channel: line}
    priority: P1
    reason: {en: LINE customers expect fast answers}
  - id: vip-first
    when: {vip: true}
    tier: L3
    priority: P1
  - id: big-refund
    when: {refund_over: 2000}
    tier: L3
"""


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return policy.rulebook(preset="cs-sop")


@pytest.fixture(scope="module")
def routed_rules(tmp_path_factory: pytest.TempPathFactory) -> Rulebook:
    """The cs-sop preset plus routing overrides, one of which (vip) breaks R-TIER-2."""
    text = policy.preset_path("cs-sop").read_text(encoding="utf-8") + ROUTING_YAML
    path: Path = tmp_path_factory.mktemp("policy") / "routed.yaml"
    path.write_text(text, encoding="utf-8")
    return policy.rulebook(path)


def with_rules(rules: Rulebook, *rule: RoutingRule) -> Rulebook:
    return dataclasses.replace(rules, routing_rules=rule)


def test_policy_routing_section_is_compiled_into_the_rulebook(routed_rules: Rulebook) -> None:
    ids = [r.id for r in routed_rules.routing_rules]
    assert ids == ["chat-billing", "vip-first", "big-refund"]
    assert routed_rules.routing_rules[0].when == (
        ("category", ("billing_payment",)),
        ("channel", ("line",)),
    )


def test_override_applies_when_every_ticket_condition_holds(routed_rules: Rulebook) -> None:
    d = triage("I was charged twice", routed_rules)
    on_line = route(d, routed_rules, channel="LINE")
    assert on_line.priority == "P1"
    assert on_line.reasons == (
        "routing chat-billing: category=billing_payment, channel=line "
        "(LINE customers expect fast answers), priority P1",
    )
    by_email = route(d, routed_rules, channel="email")
    assert (by_email.priority, by_email.reasons) == ("P2", ())


def test_refund_over_compares_the_amount_in_the_policy_currency(routed_rules: Rulebook) -> None:
    big = route(triage("I want a refund of NT$2,500", routed_rules), routed_rules)
    small = route(triage("I want a refund of NT$1,500", routed_rules), routed_rules)
    foreign = route(triage("I want a refund of 2,500 USD", routed_rules), routed_rules)
    assert (big.tier, small.tier, foreign.tier) == ("L3", "L2", "L2")


@pytest.mark.rule("R-TIER-2")
def test_rule_on_a_customer_attribute_is_never_applied(routed_rules: Rulebook) -> None:
    d = triage("Where is my order?", routed_rules)
    r = route(d, routed_rules, channel="email", language="en")
    assert (r.tier, r.priority, r.reasons) == ("L1", "P3", ())


@pytest.mark.parametrize(
    ("when", "channel", "language", "applies"),
    [
        ((("signal", ("supervisor_request",)),), None, None, True),
        ((("signal", ("legal_threat", "media_mention")),), None, None, False),
        ((("priority", ("P3",)),), None, None, True),
        ((("language", ("zh-TW",)),), None, "zh-TW", True),
        ((("language", ("zh-TW",)),), None, "en", False),
        ((("channel", ("phone",)),), None, None, False),
        ((("category", ("general_complaint", "order_status")),), None, None, True),
    ],
)
def test_conditions_read_the_ticket_facts(
    rules: Rulebook,
    when: tuple[tuple[str, tuple[str, ...]], ...],
    channel: str | None,
    language: str | None,
    applies: bool,
) -> None:
    custom = with_rules(rules, RoutingRule("x", when, priority="P1"))
    d = triage("I want to speak to your manager", custom)
    r = route(d, custom, channel=channel, language=language)
    assert (r.priority == "P1") is applies


@pytest.mark.rule("R-ESC-4")
def test_override_cannot_take_a_ticket_below_its_escalation(rules: Rulebook) -> None:
    custom = with_rules(
        rules, RoutingRule("down", (("signal", ("legal_threat",)),), tier="L1", reason=LocalText())
    )
    r = route(triage("see you in court", custom), custom)
    assert r.tier == "L3"
    assert "(not L1: escalation)" in r.reasons[0]


@pytest.mark.rule("R-TIER-2")
def test_routing_and_triage_take_no_customer() -> None:
    for fn in (route, triage):
        params = set(inspect.signature(fn).parameters)
        assert not params & {"customer", "vip", "plan", "spend", "segment"}, fn.__name__
    assert set(TICKET_FACTS) == {"text", "contact_count", "channel", "language"}


TEXTS = st.sampled_from(
    [
        "I was charged twice and want a refund of NT$1,200",
        "叫你們主管出來！",
        "Where is my order?",
        "see you in court",
        "我的帳號被盜了",
        "hello",
        "The charger caught fire",
    ]
)
CUSTOMERS = st.fixed_dictionaries(
    {
        "vip": st.booleans(),
        "plan": st.sampled_from(["free", "pro", "enterprise"]),
        "spend": st.integers(min_value=0, max_value=10_000_000),
        "segment": st.sampled_from(["new", "loyal", "at_risk", "whale"]),
    }
)


@pytest.mark.rule("R-TIER-2")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=TEXTS | st.text(max_size=80),
    customer=CUSTOMERS,
    channel=st.sampled_from(["email", "line", "web", "phone"]),
    contacts=st.integers(min_value=1, max_value=5),
)
def test_customer_attributes_never_change_the_decision(
    routed_rules: Rulebook, text: str, customer: dict[str, object], channel: str, contacts: int
) -> None:
    facts = {"text": text, "channel": channel, "contact_count": contacts}
    baseline = triage_ticket(facts, routed_rules)
    # The customer as a nested record, and flattened into the ticket as importers might do.
    nested = triage_ticket({**facts, "customer": customer}, routed_rules)
    flat = triage_ticket({**customer, **facts}, routed_rules)
    assert nested == baseline
    assert flat == baseline


def test_ticket_record_with_bad_fields_is_refused_naming_the_field(rules: Rulebook) -> None:
    with pytest.raises(ValueError, match="'text'"):
        triage_ticket({"id": 1}, rules)
    with pytest.raises(ValueError, match="'contact_count'"):
        triage_ticket({"text": "hi", "contact_count": "3"}, rules)
    with pytest.raises(ValueError, match="'channel'"):
        triage_ticket({"text": "hi", "channel": 5}, rules)


def test_language_is_detected_when_the_ticket_does_not_say(rules: Rulebook) -> None:
    custom = with_rules(rules, RoutingRule("zh", (("language", ("zh-TW",)),), priority="P1"))
    assert triage_ticket({"text": "我的訂單到哪裡了？"}, custom).priority == "P1"
    assert triage_ticket({"text": "Where is my order?"}, custom).priority == "P3"
