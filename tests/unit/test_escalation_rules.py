"""Escalation rules R-ESC-1..5 and R-ESC-7 on the cs-sop preset and the seed 003 test policy.

The numbers in these tests are the seeds' own (15 minutes, 5 minutes, NT$500, the third
contact); the engine reads them from the policy, so a test here fails if it ever hard-codes one.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tierdesk import policy
from tierdesk.domain.errors import NaiveDatetimeError
from tierdesk.domain.escalation import Escalation, evaluate
from tierdesk.domain.model import Money, Signal
from tierdesk.domain.rulebook import Rulebook, Timeline
from tierdesk.domain.ticket import Entry, EntryKind, Ticket

SEED003 = Path(__file__).parents[1] / "data" / "policies" / "seed003.yaml"
# Monday 2026-03-02 10:00 in Taipei: inside business hours, no holiday that week.
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.fixture(scope="module")
def cs() -> Rulebook:
    return policy.rulebook(preset="cs-sop")


@pytest.fixture(scope="module")
def s3() -> Rulebook:
    return policy.rulebook(SEED003)


def ticket(**changes: Any) -> Ticket:
    base = Ticket(
        id="T-1",
        category="order_status",
        priority="P3",
        tier="L1",
        status="open",
        created_at=T0,
        tier_entered_at=T0,
        tier_taken_at=T0,
        customer_name="Amy",
    )
    return dataclasses.replace(base, **changes)


def customer(minutes: float, text: str, *signals: Signal) -> Entry:
    return Entry(T0 + minutes * MIN, EntryKind.CUSTOMER_MESSAGE, text, "customer", signals=signals)


def by_rule(escalations: list[Escalation]) -> dict[str, Escalation]:
    return {e.rule_id: e for e in escalations}


# --- R-ESC-1: time in tier --------------------------------------------------------------------


@pytest.mark.rule("R-ESC-1")
@pytest.mark.parametrize(
    ("minutes", "due"), [(14, False), (14.99, False), (15, True), (16, True), (90, True)]
)
def test_l1_ticket_escalates_to_l2_once_15_minutes_in_tier_are_used(
    cs: Rulebook, minutes: float, due: bool
) -> None:
    found = by_rule(evaluate(ticket(), [], T0 + minutes * MIN, cs))
    assert ("R-ESC-1" in found) is due
    if due:
        esc = found["R-ESC-1"]
        assert esc.targets == ("L2",)
        assert esc.to_tier == "L2"
        assert esc.handoff == "warm"
        assert esc.timeline == "immediate"
        assert esc.triggered_at == T0 + 15 * MIN
        assert esc.deadline == T0 + 15 * MIN  # immediate: late from the moment it is due
        assert "15 min" in esc.reason


@pytest.mark.rule("R-ESC-1")
def test_time_in_tier_counts_from_tier_entry_not_ticket_creation(cs: Rulebook) -> None:
    moved = ticket(tier_entered_at=T0 + 30 * MIN, tier_taken_at=T0 + 30 * MIN)
    assert "R-ESC-1" not in by_rule(evaluate(moved, [], T0 + 40 * MIN, cs))
    assert "R-ESC-1" in by_rule(evaluate(moved, [], T0 + 45 * MIN, cs))


@pytest.mark.rule("R-ESC-1")
def test_time_waiting_on_the_customer_does_not_count_toward_time_in_tier(cs: Rulebook) -> None:
    waited = ticket(tier_pauses=((T0 + 2 * MIN, T0 + 12 * MIN),))
    assert "R-ESC-1" not in by_rule(evaluate(waited, [], T0 + 20 * MIN, cs))
    esc = by_rule(evaluate(waited, [], T0 + 25 * MIN, cs))["R-ESC-1"]
    assert esc.triggered_at == T0 + 25 * MIN


@pytest.mark.rule("R-ESC-1")
def test_time_in_the_queue_is_not_the_time_box(cs: Rulebook) -> None:
    queued = ticket(tier_taken_at=None)
    assert "R-ESC-1" not in by_rule(evaluate(queued, [], T0 + 8 * 60 * MIN, cs))
    taken = ticket(tier_taken_at=T0 + 60 * MIN)
    assert "R-ESC-1" not in by_rule(evaluate(taken, [], T0 + 74 * MIN, cs))
    esc = by_rule(evaluate(taken, [], T0 + 75 * MIN, cs))["R-ESC-1"]
    assert esc.triggered_at == T0 + 75 * MIN
    assert "since it was taken at 2026-03-02 11:00 (Asia/Taipei)" in esc.reason


@pytest.mark.rule("R-ESC-1")
def test_the_time_box_runs_on_the_tiers_business_calendar(cs: Rulebook) -> None:
    friday_evening = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # Friday 20:00 in Taipei
    late = ticket(created_at=friday_evening, tier_entered_at=friday_evening)
    late = dataclasses.replace(late, tier_taken_at=friday_evening + 5 * MIN)
    assert "R-ESC-1" not in by_rule(evaluate(late, [], friday_evening + 20 * MIN, cs))
    monday_0914 = datetime(2026, 3, 9, 1, 14, tzinfo=UTC)
    assert "R-ESC-1" not in by_rule(evaluate(late, [], monday_0914, cs))
    esc = by_rule(evaluate(late, [], monday_0914 + MIN, cs))["R-ESC-1"]
    assert esc.triggered_at == monday_0914 + MIN
    assert "15 minutes of business time on the business calendar (the L1 tier's)" in esc.reason
    assert "reached at 2026-03-09 09:15 (Asia/Taipei)" in esc.reason


@pytest.mark.rule("R-ESC-1")
def test_ticket_pending_on_the_customer_does_not_escalate_for_time(cs: Rulebook) -> None:
    pending = ticket(status="pending_customer")
    assert pending.pending_on_customer
    assert "R-ESC-1" not in by_rule(evaluate(pending, [], T0 + 60 * MIN, cs))


@pytest.mark.rule("R-ESC-1")
def test_time_in_tier_applies_only_to_the_tier_the_rule_times(cs: Rulebook) -> None:
    at_l2 = ticket(tier="L2", category="technical_issue")
    assert "R-ESC-1" not in by_rule(evaluate(at_l2, [], T0 + 60 * MIN, cs))


@pytest.mark.parametrize("status", ["resolved", "closed", "merged"])
def test_ticket_that_is_no_longer_active_escalates_no_further(cs: Rulebook, status: str) -> None:
    done = ticket(status=status, signals=(Signal.LEGAL_THREAT,), contact_count=5)
    assert evaluate(done, [], T0 + 60 * MIN, cs) == []


def test_rule_already_raised_is_not_raised_twice(cs: Rulebook) -> None:
    now = T0 + 20 * MIN
    first = ticket(signals=(Signal.SUPERVISOR_REQUEST,))
    raised = {e.rule_id for e in evaluate(first, [], now, cs)}
    assert raised == {"R-ESC-1", "R-ESC-2"}
    again = dataclasses.replace(first, raised=frozenset(raised))
    assert evaluate(again, [], now, cs) == []


# --- R-ESC-2: supervisor request ----------------------------------------------------------------


@pytest.mark.rule("R-ESC-2")
def test_supervisor_request_goes_to_l2_and_team_lead_within_5_minutes_of_the_message(
    cs: Rulebook,
) -> None:
    history = [
        customer(0, "Where is my order?"),
        customer(7, "I want to speak to your manager", Signal.SUPERVISOR_REQUEST),
    ]
    esc = by_rule(evaluate(ticket(), history, T0 + 8 * MIN, cs))["R-ESC-2"]
    assert esc.targets == ("L2", "team_lead")
    assert esc.timeline == "within"
    assert esc.triggered_at == T0 + 7 * MIN
    assert esc.deadline == T0 + 12 * MIN
    assert "supervisor_request" in esc.reason


@pytest.mark.rule("R-ESC-2")
def test_supervisor_request_found_at_intake_counts_from_ticket_creation(cs: Rulebook) -> None:
    esc = by_rule(evaluate(ticket(signals=(Signal.SUPERVISOR_REQUEST,)), [], T0, cs))["R-ESC-2"]
    assert esc.deadline == T0 + 5 * MIN
    assert "at intake" in esc.reason


@pytest.mark.rule("R-ESC-2")
def test_a_message_after_now_is_not_read(cs: Rulebook) -> None:
    later = [customer(30, "get me a supervisor", Signal.SUPERVISOR_REQUEST)]
    assert "R-ESC-2" not in by_rule(evaluate(ticket(), later, T0 + 10 * MIN, cs))


# --- R-ESC-3: refund above L1 authority ---------------------------------------------------------


@pytest.mark.rule("R-ESC-3")
@pytest.mark.parametrize(
    ("amount", "due"), [("100", False), ("500", False), ("500.01", True), ("2000", True)]
)
def test_refund_above_nt500_needs_l2_in_the_same_interaction(
    cs: Rulebook, amount: str, due: bool
) -> None:
    t = ticket(category="returns_refunds", refund=Money(Decimal(amount), "TWD"))
    found = by_rule(evaluate(t, [], T0 + MIN, cs))
    assert ("R-ESC-3" in found) is due
    if due:
        esc = found["R-ESC-3"]
        assert esc.targets == ("L2",)
        assert esc.timeline == "same_interaction"
        assert esc.deadline == T0  # the interaction in which the refund was asked for
        assert "NT$500" in esc.reason


@pytest.mark.rule("R-ESC-3")
def test_refund_in_another_currency_escalates_saying_it_could_not_be_compared(
    cs: Rulebook,
) -> None:
    t = ticket(refund=Money(Decimal(10), "USD"))
    esc = by_rule(evaluate(t, [], T0, cs))["R-ESC-3"]
    assert "could not be compared" in esc.reason
    assert "$10 could not be compared" in esc.reason


@pytest.mark.rule("R-ESC-3")
def test_refund_limit_is_read_from_the_policy_not_the_seed(s3: Rulebook) -> None:
    within = ticket(refund=Money(Decimal(100), "USD"))
    above = ticket(refund=Money(Decimal("100.50"), "USD"))
    assert "R-ESC-3" not in by_rule(evaluate(within, [], T0, s3))
    assert "R-ESC-3" in by_rule(evaluate(above, [], T0, s3))


@pytest.mark.rule("R-ESC-3")
def test_refund_on_a_ticket_already_at_l2_has_nobody_to_escalate_to(cs: Rulebook) -> None:
    t = ticket(tier="L2", category="billing_payment", refund=Money(Decimal(900), "TWD"))
    assert "R-ESC-3" not in by_rule(evaluate(t, [], T0, cs))


# --- R-ESC-4: legal threat or media mention -----------------------------------------------------


@pytest.mark.rule("R-ESC-4")
@pytest.mark.parametrize("signal", [Signal.LEGAL_THREAT, Signal.MEDIA_MENTION])
def test_legal_or_media_goes_to_l3_legal_and_pr_at_once_in_one_escalation(
    cs: Rulebook, signal: Signal
) -> None:
    history = [customer(3, "...", signal)]
    found = evaluate(ticket(), history, T0 + 4 * MIN, cs)
    legal = [e for e in found if e.rule_id == "R-ESC-4"]
    assert len(legal) == 1
    assert legal[0].targets == ("L3", "legal", "pr")
    assert legal[0].to_tier == "L3"
    assert legal[0].deadline == T0 + 3 * MIN
    assert signal.value in legal[0].reason


@pytest.mark.rule("R-ESC-4")
def test_legal_threat_on_an_l3_ticket_still_brings_in_legal_and_pr(cs: Rulebook) -> None:
    t = ticket(tier="L3", category="legal_compliance", signals=(Signal.LEGAL_THREAT,))
    esc = by_rule(evaluate(t, [], T0, cs))["R-ESC-4"]
    assert esc.to_tier == "L3"


# --- R-ESC-5: third contact on the same issue ---------------------------------------------------


@pytest.mark.rule("R-ESC-5")
@pytest.mark.parametrize(("contacts", "due"), [(1, False), (2, False), (3, True), (4, True)])
def test_third_contact_on_the_same_issue_goes_to_l2_and_investigation(
    cs: Rulebook, contacts: int, due: bool
) -> None:
    found = by_rule(evaluate(ticket(contact_count=contacts), [], T0 + MIN, cs))
    assert ("R-ESC-5" in found) is due
    if due:
        assert found["R-ESC-5"].targets == ("L2", "investigation")
        assert found["R-ESC-5"].timeline == "after_contact"


@pytest.mark.rule("R-ESC-5")
def test_repeat_contact_deadline_is_the_time_of_the_third_contact(cs: Rulebook) -> None:
    times = (T0, T0 + timedelta(days=1), T0 + timedelta(days=2), T0 + timedelta(days=3))
    t = ticket(contact_count=4, contacts_at=times)
    esc = by_rule(evaluate(t, [], T0 + timedelta(days=3, minutes=1), cs))["R-ESC-5"]
    assert esc.triggered_at == esc.deadline == times[2]


# --- R-ESC-7: every escalation tells the customer, with the expected resolution time ------------


@pytest.mark.rule("R-ESC-7")
def test_every_escalation_carries_a_customer_notice_from_the_policy_template(
    cs: Rulebook,
) -> None:
    t = ticket(
        signals=(Signal.SUPERVISOR_REQUEST, Signal.LEGAL_THREAT),
        refund=Money(Decimal(900), "TWD"),
        contact_count=3,
    )
    found = evaluate(t, [], T0 + 20 * MIN, cs)
    assert {e.rule_id for e in found} == {f"R-ESC-{n}" for n in range(1, 6)}
    for esc in found:
        assert esc.customer_notice.startswith("Hi Amy, your request T-1 has been passed")
        assert "{" not in esc.customer_notice
        assert "Expected resolution:" in esc.customer_notice


@pytest.mark.rule("R-ESC-7")
def test_notice_gives_the_target_tiers_resolution_time_from_now_on_a_24x7_clock(
    cs: Rulebook,
) -> None:
    # P1 runs on the 24x7 clock: L3's 72 h target from now is exactly 72 hours later.
    t = ticket(priority="P1", category="service_outage", signals=(Signal.MEDIA_MENTION,))
    now = T0 + 2 * MIN
    esc = by_rule(evaluate(t, [], now, cs))["R-ESC-4"]
    assert esc.expected_resolution_by == now + timedelta(hours=72)
    assert "2026-03-05 10:02 (Asia/Taipei)" in esc.customer_notice
    assert "Expert, Legal, PR" in esc.customer_notice


@pytest.mark.rule("R-ESC-7")
def test_notice_counts_business_hours_on_a_business_clock(cs: Rulebook) -> None:
    # P3 runs on Taipei business hours (8 h a day): L2's 24 h are three working days.
    now = T0 + 16 * MIN  # Monday 10:16
    esc = by_rule(evaluate(ticket(), [], now, cs))["R-ESC-1"]
    assert esc.expected_resolution_by == datetime(
        2026, 3, 5, 10, 16, tzinfo=timezone(timedelta(hours=8))
    )


@pytest.mark.rule("R-ESC-7")
def test_notice_is_written_in_the_customers_language(cs: Rulebook) -> None:
    t = ticket(language="zh-TW", customer_name="王小明", signals=(Signal.LEGAL_THREAT,))
    esc = by_rule(evaluate(t, [], T0, cs))["R-ESC-4"]
    assert esc.customer_notice.startswith("王小明 您好")
    assert "專家、法務、公關" in esc.customer_notice
    assert dict(esc.notice_values)["expected_resolution"] in esc.customer_notice


@pytest.mark.rule("R-ESC-7")
def test_policy_without_a_notice_template_gives_an_empty_notice(cs: Rulebook) -> None:
    bare = dataclasses.replace(
        cs,
        customer_notice=None,
        templates=tuple(t for t in cs.templates if t.use != "escalation_notice"),
    )
    esc = by_rule(evaluate(ticket(signals=(Signal.LEGAL_THREAT,)), [], T0, bare))["R-ESC-4"]
    assert esc.customer_notice == ""


# --- reading the rules, not the seeds -----------------------------------------------------------


def test_changed_limits_in_the_policy_change_the_engine(cs: Rulebook) -> None:
    slower = dataclasses.replace(
        cs,
        escalation_rules=tuple(
            dataclasses.replace(r, over=30 * MIN)
            if r.trigger == "time_in_tier"
            else dataclasses.replace(r, timeline=Timeline("within", within=10 * MIN))
            if r.id == "R-ESC-2"
            else r
            for r in cs.escalation_rules
        ),
    )
    t = ticket(signals=(Signal.SUPERVISOR_REQUEST,))
    found = by_rule(evaluate(t, [], T0 + 20 * MIN, slower))
    assert "R-ESC-1" not in found
    assert found["R-ESC-2"].deadline == T0 + 10 * MIN


def test_handoff_kind_comes_from_the_rule(cs: Rulebook) -> None:
    cold = dataclasses.replace(
        cs,
        escalation_rules=tuple(dataclasses.replace(r, handoff="cold") for r in cs.escalation_rules),
    )
    assert by_rule(evaluate(ticket(), [], T0 + 15 * MIN, cold))["R-ESC-1"].handoff == "cold"


def test_naive_now_is_refused_with_a_coded_error(cs: Rulebook) -> None:
    with pytest.raises(NaiveDatetimeError) as err:
        evaluate(ticket(), [], datetime(2026, 3, 2, 10, 0), cs)  # noqa: DTZ001
    assert err.value.code == "naive_datetime"
    assert err.value.data["field"] == "now"
