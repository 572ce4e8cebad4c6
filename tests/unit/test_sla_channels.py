"""Per-channel first-response targets (R-SLA-4): the same clocks, the earlier due time.

A 24x7 priority (first response 1 h) and a business one (4 h) on Mon-Fri 09:00-12:00,
13:00-18:00 Asia/Taipei; the LINE channel's target is 5 min of business time, as the presets.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tierdesk import policy
from tierdesk.domain.model import LocalText
from tierdesk.domain.rulebook import CalendarSpec, ChannelTarget, PriorityLevel, Rulebook
from tierdesk.domain.sla import ClockEvent, due_times, ticket_clocks

TZ = ZoneInfo("Asia/Taipei")
H = timedelta(hours=1)
M = timedelta(minutes=1)
HOURS = ((time(9), time(12)), (time(13), time(18)))


def level(pid: str, clock: str, first: timedelta) -> PriorityLevel:
    return PriorityLevel(
        id=pid,
        name=LocalText((("en", "Test"),)),
        clock=clock,
        first_response=first,
        next_reply=None,
        resolution=None,
        warn_at=0.8,
        notify=(),
        rank=int(pid[1:]),
    )


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    office = CalendarSpec(name="office", timezone="Asia/Taipei", weekly=(HOURS,) * 5 + ((), ()))
    always = CalendarSpec(name="24x7", timezone="Asia/Taipei", always_open=True)
    base = policy.rulebook(preset="cs-sop")
    return replace(
        base,
        calendars=(office, always),
        priorities=(level("P1", "24x7", H), level("P3", "office", 4 * H)),
        channel_targets=(ChannelTarget("line", "office", 5 * M),),
    )


def t(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in the week of Monday 2 March 2026, Taipei."""
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.mark.rule("R-SLA-4")
def test_a_line_ticket_is_due_at_the_channel_target_when_it_comes_first(rules: Rulebook) -> None:
    fr = ticket_clocks("P3", t(2, 10), [], t(2, 10, 4), rules, "line")["first_response"]
    assert (fr.basis, fr.target, fr.due_at, fr.state) == ("line", 5 * M, t(2, 10, 5), "warning")
    assert "line channel's target" in fr.reason
    breached = ticket_clocks("P3", t(2, 10), [], t(2, 10, 8), rules, "line")["first_response"]
    assert (breached.state, breached.breached_by) == ("breached", 3 * M)
    assert due_times("P3", t(2, 10), rules, "line").first_response_due == t(2, 10, 5)


@pytest.mark.rule("R-SLA-4")
def test_other_channels_keep_the_priority_target(rules: Rulebook) -> None:
    for channel in ("email", None):
        fr = ticket_clocks("P3", t(2, 10), [], t(2, 10, 8), rules, channel)["first_response"]
        assert (fr.basis, fr.target, fr.state) == ("priority", 4 * H, "running")
    assert due_times("P3", t(2, 10), rules, "email").first_response_due == t(2, 15)


@pytest.mark.rule("R-SLA-4")
def test_the_channel_target_counts_business_time_only(rules: Rulebook) -> None:
    # written Friday 17:58: 2 minutes on Friday, 3 on Monday morning
    fr = ticket_clocks("P3", t(6, 17, 58), [], t(7, 12), rules, "line")["first_response"]
    assert (fr.basis, fr.state, fr.elapsed) == ("line", "running", 2 * M)
    assert fr.due_at == t(9, 9, 3)
    assert due_times("P3", t(6, 17, 58), rules, "line").first_response_due == t(9, 9, 3)


@pytest.mark.rule("R-SLA-4")
def test_a_priority_due_earlier_than_the_channel_still_binds(rules: Rulebook) -> None:
    # P1 runs 24x7: written Saturday 10:00, due 11:00; LINE's 5 business minutes are Monday's
    sat = datetime(2026, 3, 7, 10, tzinfo=TZ)
    fr = ticket_clocks("P1", sat, [], sat + 30 * M, rules, "line")["first_response"]
    assert (fr.basis, fr.due_at) == ("priority", sat + H)
    late = ticket_clocks("P1", sat, [], sat + 2 * H, rules, "line")["first_response"]
    assert (late.basis, late.state, late.breached_by) == ("priority", "breached", H)


@pytest.mark.rule("R-SLA-4")
def test_met_only_when_both_targets_are_met(rules: Rulebook) -> None:
    in_time = [ClockEvent("stop", t(2, 10, 4), "first_response")]
    fr = ticket_clocks("P3", t(2, 10), in_time, t(2, 12), rules, "line")["first_response"]
    assert (fr.state, fr.elapsed) == ("met", 4 * M)
    late = [ClockEvent("stop", t(2, 10, 30), "first_response")]
    fr = ticket_clocks("P3", t(2, 10), late, t(2, 12), rules, "line")["first_response"]
    assert (fr.basis, fr.state, fr.breached_by) == ("line", "breached", 25 * M)


@pytest.mark.rule("R-SLA-4")
def test_waiting_on_the_customer_pauses_the_channel_target_too(rules: Rulebook) -> None:
    events = [ClockEvent("pause", t(2, 10, 2)), ClockEvent("resume", t(2, 11))]
    fr = ticket_clocks("P3", t(2, 10), events, t(2, 11, 2), rules, "line")["first_response"]
    assert (fr.basis, fr.elapsed, fr.due_at, fr.state) == ("line", 4 * M, t(2, 11, 3), "warning")


@pytest.mark.rule("R-SLA-4")
def test_the_presets_give_line_five_business_minutes() -> None:
    for preset in ("cs-sop", "full-sop"):
        rules = policy.rulebook(preset=preset)
        target = rules.channel_target("line")
        assert target is not None
        assert target.first_response == 5 * M
        assert not rules.calendar(target.clock).always_open
        assert rules.channel_target("email") is None
