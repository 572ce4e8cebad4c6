"""Authority (R-AUTH-1..3): who may grant a recovery action, and who approves beyond that."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierdesk import policy
from tierdesk.domain.authority import (
    Allowed,
    Denied,
    NeedsApproval,
    Verdict,
    may,
)
from tierdesk.domain.errors import (
    CurrencyMismatchError,
    InvalidValueError,
    UnknownReferenceError,
)
from tierdesk.domain.model import Money
from tierdesk.domain.rulebook import Rulebook

SEED003 = Path(__file__).parents[1] / "data" / "policies" / "seed003.yaml"
CS: Rulebook = policy.rulebook(preset="cs-sop")
S3: Rulebook = policy.rulebook(SEED003)
ROLES = ("agent_l1", "agent_l2", "team_lead", "supervisor", "manager")
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def outcome(v: Verdict) -> str:
    """`allowed`, `needs <role>` or `denied`: one string per verdict, for tables."""
    if isinstance(v, Allowed):
        return "allowed"
    return f"needs {v.by}" if isinstance(v, NeedsApproval) else "denied"


# --- R-AUTH-1: refunds under the threshold are L1's ---------------------------------------------


@pytest.mark.rule("R-AUTH-1")
@pytest.mark.parametrize(
    ("amount", "expected"),
    [("1", "allowed"), ("499", "allowed"), ("500", "allowed"), ("501", "needs agent_l2")],
)
def test_l1_grants_refunds_up_to_nt500_alone(amount: str, expected: str) -> None:
    verdict = may("agent_l1", "refund", Money(Decimal(amount), "TWD"), CS)
    assert outcome(verdict) == expected
    assert verdict.reason


@pytest.mark.rule("R-AUTH-1")
def test_refund_above_l1_names_the_lowest_role_that_may_and_why() -> None:
    verdict = may("agent_l1", "refund", Money(Decimal(5000), "TWD"), CS)
    assert isinstance(verdict, NeedsApproval)
    assert verdict.by == "team_lead"  # L2 may grant up to NT$3,000, the team lead NT$10,000
    assert "NT$5,000" in verdict.reason
    assert "up to NT$500" in verdict.reason


@pytest.mark.rule("R-AUTH-1")
def test_refund_in_another_currency_is_refused_with_a_coded_error() -> None:
    with pytest.raises(CurrencyMismatchError) as err:
        may("agent_l1", "refund", usd("10"), CS)
    assert err.value.code == "currency_mismatch"
    assert err.value.data["expected"] == "TWD"


def test_a_bare_number_means_the_actions_currency() -> None:
    assert isinstance(may("agent_l1", "refund", 500, CS), Allowed)
    assert isinstance(may("agent_l1", "refund", Decimal(501), CS), NeedsApproval)


# --- R-AUTH-2: seed 003 recovery actions by role --------------------------------------------------


@pytest.mark.rule("R-AUTH-2")
@pytest.mark.parametrize(
    ("action", "amount", "expected"),
    [
        # Sincere apology and expedited shipping: everyone.
        ("apology", None, ["allowed"] * 5),
        ("expedited_shipping", None, ["allowed"] * 5),
        # Discount up to 15%: team lead and up; 15-25%: supervisor.
        ("discount", "10", ["needs team_lead"] * 2 + ["allowed"] * 3),
        ("discount", "15", ["needs team_lead"] * 2 + ["allowed"] * 3),
        ("discount", "20", ["needs supervisor"] * 3 + ["allowed"] * 2),
        ("discount", "25", ["needs supervisor"] * 3 + ["allowed"] * 2),
        ("discount", "30", ["denied"] * 5),
        # Full refund: supervisor.
        ("full_refund", None, ["needs supervisor"] * 3 + ["allowed"] * 2),
        # Complimentary product/service: team lead up to $50, supervisor up to $200.
        ("complimentary", usd("50"), ["needs team_lead"] * 2 + ["allowed"] * 3),
        ("complimentary", usd("50.01"), ["needs supervisor"] * 3 + ["allowed"] * 2),
        ("complimentary", usd("200"), ["needs supervisor"] * 3 + ["allowed"] * 2),
        ("complimentary", usd("201"), ["needs manager"] * 4 + ["allowed"]),
        # Refunds by the billing-dispute bands: $100 / $500 / $1,000.
        ("refund", usd("100"), ["allowed"] * 5),
        ("refund", usd("101"), ["needs agent_l2"] + ["allowed"] * 4),
        ("refund", usd("501"), ["needs supervisor"] * 3 + ["allowed"] * 2),
        ("refund", usd("1000"), ["needs supervisor"] * 3 + ["allowed"] * 2),
        ("refund", usd("1000.01"), ["needs manager"] * 4 + ["allowed"]),
    ],
)
def test_seed_003_recovery_actions_by_role(
    action: str, amount: Money | str | None, expected: list[str]
) -> None:
    assert [outcome(may(role, action, amount, S3)) for role in ROLES] == expected


@pytest.mark.rule("R-AUTH-2")
def test_nobody_on_the_ladder_may_means_denied_with_a_reason() -> None:
    verdict = may("supervisor", "discount", "30", S3)
    assert isinstance(verdict, Denied)
    assert "30%" in verdict.reason


@pytest.mark.rule("R-AUTH-2")
def test_approver_comes_from_the_policy_ladder_not_the_seed() -> None:
    refund = S3.authority.action("refund")
    assert refund is not None
    generous = dataclasses.replace(
        S3,
        authority=dataclasses.replace(
            S3.authority,
            actions=tuple(
                dataclasses.replace(a, limits=(*a.limits, ("agent_l2", Decimal(1000))))
                if a.action == "refund"
                else a
                for a in S3.authority.actions
            ),
        ),
    )
    assert outcome(may("agent_l1", "refund", usd("900"), S3)) == "needs supervisor"
    assert outcome(may("agent_l1", "refund", usd("900"), generous)) == "needs agent_l2"


@pytest.mark.rule("R-AUTH-2")
@given(
    role=st.sampled_from(ROLES),
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5000), places=2),
)
def test_a_role_allowed_an_amount_is_allowed_every_smaller_one(role: str, amount: Decimal) -> None:
    if isinstance(may(role, "complimentary", usd(str(amount)), S3), Allowed):
        assert isinstance(may(role, "complimentary", usd(str(amount / 2)), S3), Allowed)
    else:
        verdict = may(role, "complimentary", usd(str(amount)), S3)
        assert isinstance(verdict, NeedsApproval)
        assert ROLES.index(verdict.by) > ROLES.index(role)
        assert isinstance(may(verdict.by, "complimentary", usd(str(amount)), S3), Allowed)


@pytest.mark.parametrize(
    ("action", "amount", "field_error"),
    [
        ("discount", None, "needs an amount"),
        ("discount", "0", "positive"),
        ("discount", "-5", "positive"),
        ("discount", "120", "at most 100"),
        ("discount", "lots", "not a number"),
        ("discount", usd("5"), "percentage, not money"),
        ("apology", "5", "yes/no"),
        ("refund", True, "yes/no value"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(
    action: str, amount: object, field_error: str
) -> None:
    with pytest.raises(InvalidValueError) as err:
        may("supervisor", action, amount, S3)  # type: ignore[arg-type]
    assert err.value.data["field"] == "amount"
    assert field_error in err.value.message


def test_unknown_role_or_action_lists_what_the_policy_knows() -> None:
    with pytest.raises(UnknownReferenceError) as role:
        may("intern", "refund", usd("1"), S3)
    assert role.value.data["known"] == list(ROLES)
    with pytest.raises(UnknownReferenceError) as action:
        may("manager", "free_car", None, S3)
    assert "complimentary" in action.value.data["known"]


# --- R-AUTH-3: exceptions are never granted alone -------------------------------


@pytest.mark.rule("R-AUTH-3")
@pytest.mark.parametrize("role", ROLES)
def test_an_exception_is_never_granted_alone(role: str) -> None:
    verdict = may(role, "exception", None, S3)
    assert isinstance(verdict, NeedsApproval)
    assert ROLES.index(verdict.by) >= max(ROLES.index(role), ROLES.index("supervisor"))
    assert "named approver" in verdict.reason
