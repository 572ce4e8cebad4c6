"""SLA clocks (R-SLA-2): pauses, warnings, breaches by how much, next-reply cycles.

The rules are the cs-sop preset with a business calendar of Mon-Fri 09:00-12:00, 13:00-18:00
Asia/Taipei (no holidays, so the arithmetic is visible) and one test priority:
first response 1 h, next reply 2 h, resolution 8 h, warning at 80%.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tierdesk import policy
from tierdesk.domain.model import LocalText
from tierdesk.domain.rulebook import CalendarSpec, PriorityLevel, Rulebook
from tierdesk.domain.sla import (
    ClockEvent,
    ClockStatus,
    UnknownPriorityError,
    due_times,
    ticket_clocks,
)

TZ = ZoneInfo("Asia/Taipei")
H = timedelta(hours=1)
M = timedelta(minutes=1)
HOURS = ((time(9), time(12)), (time(13), time(18)))


def level(pid: str, resolution: timedelta | None = 8 * H) -> PriorityLevel:
    return PriorityLevel(
        id=pid,
        name=LocalText((("en", "Test"),)),
        clock="office",
        first_response=H,
        next_reply=2 * H,
        resolution=resolution,
        warn_at=0.8,
        notify=(),
        rank=int(pid[1:]),
    )


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    office = CalendarSpec(name="office", timezone="Asia/Taipei", weekly=(HOURS,) * 5 + ((), ()))
    base = policy.rulebook(preset="cs-sop")
    return replace(base, calendars=(office,), priorities=(level("P1"), level("P2", None)))


def t(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in the week of Monday 2 March 2026, Taipei."""
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


CREATED = t(2, 9)  # Monday 09:00


def clocks(rules: Rulebook, now: datetime, *events: ClockEvent) -> dict[str, ClockStatus]:
    return ticket_clocks("P1", CREATED, events, now, rules)


def first_reply(at: datetime) -> ClockEvent:
    return ClockEvent("stop", at, "first_response")


def customer_message(at: datetime) -> ClockEvent:
    return ClockEvent("start", at, "next_reply")


def agent_reply(at: datetime) -> ClockEvent:
    return ClockEvent("stop", at, "next_reply")


# --- first response: running, warning, breach, met ---------------------------------------------


@pytest.mark.rule("R-SLA-2")
def test_running_clock_reports_elapsed_remaining_and_due(rules: Rulebook) -> None:
    fr = clocks(rules, t(2, 9, 30))["first_response"]
    assert (fr.state, fr.elapsed, fr.remaining) == ("running", 30 * M, 30 * M)
    assert fr.due_at == t(2, 10)
    assert fr.breached_by is None


@pytest.mark.rule("R-SLA-2")
def test_warning_starts_at_warn_at_of_the_target(rules: Rulebook) -> None:
    assert clocks(rules, t(2, 9, 47))["first_response"].state == "running"
    fr = clocks(rules, t(2, 9, 48))["first_response"]
    assert fr.state == "warning"
    assert fr.warning_at == t(2, 9, 48)
    assert "warning" in fr.reason


@pytest.mark.rule("R-SLA-2")
def test_breach_records_by_how_much_the_target_was_missed(rules: Rulebook) -> None:
    fr = clocks(rules, t(2, 10, 20))["first_response"]
    assert fr.state == "breached"
    assert fr.breached_by == 20 * M
    assert fr.remaining == timedelta(0)
    assert fr.due_at == t(2, 10)
    assert "missed by 20 min" in fr.reason


@pytest.mark.rule("R-SLA-2")
def test_reaching_exactly_the_target_is_not_a_breach(rules: Rulebook) -> None:
    assert clocks(rules, t(2, 10))["first_response"].state == "warning"
    assert clocks(rules, t(2, 11), first_reply(t(2, 10)))["first_response"].state == "met"


@pytest.mark.rule("R-SLA-2")
def test_a_reply_in_time_stops_the_clock_as_met(rules: Rulebook) -> None:
    fr = clocks(rules, t(4, 9), first_reply(t(2, 9, 40)))["first_response"]
    assert (fr.state, fr.elapsed, fr.stopped_at) == ("met", 40 * M, t(2, 9, 40))
    assert fr.breached_by is None


