"""Our due times agree with businesstimedelta's on the cs-sop business calendar (R-SLA-1).

Mon-Fri 09:00-12:00 and 13:00-18:00 in Asia/Taipei, closed on Taiwan's public holidays: a
calendar both libraries express the same way (businesstimedelta has no make-up workdays, so
none are used). 2,000 seeded random instants over 2025-2027, each due 4 h and 30 h later.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import businesstimedelta as btd
import holidays
import pytest
import pytz

from tierdesk.domain.calendar import BusinessCalendar
from tierdesk.domain.rulebook import CalendarSpec

ZONE = "Asia/Taipei"
INTERVALS = ((time(9), time(12)), (time(13), time(18)))
TW = holidays.country_holidays("TW")
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_S = 3 * 365 * 86400


def ours() -> BusinessCalendar:
    weekly = (INTERVALS,) * 5 + ((), ())
    return BusinessCalendar(
        CalendarSpec(name="business", timezone=ZONE, weekly=weekly, holidays=TW)
    )


def theirs() -> btd.Rules:
    tz = pytz.timezone(ZONE)
    days = [0, 1, 2, 3, 4]
    rules = [
        btd.WorkDayRule(start_time=a, end_time=b, working_days=days, tz=tz) for a, b in INTERVALS
    ]
    return btd.Rules([*rules, btd.HolidayRule(TW, tz=tz)])


def instants(n: int, seed: int) -> list[datetime]:
    rng = random.Random(seed)
    return [FIRST + timedelta(seconds=rng.randrange(SPAN_S)) for _ in range(n)]


@pytest.mark.rule("R-SLA-1")
@pytest.mark.parametrize("hours", [4, 30])
def test_due_matches_businesstimedelta_on_random_instants(hours: int) -> None:
    cal, rule = ours(), theirs()
    duration = timedelta(hours=hours)
    delta = btd.BusinessTimeDelta(rule, timedelta=duration)
    mismatches = [
        (start, mine, peer)
        for start in instants(1000, seed=hours)
        if (mine := cal.due(start, duration)) != (peer := start + delta)
    ]
    assert mismatches == []


def test_the_comparison_sees_a_different_calendar() -> None:
    """A calendar without the lunch break disagrees with businesstimedelta's, so the
    comparison above can fail."""
    weekly = (((time(9), time(18)),),) * 5 + ((), ())
    spec = CalendarSpec(name="no-lunch", timezone=ZONE, weekly=weekly, holidays=TW)
    cal, delta = BusinessCalendar(spec), btd.BusinessTimeDelta(theirs(), hours=4)
    differ = sum(cal.due(s, timedelta(hours=4)) != s + delta for s in instants(200, seed=1))
    assert differ > 0


@pytest.mark.rule("R-SLA-1")
def test_elapsed_matches_businesstimedelta_difference() -> None:
    cal, rule = ours(), theirs()
    rng = random.Random(7)
    pairs = [(s, s + timedelta(seconds=rng.randrange(30 * 86400))) for s in instants(500, seed=7)]
    mismatches = [
        (a, b, mine, peer)
        for a, b in pairs
        if (mine := cal.elapsed(a, b)) != (peer := rule.difference(a, b).timedelta)
    ]
    assert mismatches == []
