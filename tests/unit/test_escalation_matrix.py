"""The seed 003 escalation decision matrix (R-ESC-6): who decides, by issue type and value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierdesk import policy
from tierdesk.domain.errors import CurrencyMismatchError, InvalidValueError, UnknownReferenceError
from tierdesk.domain.model import Money, Signal, money_text
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.triggers.matrix import level_from_signals, matrix_decision

SEED003 = Path(__file__).parents[1] / "data" / "policies" / "seed003.yaml"
RULES: Rulebook = policy.rulebook(SEED003)


@pytest.mark.rule("R-ESC-6")
@pytest.mark.parametrize(
    ("amount", "role"),
    [
        ("0", "agent_l1"),
        ("99.99", "agent_l1"),
        ("100", "team_lead"),
        ("499.99", "team_lead"),
        ("500", "supervisor"),
        ("999.99", "supervisor"),
        ("1000", "manager"),
        ("25000", "manager"),
    ],
)
def test_billing_dispute_bands_100_500_1000_decide_the_role(amount: str, role: str) -> None:
    decision = matrix_decision("billing_dispute", Money(Decimal(amount), "USD"), RULES)
    assert decision.role == role
    assert decision.band is not None and decision.band.role == role
    assert money_text(Decimal(amount), "USD") in decision.reason
    assert decision.reason.endswith(f"{role} decides")


@pytest.mark.rule("R-ESC-6")
@pytest.mark.parametrize(
    ("row", "level", "role"),
    [
        ("technical", "basic", "agent_l1"),
        ("technical", "moderate", "team_lead"),
        ("technical", "complex_recurring", "supervisor"),
        ("technical", "critical_outage", "manager"),
        ("service_complaint", "first_contact", "agent_l1"),
        ("service_complaint", "repeat", "team_lead"),
        ("service_complaint", "escalated", "supervisor"),
        ("service_complaint", "social_media", "manager"),
        ("legal", "refer", "agent_l1"),
        ("legal", "consult", "team_lead"),
        ("legal", "handle", "supervisor"),
        ("legal", "required", "manager"),
    ],
)
def test_severity_levels_decide_the_role(row: str, level: str, role: str) -> None:
    decision = matrix_decision(row, level, RULES)
    assert (decision.row, decision.level, decision.role) == (row, level, role)
    assert "R-ESC-6" in decision.reason


@pytest.mark.rule("R-ESC-6")
def test_a_bare_number_is_read_in_the_rows_currency() -> None:
    assert matrix_decision("billing_dispute", 250, RULES).role == "team_lead"
    assert matrix_decision("billing_dispute", Decimal("750"), RULES).role == "supervisor"


@pytest.mark.rule("R-ESC-6")
def test_money_in_another_currency_is_refused_not_converted() -> None:
    with pytest.raises(CurrencyMismatchError) as err:
        matrix_decision("billing_dispute", Money(Decimal(250), "TWD"), RULES)
    assert err.value.code == "currency_mismatch"
    assert err.value.data == {"what": "matrix row billing_dispute", "expected": "USD", "got": "TWD"}


def test_unknown_row_or_level_names_what_the_policy_defines() -> None:
    with pytest.raises(UnknownReferenceError) as row:
        matrix_decision("vip", "gold", RULES)
    assert row.value.data["known"] == ["billing_dispute", "technical", "service_complaint", "legal"]
    with pytest.raises(UnknownReferenceError) as level:
        matrix_decision("technical", "hard", RULES)
    assert "complex_recurring" in level.value.message


@pytest.mark.parametrize(
    ("row", "value"), [("billing_dispute", "moderate"), ("technical", 100), ("billing_dispute", -1)]
)
def test_wrong_kind_of_value_or_negative_amount_is_an_error(row: str, value: str | int) -> None:
    with pytest.raises(InvalidValueError) as err:
        matrix_decision(row, value, RULES)
    assert err.value.data["field"] == "amount_or_level"


@pytest.mark.rule("R-ESC-6")
@given(st.decimals(min_value=0, max_value=10**7, places=2))
def test_larger_disputes_are_never_decided_by_a_lower_role(amount: Decimal) -> None:
    ladder = RULES.authority.ladder
    here = matrix_decision("billing_dispute", amount, RULES).role
    more = matrix_decision("billing_dispute", amount + 100, RULES).role
    assert ladder.index(more) >= ladder.index(here)


@pytest.mark.rule("R-ESC-6")
def test_seed003_test_policy_checks_without_errors_or_warnings() -> None:
    findings = policy.check(policy.load(SEED003))
    assert [f"{f.path}: {f.message}" for f in findings] == []


FULL_SOP: Rulebook = policy.rulebook(preset="full-sop")


@pytest.mark.rule("R-ESC-6")
@pytest.mark.parametrize(
    ("signals", "level", "role"),
    [
        ((Signal.REPEAT_CONTACT,), "repeat", "team_lead"),
        ((Signal.SUPERVISOR_REQUEST,), "escalated", "supervisor"),
        ((Signal.MEDIA_MENTION,), "social_media", "manager"),
        # the most severe level wins when several signals are present
        ((Signal.MEDIA_MENTION, Signal.REPEAT_CONTACT), "social_media", "manager"),
    ],
)
def test_a_signal_puts_a_complaint_at_its_matrix_level(
    signals: tuple[Signal, ...], level: str, role: str
) -> None:
    found = level_from_signals("service_complaint", signals, FULL_SOP)
    assert found == level
    assert matrix_decision("service_complaint", level, FULL_SOP).role == role


def test_no_matching_signal_leaves_the_level_to_the_agent() -> None:
    assert level_from_signals("service_complaint", [Signal.REFUND_REQUEST], FULL_SOP) is None


def test_level_from_signals_names_an_unknown_row() -> None:
    with pytest.raises(UnknownReferenceError, match="nope"):
        level_from_signals("nope", [], FULL_SOP)
