"""Money amounts in customer messages: currencies, hints, and which amount is the refund."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tierdesk import policy
from tierdesk.domain.amounts import find_amounts, parse_number
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
        ("兩千元", [("2000", "TWD")]),
        ("新台幣一萬兩千元", [("12000", "TWD")]),
        ("三百五十塊", [("350", "TWD")]),
        ("NT$ 1萬2", [("12000", "TWD")]),
        ("台幣 2,000 元", [("2000", "TWD")]),  # prefix and suffix around one amount
        ("2.000 TWD", [("2000", "TWD")]),  # a TWD amount has no cents: "." groups thousands
        ("1.500 USD", [("1.5", "USD")]),  # a dollar amount may
        ("1.234.567 USD", [("1234567", "USD")]),
        ("1.234,56 EUR", [("1234.56", "EUR")]),
        ("１２，０００元", [("12000", "TWD")]),
        ("NTD 1,250", [("1250", "TWD")]),
        ("三千多元", [("3000", "TWD")]),
        ("退我兩千", [("2000", "TWD")]),  # a refund verb names the currency
        ("退款 1500", [("1500", "TWD")]),
        ("一塊蛋糕", []),  # 塊 counting pieces, not money
        ("萬一退款失敗", []),
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


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("兩千", "2000"),
        ("一萬兩千", "12000"),
        ("三百五十", "350"),
        ("1萬2", "12000"),
        ("1萬2500", "12500"),
        ("兩千五", "2500"),
        ("三百五", "350"),
        ("一百零五", "105"),
        ("十五", "15"),
        ("二十", "20"),
        ("1.2萬", "12000"),
        ("3k", "3000"),
        ("12,000", "12000"),
    ],
)
def test_numbers_as_taiwanese_customers_write_them(written: str, value: str) -> None:
    assert parse_number(written, "TWD") == Decimal(value)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("請幫我退款兩千元", "2000"),
        ("我要退 NT$ 2,000", "2000"),
        ("退款新台幣1500元", "1500"),
        ("I want a refund of 2.000 TWD", "2000"),
        ("退我三百五十塊就好", "350"),
    ],
)
@pytest.mark.rule("R-ESC-3")
def test_taiwanese_refund_amounts_raise_the_refund_signal_and_escalate(
    rules: Rulebook, text: str, amount: str
) -> None:
    d = triage(text, rules)
    assert d.refund is not None and d.refund.amount == Decimal(amount)
    assert d.refund.currency == "TWD"
    assert "refund_request" in d.signals
    assert ("L2" in d.escalate_to) == (Decimal(amount) > 500)
