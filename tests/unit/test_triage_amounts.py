"""Money amounts in customer messages: currencies, hints, and which amount is the refund."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tierdesk import policy
from tierdesk.domain.amounts import find_amounts
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.signals import normalize
from tierdesk.domain.triage import triage


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return policy.rulebook(preset="cs-sop")


def amounts(text: str, default: str = "TWD") -> list[tuple[Decimal, str]]:
    return [(a.money.amount, a.money.currency) for a in find_amounts(normalize(text).text, default)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$250", [("250", "TWD")]),
        ("NT$1,200", [("1200", "TWD")]),
        ("NT$ 1,200", [("1200", "TWD")]),
        ("3500 TWD", [("3500", "TWD")]),
        ("49.99 USD", [("49.99", "USD")]),
        ("新台幣1,500元", [("1500", "TWD")]),
        ("新臺幣800元", [("800", "TWD")]),
        ("2300元", [("2300", "TWD")]),
        ("US$30", [("30", "USD")]),
        ("€20", [("20", "EUR")]),
        ("1,200塊", [("1200", "TWD")]),
        ("30美金", [("30", "USD")]),
        ("1.2萬元", [("12000", "TWD")]),
        ("100 euros", [("100", "EUR")]),
        ("＄３００", [("300", "TWD")]),  # full-width, as typed on a phone
        ("退款，1,200塊", [("1200", "TWD")]),  # a full-width comma before the number
        ("$30 USD", [("30", "USD")]),
        ("order 12345, 2024年, 3 items", []),  # numbers without a currency are no amounts
        ("I want 500 back", []),
        ("paid $10 and then NT$20", [("10", "TWD"), ("20", "TWD")]),
    ],
)
def test_amount_with_its_currency(text: str, expected: list[tuple[str, str]]) -> None:
    assert amounts(text) == [(Decimal(a), c) for a, c in expected]


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("I paid $30", "TWD", "TWD"),  # no hint: the policy's currency
        ("I paid $30", "USD", "USD"),
        ("I paid $30 in USD", "TWD", "USD"),  # a hint elsewhere in the text wins
        ("I paid $30, that is 30美金", "TWD", "USD"),
        ("I paid 30 dollars (USD)", "TWD", "USD"),
        ("plus$30", "TWD", "TWD"),  # "us$" inside a word is no hint
        ("$30 and €20", "TWD", "TWD"),  # two other currencies: no single hint, policy default
    ],
)
def test_bare_dollar_follows_a_hint_else_the_policy_currency(
    text: str, default: str, expected: str
) -> None:
    assert amounts(text, default)[0][1] == expected


def test_bare_yuan_means_new_taiwan_dollars_whatever_the_policy_currency() -> None:
    assert amounts("退我2300元", "USD") == [(Decimal(2300), "TWD")]


def test_amounts_are_decimal_never_float() -> None:
    (found,) = find_amounts(normalize("49.99 USD").text, "TWD")
    assert isinstance(found.money.amount, Decimal)
    assert found.money.amount == Decimal("49.99")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please refund me $250 for the broken lamp.", ("250", "TWD")),
        ("I paid NT$1,200 for two, refund NT$600 for the broken one", ("600", "TWD")),
        ("I want to return this jacket, it was NT$2,400.", ("2400", "TWD")),  # return category
        ("被收了兩次費用，請退我NT$890。", ("890", "TWD")),
    ],
)
def test_refund_is_the_amount_tied_to_the_refund(
    rules: Rulebook, text: str, expected: tuple[str, str]
) -> None:
    refund = triage(text, rules).refund
    assert refund is not None
    assert (refund.amount, refund.currency) == (Decimal(expected[0]), expected[1])


@pytest.mark.parametrize(
    "text",
    [
        "The shirt cost $25, does it come in blue?",
        "There's an unauthorized transaction of $89 on my statement.",
        "What is your refund policy for orders over $100?",
        "這件外套990元，請問有M號嗎？",
    ],
)
def test_amount_not_about_a_refund_is_no_refund(rules: Rulebook, text: str) -> None:
    assert triage(text, rules).refund is None