@pytest.mark.rule("R-SLA-2")
def test_a_late_reply_keeps_the_breach_amount_at_the_stop(rules: Rulebook) -> None:
    fr = clocks(rules, t(6, 17), first_reply(t(2, 10, 15)))["first_response"]
    assert fr.state == "breached"
    assert fr.breached_by == 15 * M


@pytest.mark.rule("R-SLA-2")
def test_breach_is_counted_in_business_time(rules: Rulebook) -> None:
    created = t(2, 17, 30)
    fr = ticket_clocks("P1", created, [], t(3, 9, 45), rules)["first_response"]
    assert fr.due_at == t(3, 9, 30)
    assert fr.breached_by == 15 * M


# --- pauses ---------------------------------------------------------------------------------------


@pytest.mark.rule("R-SLA-2")
def test_paused_time_does_not_count_toward_resolution(rules: Rulebook) -> None:
    waiting = [ClockEvent("pause", t(2, 10)), ClockEvent("resume", t(2, 14))]
    res = clocks(rules, t(2, 15), *waiting)["resolution"]
    assert res.elapsed == 2 * H  # 09-10 and 14-15
    assert res.state == "running"
    # without the pause, due Monday 18:00; 3 business hours paused (10-12, 13-14)
    assert res.due_at == t(3, 12)


@pytest.mark.rule("R-SLA-2")
def test_each_pause_moves_the_due_time_out(rules: Rulebook) -> None:
    waiting = [
        ClockEvent("pause", t(2, 10)),
        ClockEvent("resume", t(2, 14)),
        ClockEvent("pause", t(3, 9)),
        ClockEvent("resume", t(3, 10, 30)),
    ]
    res = clocks(rules, t(3, 11), *waiting)["resolution"]
    assert res.elapsed == H + 4 * H + 30 * M  # Mon 09-10, 14-18; Tue 10:30-11:00
    assert res.due_at == t(3, 14, 30)


@pytest.mark.rule("R-SLA-2")
def test_paused_clock_reports_paused_and_its_due_drifts(rules: Rulebook) -> None:
    pause = ClockEvent("pause", t(2, 10))
    early = clocks(rules, t(2, 11), pause)["resolution"]
    later = clocks(rules, t(2, 16), pause)["resolution"]
    assert (early.state, early.paused, early.elapsed) == ("paused", True, H)
    assert later.elapsed == H
    assert later.due_at > early.due_at
    assert early.due_at == t(3, 10)  # 7 h left from 11:00 if resumed now


@pytest.mark.rule("R-SLA-2")
def test_a_breach_stays_a_breach_while_paused(rules: Rulebook) -> None:
    fr = clocks(rules, t(2, 17), ClockEvent("pause", t(2, 11)))["first_response"]
    assert (fr.state, fr.paused, fr.breached_by) == ("breached", True, H)


@pytest.mark.rule("R-SLA-2")
def test_pause_of_one_clock_leaves_the_others_running(rules: Rulebook) -> None:
    out = clocks(rules, t(2, 9, 50), ClockEvent("pause", t(2, 9, 10), "resolution"))
    assert out["resolution"].state == "paused"
    assert out["first_response"].elapsed == 50 * M


def test_repeated_pause_and_stray_resume_change_nothing(rules: Rulebook) -> None:
    events = [
        ClockEvent("resume", t(2, 9, 5)),
        ClockEvent("pause", t(2, 10)),
        ClockEvent("pause", t(2, 11)),
        ClockEvent("resume", t(2, 14)),
    ]
    assert clocks(rules, t(2, 15), *events)["resolution"].elapsed == 2 * H


# --- next reply -----------------------------------------------------------------------------------


@pytest.mark.rule("R-SLA-2")
def test_next_reply_restarts_at_each_customer_message_after_a_reply(rules: Rulebook) -> None:
    events = [
        first_reply(t(2, 9, 30)),
        customer_message(t(2, 11)),
        agent_reply(t(2, 14)),  # 2 h of business time (11-12, 13-14): met
        customer_message(t(3, 9)),
    ]
    nr = clocks(rules, t(3, 11, 30), *events)["next_reply"]
    assert nr.started_at == t(3, 9)
    assert (nr.state, nr.breached_by) == ("breached", 30 * M)  # 2 h 30 min on a 2 h target
    assert [p.state for p in nr.previous] == ["met"]
    assert nr.previous[0].elapsed == 2 * H


