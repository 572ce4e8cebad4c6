"""Business calendars: opening hours, holidays and time zones; due-time arithmetic (R-SLA-1).

A `BusinessCalendar` runs a `CalendarSpec`: 24x7, or weekly local opening hours (several
intervals a day, e.g. a lunch break) in an IANA time zone, closed on holidays and closed dates,
open on make-up workdays. It answers in business time: `due(start, duration)` is the first
instant at which `duration` of open time has passed since `start`; `elapsed(start, end)` is the
open time between two instants. Aware datetimes in (naive ones are refused with ValueError),
aware UTC out.

Which hours a local date has, in order of precedence: a closed date has none; a make-up workday
(`open_dates`) has `open_hours` (Monday's hours when those are empty), even on a holiday or a
weekend; a holiday has none; any other day has its weekday's hours.

Daylight-saving changes: an interval covers the instants from the first time the wall clock
reads its start to the last time it reads its end. So on the day clocks go back, 00:00-03:00
lasts four real hours; on the day they go forward it lasts two, and a start or end that falls in
the skipped hour is the instant of the jump. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tierdesk.domain.errors import DomainError
from tierdesk.domain.rulebook import CalendarSpec

Span = tuple[datetime, datetime]  # [open, close) in UTC

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_SECOND = timedelta(seconds=1)
# How long a calendar may stay closed before we call it never open (instead of looping on).
_MAX_CLOSED = timedelta(days=2 * 366)


class CalendarError(DomainError):
    """The calendar cannot answer: an unknown time zone, malformed hours, or no open time."""

    code = "calendar"


def require_aware(value: datetime, what: str) -> datetime:
    """`value` in UTC; ValueError naming `what` when it is naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what} must be timezone-aware (e.g. 2026-02-13T17:00:00+08:00), "
            f"got naive {value.isoformat()}"
        )
    return value.astimezone(UTC)


@dataclass(frozen=True)
class _Day:
    spans: tuple[Span, ...]
    total: timedelta


