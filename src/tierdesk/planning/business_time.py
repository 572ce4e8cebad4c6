"""Due times in business time for a million instants at once (R-SLA-1), on the domain's calendar.

`BusinessTimeline(spec, first, last, longest)` lays the calendar's opening spans between two
instants end to end, as the domain's `BusinessCalendar.spans` gives them (holidays, make-up
workdays, daylight saving all decided there), and keeps the running total of open seconds. Then

    due(start, d) = B^-1(B(start) + d),  B(t) = open seconds before t,

with B^-1 the first instant at which the total reaches a value: the same answer as
`BusinessCalendar.due` (a duration that exactly fills an interval is due at its close), in two
`numpy.searchsorted` calls for a whole array. Instants are float seconds since the Unix epoch.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from tierdesk.domain.calendar import CalendarError, calendar_for
from tierdesk.domain.rulebook import CalendarSpec

FloatArray = npt.NDArray[np.float64]

_MAX_CLOSED_DAYS = 2 * 366  # as the domain: a calendar closed this long is never open


class BusinessTimeline:
    """Open spans of one calendar from before `first` until `longest` seconds of open time
    have passed after `last` (epoch seconds). Raises CalendarError when it is never open."""

    def __init__(self, spec: CalendarSpec, first: float, last: float, longest: float) -> None:
        self.spec = spec
        self.always_open = spec.always_open
        if self.always_open:
            self._opens = self._closes = self._before = self._after = np.zeros(0)
            return
        cal = calendar_for(spec)
        day = _utc(first).astimezone(cal.tz).date() - timedelta(days=1)
        last_day = _utc(last).astimezone(cal.tz).date()
        opens: list[float] = []
        closes: list[float] = []
        open_after_last, closed_run = 0.0, 0
        while day <= last_day or open_after_last <= longest:
            spans = cal.spans(day)
            for a, b in spans:
                opens.append(a.timestamp())
                closes.append(b.timestamp())
                open_after_last += max(0.0, b.timestamp() - max(a.timestamp(), last))
            closed_run = 0 if spans else closed_run + 1
            if closed_run > _MAX_CLOSED_DAYS:
                raise CalendarError(
                    f"calendar {spec.name!r} has no open hours within {_MAX_CLOSED_DAYS} days"
                )
            day += timedelta(days=1)
        self._opens = np.asarray(opens, dtype=np.float64)
        self._closes = np.asarray(closes, dtype=np.float64)
        lengths = self._closes - self._opens
        self._after = np.cumsum(lengths)
        self._before = self._after - lengths

    def open_before(self, at: FloatArray) -> FloatArray:
        """B(t): open seconds from the start of the timeline to each instant."""
        if self.always_open:
            return np.asarray(at, dtype=np.float64)
        j = np.searchsorted(self._opens, at, side="right") - 1
        jj = np.maximum(j, 0)
        inside = np.clip(at - self._opens[jj], 0.0, self._closes[jj] - self._opens[jj])
        return np.where(j >= 0, self._before[jj] + inside, 0.0)

    def due(self, start: FloatArray, duration_s: float) -> FloatArray:
        """For each start, the first instant by which `duration_s` of open time has passed."""
        start = np.asarray(start, dtype=np.float64)
        if duration_s < 0:
            raise ValueError(f"duration must not be negative, got {duration_s}")
        if self.always_open or duration_s == 0:
            return start + duration_s
        target = self.open_before(start) + duration_s
        m = np.searchsorted(self._after, target, side="left")
        if np.any(m >= len(self._after)):  # pragma: no cover - the constructor covers `longest`
            raise ValueError("due time beyond the timeline; build it with a larger `longest`")
        return np.asarray(self._opens[m] + (target - self._before[m]), dtype=np.float64)


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