@pytest.mark.rule("R-SLA-2")
def test_a_second_unanswered_message_does_not_reset_next_reply(rules: Rulebook) -> None:
    events = [first_reply(t(2, 9, 30)), customer_message(t(2, 10)), customer_message(t(2, 13))]
    nr = clocks(rules, t(2, 14), *events)["next_reply"]
    assert nr.started_at == t(2, 10)
    assert nr.elapsed == 3 * H
    assert nr.state == "breached"


def test_next_reply_is_absent_until_the_customer_writes_again(rules: Rulebook) -> None:
    assert "next_reply" not in clocks(rules, t(2, 11), first_reply(t(2, 9, 30)))


# --- resolution and the ticket's life -------------------------------------------------------------


@pytest.mark.rule("R-SLA-2")
def test_resolving_stops_every_clock(rules: Rulebook) -> None:
    out = clocks(rules, t(5, 9), customer_message(t(2, 9, 20)), ClockEvent("stop", t(2, 11)))
    assert {name: s.state for name, s in out.items()} == {
        "first_response": "breached",
        "next_reply": "met",
        "resolution": "met",
    }
    assert out["resolution"].elapsed == 2 * H


def test_reopening_carries_the_resolution_clock_on(rules: Rulebook) -> None:
    events = [ClockEvent("stop", t(2, 11)), ClockEvent("start", t(3, 9), "resolution")]
    res = clocks(rules, t(3, 10), *events)["resolution"]
    assert (res.state, res.elapsed) == ("running", 3 * H)


def test_priority_without_a_resolution_target_has_no_resolution_clock(rules: Rulebook) -> None:
    out = ticket_clocks("P2", CREATED, [], t(2, 10), rules)
    assert set(out) == {"first_response"}


def test_events_after_now_are_not_counted_yet(rules: Rulebook) -> None:
    assert clocks(rules, t(2, 9, 30), first_reply(t(2, 9, 40)))["first_response"].state == (
        "running"
    )


def test_events_are_taken_in_time_order(rules: Rulebook) -> None:
    resume, pause = ClockEvent("resume", t(2, 14)), ClockEvent("pause", t(2, 10))
    assert clocks(rules, t(2, 15), resume, pause)["resolution"].elapsed == 2 * H


# --- due times and bad input ----------------------------------------------------------------------


def test_due_times_of_a_new_ticket(rules: Rulebook) -> None:
    due = due_times("P1", t(2, 17, 30), rules)
    assert (due.first_response_due, due.resolution_due) == (t(3, 9, 30), t(3, 17, 30))
    assert due_times("P2", CREATED, rules).resolution_due is None


def test_unknown_priority_names_the_defined_ones(rules: Rulebook) -> None:
    with pytest.raises(UnknownPriorityError, match=r"'P7'.*P1, P2"):
        ticket_clocks("P7", CREATED, [], t(2, 10), rules)
    with pytest.raises(UnknownPriorityError):
        due_times("P7", CREATED, rules)


def test_naive_times_are_refused(rules: Rulebook) -> None:
    naive = datetime(2026, 3, 2, 10)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        clocks(rules, naive)
    with pytest.raises(ValueError, match="created_at must be timezone-aware"):
        due_times("P1", naive, rules)
    with pytest.raises(ValueError, match="clock event pause at must be timezone-aware"):
        ClockEvent("pause", naive)


def test_event_before_creation_is_refused(rules: Rulebook) -> None:
    with pytest.raises(ValueError, match="before the ticket was created"):
        clocks(rules, t(2, 10), ClockEvent("pause", t(2, 8)))


def test_malformed_events_are_named() -> None:
    with pytest.raises(ValueError, match="must name its clock"):
        ClockEvent("start", t(2, 10))
    with pytest.raises(ValueError, match="'lunch'"):
        ClockEvent("pause", t(2, 10), "lunch")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'snooze'"):
        ClockEvent("snooze", t(2, 10))  # type: ignore[arg-type]