class BusinessCalendar:
    """Business-time arithmetic on one `CalendarSpec`.

    Each local date's open spans are computed once and kept in a small LRU cache, as are
    whole-week totals, so `due` and `elapsed` over long durations step a week at a time.
    """

    def __init__(self, spec: CalendarSpec, *, cache_days: int = 1024) -> None:
        if len(spec.weekly) != 7:
            raise CalendarError(
                f"calendar {spec.name!r}: weekly hours must list 7 days (Monday first), "
                f"got {len(spec.weekly)}"
            )
        try:
            self._tz = ZoneInfo(spec.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(
                f"calendar {spec.name!r}: unknown IANA time zone {spec.timezone!r}"
            ) from None
        self.spec = spec
        self._day = lru_cache(maxsize=cache_days)(self._compute_day)
        self._week = lru_cache(maxsize=max(cache_days // 7, 16))(self._compute_week)

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's local time zone."""
        return self._tz

    # --- public API --------------------------------------------------------------------------

    def due(self, start: datetime, duration: timedelta) -> datetime:
        """The first instant (UTC) by which `duration` of business time has passed since
        `start`. A duration that exactly fills an opening interval is due at its close."""
        start = require_aware(start, "start")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        if self.spec.always_open or duration == _ZERO:
            return start + duration
        day = self._local_date(start)
        found, remaining = self._fill(day, start, duration)
        day += _DAY
        while found is None and day.weekday() != 0:
            found, remaining = self._fill(day, start, remaining)
            day += _DAY
        if found is not None:
            return found
        day, remaining = self._skip_weeks(day, remaining, start)
        while True:  # the week starting at `day` holds the answer
            found, remaining = self._fill(day, start, remaining)
            if found is not None:
                return found
            day += _DAY

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time in [start, end); zero when `end` is not after `start`."""
        start = require_aware(start, "start")
        end = require_aware(end, "end")
        if end <= start:
            return _ZERO
        if self.spec.always_open:
            return end - start
        day, last = self._local_date(start), self._local_date(end)
        total = self._clipped(day, start, end)
        if day == last:
            return total
        day += _DAY
        while day < last and day.weekday() != 0:
            total += self._day(day).total
            day += _DAY
        while day + _WEEK <= last:
            total += self._week(day)
            day += _WEEK
        while day < last:
            total += self._day(day).total
            day += _DAY
        return total + self._clipped(last, start, end)

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls in an opening interval (open at its start, closed at its end)."""
        at = require_aware(at, "at")
        if self.spec.always_open:
            return True
        return any(a <= at < b for a, b in self._day(self._local_date(at)).spans)

    def next_open(self, at: datetime) -> datetime:
        """`at` (UTC) if the calendar is open then, else the next opening instant."""
        at = require_aware(at, "at")
        if self.spec.always_open:
            return at
        day = self._local_date(at)
        limit = day + _MAX_CLOSED
        while day <= limit:
            for a, b in self._day(day).spans:
                if b > at:
                    return max(a, at)
            day += _DAY
        raise self._never_open(at)

    def spans(self, day: date) -> tuple[Span, ...]:
        """The opening intervals of a local date, as UTC instants, sorted and disjoint."""
        return self._day(day).spans

    # --- stepping ----------------------------------------------------------------------------

    def _fill(
        self, day: date, start: datetime, remaining: timedelta
    ) -> tuple[datetime | None, timedelta]:
        """Spend `remaining` on `day`'s open time after `start`: the instant it runs out, or
        None and what is left."""
        for a, b in self._day(day).spans:
            if b <= start:
                continue
            a = max(a, start)
            if b - a >= remaining:
                return a + remaining, _ZERO
            remaining -= b - a
        return None, remaining

    def _skip_weeks(
        self, monday: date, remaining: timedelta, start: datetime
    ) -> tuple[date, timedelta]:
        """The Monday of the week in which `remaining` runs out, and what is left of it there
        (whole weeks are stepped over by their cached totals)."""
        closed_since = monday
        while (week := self._week(monday)) < remaining:
            remaining -= week
            monday += _WEEK
            if week:
                closed_since = monday
            elif monday - closed_since > _MAX_CLOSED:
                raise self._never_open(start)
        return monday, remaining

    def _clipped(self, day: date, start: datetime, end: datetime) -> timedelta:
        total = _ZERO
        for a, b in self._day(day).spans:
            a, b = max(a, start), min(b, end)
            if b > a:
                total += b - a
        return total

    def _never_open(self, after: datetime) -> CalendarError:
        return CalendarError(
            f"calendar {self.spec.name!r} has no open hours within {_MAX_CLOSED.days} days "
            f"after {after.isoformat()}"
        )

    # --- days --------------------------------------------------------------------------------

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(self._tz).date()

    def hours(self, day: date) -> tuple[tuple[time, time], ...]:
        """The local opening intervals of `day` (see the module docstring for precedence)."""
        spec = self.spec
        if day in spec.closed_dates:
            return ()
        if day in spec.open_dates:
            return spec.open_hours or spec.weekly[0]
        if day in spec.holidays:
            return ()
        return spec.weekly[day.weekday()]

    def _compute_day(self, day: date) -> _Day:
        raw: list[Span] = []
        for opens, closes in self.hours(day):
            a = self._instant(day, opens, latest=False)
            if closes == time(0):  # midnight at the end of the day: the next day's first instant
                b = self._instant(day + _DAY, closes, latest=False)
            else:
                b = self._instant(day, closes, latest=True)
            if b > a:
                raw.append((a, b))
        spans = _merge(raw)
        return _Day(spans, sum((b - a for a, b in spans), _ZERO))

    def _compute_week(self, monday: date) -> timedelta:
        return sum((self._day(monday + timedelta(days=i)).total for i in range(7)), _ZERO)

    def _instant(self, day: date, clock: time, *, latest: bool) -> datetime:
        """The UTC instant at which the wall clock reads `clock` on `day`: the earlier or the
        later of two readings in a repeated hour, the jump itself in a skipped hour."""
        first = datetime.combine(day, clock, tzinfo=self._tz).astimezone(UTC)
        second = datetime.combine(day, clock, tzinfo=self._tz).replace(fold=1).astimezone(UTC)
        if first == second:
            return first
        wall = first.astimezone(self._tz).replace(tzinfo=None)
        if wall != datetime.combine(day, clock):
            return self._jump(min(first, second), max(first, second))
        return max(first, second) if latest else min(first, second)

    def _jump(self, before: datetime, after: datetime) -> datetime:
        """The first instant in (before, after] with `after`'s UTC offset (a clock change)."""
        target = after.astimezone(self._tz).utcoffset()
        lo, hi = before, after
        while hi - lo > _SECOND:
            mid = lo + timedelta(seconds=(hi - lo) // _SECOND // 2)
            if mid.astimezone(self._tz).utcoffset() == target:
                hi = mid
            else:
                lo = mid
        return hi


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    """Sorted, with overlapping or touching spans joined (a repeated hour can make two
    intervals of one day overlap)."""
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


_CALENDARS: dict[int, tuple[CalendarSpec, BusinessCalendar]] = {}


def calendar_for(spec: CalendarSpec) -> BusinessCalendar:
    """The shared `BusinessCalendar` of `spec`, so that its day cache outlives one call.

    Keyed by identity (a spec holding a `holidays` calendar is not hashable); the entry keeps
    the spec alive, so its id cannot be reused while cached.
    """
    hit = _CALENDARS.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    if len(_CALENDARS) >= 64:
        _CALENDARS.clear()
    cal = BusinessCalendar(spec)
    _CALENDARS[id(spec)] = (spec, cal)
    return cal
