"""Business calendars: hours, lunch breaks, holidays, make-up days, DST and year ends (R-SLA-1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from tierdesk.domain.calendar import BusinessCalendar, CalendarError, calendar_for
from tierdesk.domain.rulebook import CalendarSpec, DateSet

TAIPEI = "Asia/Taipei"
LUNCH_BREAK = ((time(9), time(12)), (time(13), time(18)))
NIGHT = ((time(0), time(3)),)  # touches the hour that DST skips or repeats
H = timedelta(hours=1)


def weekdays(hours: tuple[tuple[time, time], ...]) -> tuple[tuple[tuple[time, time], ...], ...]:
    return (hours,) * 5 + ((), ())


def calendar(
    zone: str = TAIPEI,
    weekly: tuple[tuple[tuple[time, time], ...], ...] = weekdays(LUNCH_BREAK),
    hols: DateSet = frozenset(),
    **extra: object,
) -> BusinessCalendar:
    spec = CalendarSpec(name="business", timezone=zone, weekly=weekly, holidays=hols, **extra)  # type: ignore[arg-type]
    return BusinessCalendar(spec)


def at(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A local wall-clock time (the first of two readings in a repeated hour)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


# --- hours and lunch breaks ----------------------------------------------------------------------


def test_due_skips_the_lunch_break() -> None:
    cal = calendar()
    assert cal.due(at(TAIPEI, 2026, 3, 2, 11), 2 * H) == at(TAIPEI, 2026, 3, 2, 14)


def test_due_that_fills_an_interval_exactly_is_its_close() -> None:
    cal = calendar()
    assert cal.due(at(TAIPEI, 2026, 3, 2, 9), 3 * H) == at(TAIPEI, 2026, 3, 2, 12)


def test_due_from_a_closed_time_starts_at_the_next_opening() -> None:
    cal = calendar()
    friday_evening = at(TAIPEI, 2026, 3, 6, 20)
    assert cal.due(friday_evening, 30 * timedelta(minutes=1)) == at(TAIPEI, 2026, 3, 9, 9, 30)


def test_due_answers_in_utc() -> None:
    due = calendar().due(at(TAIPEI, 2026, 3, 2, 9), H)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 2, 2, tzinfo=UTC)


def test_zero_duration_is_due_at_the_start() -> None:
    sunday = at(TAIPEI, 2026, 3, 8, 10)
    assert calendar().due(sunday, timedelta(0)) == sunday


def test_elapsed_counts_only_open_time() -> None:
    cal = calendar()
    monday_10 = at(TAIPEI, 2026, 3, 2, 10)
    assert cal.elapsed(monday_10, at(TAIPEI, 2026, 3, 2, 14)) == 3 * H
    assert cal.elapsed(monday_10, at(TAIPEI, 2026, 3, 9, 10)) == 5 * 8 * H


def test_elapsed_is_zero_when_end_is_not_after_start() -> None:
    cal = calendar()
    monday_10 = at(TAIPEI, 2026, 3, 2, 10)
    assert cal.elapsed(monday_10, monday_10) == timedelta(0)
    assert cal.elapsed(monday_10, monday_10 - H) == timedelta(0)


def test_is_open_is_closed_at_the_end_of_an_interval() -> None:
    cal = calendar()
    assert cal.is_open(at(TAIPEI, 2026, 3, 2, 9))
    assert cal.is_open(at(TAIPEI, 2026, 3, 2, 11, 59))
    assert not cal.is_open(at(TAIPEI, 2026, 3, 2, 12))
    assert not cal.is_open(at(TAIPEI, 2026, 3, 7, 10))  # Saturday


def test_next_open_is_the_instant_itself_when_open() -> None:
    cal = calendar()
    open_now = at(TAIPEI, 2026, 3, 2, 10)
    assert cal.next_open(open_now) == open_now
    assert cal.next_open(at(TAIPEI, 2026, 3, 2, 12, 30)) == at(TAIPEI, 2026, 3, 2, 13)
    assert cal.next_open(at(TAIPEI, 2026, 3, 6, 18)) == at(TAIPEI, 2026, 3, 9, 9)


def test_always_open_due_is_plain_addition() -> None:
    spec = CalendarSpec(name="24x7", timezone=TAIPEI, always_open=True)
    cal = BusinessCalendar(spec)
    sunday = at(TAIPEI, 2026, 3, 8, 23)
    assert cal.due(sunday, 5 * H) == sunday + 5 * H
    assert cal.elapsed(sunday, sunday + 5 * H) == 5 * H
    assert cal.is_open(sunday)


# --- holidays, closed and make-up days -----------------------------------------------------------


def test_taiwan_lunar_new_year_2026_is_skipped_whole() -> None:
    cal = calendar(hols=holidays.country_holidays("TW"))
    friday_before = at(TAIPEI, 2026, 2, 13, 17)
    # 1 h on Friday, then nothing until Monday 23 February (16-20 February are holidays)
    due = cal.due(friday_before, 4 * H + 30 * timedelta(minutes=1))
    assert due == at(TAIPEI, 2026, 2, 23, 13, 30)
    assert cal.elapsed(friday_before, due) == 4 * H + 30 * timedelta(minutes=1)
    assert not cal.is_open(at(TAIPEI, 2026, 2, 18, 10))


def test_year_end_holiday_and_weekend_are_skipped() -> None:
    cal = calendar(hols=frozenset({date(2027, 1, 1)}))
    new_years_eve = at(TAIPEI, 2026, 12, 31, 17, 30)
    assert cal.due(new_years_eve, 4 * H) == at(TAIPEI, 2027, 1, 4, 13, 30)


def test_closed_date_closes_a_workday() -> None:
    typhoon_day = date(2026, 9, 3)
    cal = calendar(closed_dates=frozenset({typhoon_day}))
    assert cal.spans(typhoon_day) == ()
    assert cal.due(at(TAIPEI, 2026, 9, 2, 17), 2 * H) == at(TAIPEI, 2026, 9, 4, 10)


def test_make_up_workday_opens_a_saturday_with_open_hours() -> None:
    saturday = date(2026, 2, 7)
    cal = calendar(open_dates=frozenset({saturday}), open_hours=((time(10), time(14)),))
    assert cal.due(at(TAIPEI, 2026, 2, 6, 17), 3 * H) == at(TAIPEI, 2026, 2, 7, 12)


def test_make_up_workday_without_open_hours_uses_monday_hours() -> None:
    saturday = date(2026, 2, 7)
    cal = calendar(open_dates=frozenset({saturday}))
    assert cal.hours(saturday) == LUNCH_BREAK


def test_make_up_workday_beats_a_holiday_but_a_closed_date_beats_both() -> None:
    day = date(2026, 2, 16)
    hols = frozenset({day})
    assert calendar(hols=hols, open_dates=frozenset({day})).hours(day) == LUNCH_BREAK
    both = calendar(hols=hols, open_dates=frozenset({day}), closed_dates=frozenset({day}))
    assert both.hours(day) == ()


def test_long_durations_step_over_whole_weeks_and_holidays() -> None:
    hols = frozenset({date(2026, 3, 18), date(2026, 4, 3)})
    cal = calendar(hols=hols)
    start = at(TAIPEI, 2026, 3, 2, 9)
    # four weeks of 40 h less one holiday (152 h), then 32 h Monday to Thursday 2 April;
    # Friday 3 April is a holiday, so 8 h more end on Monday 6 April
    assert cal.due(start, 184 * H) == at(TAIPEI, 2026, 4, 2, 18)
    assert cal.due(start, 192 * H) == at(TAIPEI, 2026, 4, 6, 18)
    assert cal.elapsed(start, at(TAIPEI, 2026, 4, 6, 18)) == 192 * H


# --- daylight saving time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", date(2026, 3, 8), 2),  # 02:00 -> 03:00
        ("America/New_York", date(2026, 11, 1), 4),  # 02:00 -> 01:00
        ("Europe/London", date(2026, 3, 29), 2),  # 01:00 -> 02:00
        ("Europe/London", date(2026, 10, 25), 4),  # 02:00 -> 01:00
        ("Europe/London", date(2026, 10, 26), 3),
    ],
)
def test_night_interval_lasts_real_hours_on_dst_change_days(
    zone: str, day: date, hours: int
) -> None:
    cal = calendar(zone, weekly=(NIGHT,) * 7)
    midnight = at(zone, day.year, day.month, day.day)
    next_midnight = midnight + timedelta(days=1)  # same-zone aware addition: wall clock
    assert cal.elapsed(midnight, next_midnight) == hours * H
    assert cal.due(midnight, hours * H) == at(zone, day.year, day.month, day.day, 3)


def test_due_runs_through_the_repeated_hour() -> None:
    zone = "America/New_York"
    cal = calendar(zone, weekly=(NIGHT,) * 7)
    due = cal.due(at(zone, 2026, 11, 1, 0), 3 * H + 30 * timedelta(minutes=1))
    assert due == at(zone, 2026, 11, 1, 2, 30)  # 02:30 EST, after 01:00-02:00 twice
    assert due == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)


def test_due_past_a_short_night_continues_the_next_night() -> None:
    zone = "America/New_York"
    cal = calendar(zone, weekly=(NIGHT,) * 7)
    assert cal.due(at(zone, 2026, 3, 8, 0), 2 * H + 30 * timedelta(minutes=1)) == at(
        zone, 2026, 3, 9, 0, 30
    )


def test_opening_inside_the_skipped_hour_opens_at_the_jump() -> None:
    zone = "Europe/London"
    cal = calendar(zone, weekly=(((time(1, 30), time(5)),),) * 7)
    assert cal.spans(date(2026, 3, 29)) == (
        (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 3, 29, 4, tzinfo=UTC)),
    )


def test_intervals_meeting_in_the_repeated_hour_are_not_counted_twice() -> None:
    zone = "America/New_York"
    split = ((time(0), time(1, 30)), (time(1, 30), time(3)))
    cal = calendar(zone, weekly=(split,) * 7)
    assert cal.elapsed(at(zone, 2026, 11, 1), at(zone, 2026, 11, 2)) == 4 * H


def test_office_hours_across_spring_forward_keep_local_times() -> None:
    zone = "America/New_York"
    cal = calendar(zone, weekly=weekdays(((time(9), time(17)),)))
    friday_4pm = at(zone, 2026, 3, 6, 16)  # EST
    due = cal.due(friday_4pm, 2 * H)
    assert due == at(zone, 2026, 3, 9, 10)  # EDT
    assert due == datetime(2026, 3, 9, 14, tzinfo=UTC)


def test_all_day_every_day_in_a_dst_zone_is_real_time() -> None:
    zone = "Europe/London"
    cal = calendar(zone, weekly=(((time(0), time(0)),),) * 7)
    start = at(zone, 2026, 3, 28, 22).astimezone(UTC)  # UTC: aware local + is wall-clock
    assert cal.due(start, 30 * H) == start + 30 * H


# --- bad input ----------------------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    cal = calendar()
    naive = datetime(2026, 3, 2, 10)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        cal.due(naive, H)
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        cal.elapsed(at(TAIPEI, 2026, 3, 2, 10), naive)
    with pytest.raises(ValueError, match="at must be timezone-aware"):
        cal.is_open(naive)


def test_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar().due(at(TAIPEI, 2026, 3, 2, 10), -H)


def test_unknown_time_zone_is_named() -> None:
    with pytest.raises(CalendarError, match="Mars/Olympus"):
        calendar("Mars/Olympus")


def test_calendar_that_never_opens_says_so_instead_of_looping() -> None:
    cal = calendar(weekly=((),) * 7)
    with pytest.raises(CalendarError, match="no open hours"):
        cal.due(at(TAIPEI, 2026, 3, 2, 10), H)
    with pytest.raises(CalendarError, match="no open hours"):
        cal.next_open(at(TAIPEI, 2026, 3, 2, 10))


def test_calendar_for_shares_one_calendar_per_spec() -> None:
    spec = CalendarSpec(name="b", timezone=TAIPEI, weekly=weekdays(LUNCH_BREAK))
    other = CalendarSpec(name="b", timezone=TAIPEI, weekly=weekdays(LUNCH_BREAK))
    assert calendar_for(spec) is calendar_for(spec)
    assert calendar_for(other) is not calendar_for(spec)
