"""Properties of business-time arithmetic, over random instants, durations and DST zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tierdesk.domain.calendar import BusinessCalendar
from tierdesk.domain.rulebook import CalendarSpec

# Night hours touch the hour DST skips or repeats; the day has a lunch break.
HOURS = ((time(0), time(3)), (time(9), time(12)), (time(13), time(18)))
HOLIDAYS = frozenset({date(2025, 12, 25), date(2026, 1, 1), date(2026, 3, 8), date(2026, 11, 1)})


def business(zone: str) -> BusinessCalendar:
    weekly = (HOURS,) * 5 + (((time(0), time(3)),), ())
    spec = CalendarSpec(name="b", timezone=zone, weekly=weekly, holidays=HOLIDAYS)
    return BusinessCalendar(spec)


CALENDARS = {zone: business(zone) for zone in ("America/New_York", "Europe/London", "Asia/Taipei")}

zones = st.sampled_from(sorted(CALENDARS))
instants = st.datetimes(
    min_value=datetime(2025, 10, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=600))


@settings(max_examples=300, deadline=None)
@given(zones, instants, durations)
def test_elapsed_until_due_is_the_duration(zone: str, start: datetime, d: timedelta) -> None:
    cal = CALENDARS[zone]
    assert cal.elapsed(start, cal.due(start, d)) == d


@settings(max_examples=300, deadline=None)
@given(zones, instants, durations, durations)
def test_due_is_monotone_in_the_duration(
    zone: str, start: datetime, a: timedelta, b: timedelta
) -> None:
    cal = CALENDARS[zone]
    short, long = sorted((a, b))
    assert cal.due(start, short) <= cal.due(start, long)


@settings(max_examples=200, deadline=None)
@given(zones, instants, durations)
def test_due_of_a_positive_duration_ends_on_open_time(
    zone: str, start: datetime, d: timedelta
) -> None:
    cal = CALENDARS[zone]
    due = cal.due(start, d + timedelta(seconds=1))
    assert cal.is_open(due - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(zones, instants, instants, instants)
def test_elapsed_adds_up_over_a_split(zone: str, a: datetime, b: datetime, c: datetime) -> None:
    cal = CALENDARS[zone]
    first, middle, last = sorted((a, b, c))
    assert cal.elapsed(first, middle) + cal.elapsed(middle, last) == cal.elapsed(first, last)


@settings(max_examples=200, deadline=None)
@given(zones, instants, durations)
def test_always_open_due_is_start_plus_duration(zone: str, start: datetime, d: timedelta) -> None:
    cal = BusinessCalendar(CalendarSpec(name="24x7", timezone=zone, always_open=True))
    assert cal.due(start, d) == start + d


@settings(max_examples=200, deadline=None)
@given(zones, instants, durations)
def test_open_all_day_every_day_is_real_time_across_dst(
    zone: str, start: datetime, d: timedelta
) -> None:
    all_day = (((time(0), time(0)),),) * 7
    cal = BusinessCalendar(CalendarSpec(name="days", timezone=zone, weekly=all_day))
    assert cal.due(start, d) == start + d
    assert cal.elapsed(start, start + d) == d


@settings(max_examples=200, deadline=None)
@given(zones, instants)
def test_next_open_is_open_and_nothing_opens_before_it(zone: str, start: datetime) -> None:
    cal = CALENDARS[zone]
    opens = cal.next_open(start)
    assert opens >= start
    assert cal.is_open(opens)
    assert cal.elapsed(start, opens) == timedelta(0)
