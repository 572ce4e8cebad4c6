"""A tier's own calendar (R-ESC-1): the L1 time box counts the time the tier worked the ticket on
the tier's calendar (`tiers.<id>.calendar`, default the policy's business calendar), whatever
clock the ticket's priority runs on; the checker refuses a calendar the policy does not define
and the printed SOP says which calendar each tier works on."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from tierdesk import policy, sop
from tierdesk.domain.escalation import evaluate
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.ticket import Ticket
from tierdesk.policy.compile import compile_policy
from tierdesk.policy.loader import load_text

MIN = timedelta(minutes=1)
FRIDAY_2000 = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # Friday 20:00 in Taipei
MONDAY_0914 = datetime(2026, 3, 9, 1, 14, tzinfo=UTC)


def _source(l1_calendar: str | None) -> str:
    text = policy.preset_path("cs-sop").read_text(encoding="utf-8")
    if l1_calendar is None:
        return text
    marker = "    team_size: 6\n"
    assert marker in text
    return text.replace(marker, marker + f"    calendar: {l1_calendar}\n", 1)


def _rules(l1_calendar: str | None) -> Rulebook:
    loaded = load_text(_source(l1_calendar), "tiers.yaml")
    assert [f for f in policy.check(loaded) if f.severity == "error"] == []
    return compile_policy(loaded.policy)


def _ticket(priority: str, category: str, taken: datetime) -> Ticket:
    return Ticket(
        id="T-1",
        category=category,
        priority=priority,
        tier="L1",
        status="open",
        created_at=taken,
        tier_entered_at=taken,
        tier_taken_at=taken,
        customer_name="Amy",
    )


def _time_box(rules: Rulebook, t: Ticket, now: datetime) -> bool:
    return any(e.rule_id == "R-ESC-1" for e in evaluate(t, [], now, rules))


@pytest.mark.rule("R-ESC-1")
def test_a_tier_without_a_calendar_works_on_the_policys_business_calendar() -> None:
    rules = _rules(None)
    assert {t.id: t.calendar for t in rules.tiers} == {
        "L1": "business",
        "L2": "business",
        "L3": "business",
    }
    # A P1 on the 24x7 clock, taken by L1 on Friday night: the time box waits for L1's hours.
    night = _ticket("P1", "order_status", FRIDAY_2000)
    assert not _time_box(rules, night, FRIDAY_2000 + 60 * MIN)
    assert not _time_box(rules, night, MONDAY_0914)
    assert _time_box(rules, night, MONDAY_0914 + MIN)


@pytest.mark.rule("R-ESC-1")
def test_a_tier_on_a_24x7_calendar_is_timed_at_night_whatever_the_priority_clock() -> None:
    rules = _rules("24x7")
    assert next(t for t in rules.tiers if t.id == "L1").calendar == "24x7"
    friday = _ticket("P3", "order_status", FRIDAY_2000)  # P3 runs on business hours
    assert not _time_box(rules, friday, FRIDAY_2000 + 14 * MIN)
    [esc] = [
        e for e in evaluate(friday, [], FRIDAY_2000 + 15 * MIN, rules) if e.rule_id == "R-ESC-1"
    ]
    assert esc.triggered_at == FRIDAY_2000 + 15 * MIN
    assert "15 minutes of 24x7 time on the 24x7 calendar (the L1 tier's)" in esc.reason
    assert "taken at 2026-03-06 20:00 (Asia/Taipei)" in esc.reason
    assert "reached at 2026-03-06 20:15 (Asia/Taipei)" in esc.reason


@pytest.mark.rule("R-ESC-1")
def test_the_time_box_pauses_while_waiting_on_the_customer_on_the_tiers_calendar() -> None:
    rules = _rules("24x7")
    t = dataclasses.replace(
        _ticket("P3", "order_status", FRIDAY_2000),
        tier_pauses=((FRIDAY_2000 + 5 * MIN, FRIDAY_2000 + 65 * MIN),),
    )
    assert not _time_box(rules, t, FRIDAY_2000 + 74 * MIN)
    [esc] = [e for e in evaluate(t, [], FRIDAY_2000 + 75 * MIN, rules) if e.rule_id == "R-ESC-1"]
    assert "not counting 1 hour waiting on the customer" in esc.reason


@pytest.mark.rule("R-ESC-1")
def test_the_checker_refuses_a_tier_calendar_the_policy_does_not_define() -> None:
    loaded = load_text(_source("night_shift"), "tiers.yaml")
    [bad] = [f for f in policy.check(loaded) if f.severity == "error"]
    assert bad.path == "tiers.L1.calendar"
    assert "'night_shift' is not a calendar" in bad.message and "24x7" in bad.message
    assert bad.line == _source("night_shift").splitlines().index("    calendar: night_shift") + 1


@pytest.mark.rule("R-ESC-1")
@pytest.mark.rule("R-DOC-1")
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_printed_sop_says_which_calendar_each_tier_works_on(lang: str) -> None:
    default = sop.render(load_text(_source(None), "a.yaml"), fmt="md", lang=lang)
    own = sop.render(load_text(_source("24x7"), "b.yaml"), fmt="md", lang=lang)
    assert isinstance(default, str) and isinstance(own, str)
    hours = "Tier Hours" if lang == "en" else "各層級工作時間"
    assert hours in default and default != own
    rows = [line for line in own.splitlines() if line.startswith("| L1")]
    assert any("| 24x7 |" in row for row in rows)
    assert not any("| 24x7 |" in row for row in default.splitlines() if row.startswith("| L1"))
