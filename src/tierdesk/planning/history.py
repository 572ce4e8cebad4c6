"""Arrival rates from ticket history: mean arrivals in each hour of the week, per tier.

Hour of week 0 is Monday 00:00-01:00 and 167 is Sunday 23:00-24:00, on the wall clock of the time
zone given (or, without one, of each timestamp's own UTC offset, i.e. as the tickets were stamped).
The observed period runs from the hour of the first arrival to the hour of the last, both whole;
each hour of the week is averaged over the number of times it occurs in that period, so an
export that starts on a Wednesday does not halve Monday's rate. Wall-clock hours are counted as
24 a day; a DST change shifts at most one hour's count twice a year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

import numpy as np
import numpy.typing as npt

HOURS_PER_WEEK = 168
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class ArrivalProfile:
    """Mean arrivals per hour for each tier (rows, in `tiers` order) and hour of week (columns)."""

    tiers: tuple[str, ...]
    rates_per_hour: npt.NDArray[np.float64]  # shape (len(tiers), 168)
    occurrences: npt.NDArray[np.int64]  # shape (168,): times each hour of week was observed
    total_arrivals: int

    def rates(self, tier: str) -> npt.NDArray[np.float64]:
        """The 168 hourly rates of one tier. Raises KeyError for an unknown tier."""
        if tier not in self.tiers:
            raise KeyError(tier)
        return np.asarray(self.rates_per_hour[self.tiers.index(tier)], dtype=np.float64)


def hour_of_week(moment: datetime) -> int:
    """0 for Monday 00:00-00:59 ... 167 for Sunday 23:00-23:59, on `moment`'s own wall clock."""
    return moment.weekday() * 24 + moment.hour


def hour_label(how: int) -> str:
    """`Mon 09:00` for hour of week 9."""
    return f"{WEEKDAYS[how // 24]} {how % 24:02d}:00"


def arrival_profile(
    arrivals: Iterable[tuple[datetime, str]], *, tz: tzinfo | None = None
) -> ArrivalProfile:
    """Mean arrivals per hour of week per tier from (created_at, tier) pairs.

    Timestamps must be timezone-aware (ValueError naming the first naive one); at least one
    arrival is needed (ValueError). Tiers come out sorted by name.
    """
    counts: dict[str, npt.NDArray[np.int64]] = {}
    first: int | None = None
    last: int | None = None
    total = 0
    for moment, tier in arrivals:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"timestamp {moment.isoformat()} has no UTC offset")
        local = moment.astimezone(tz) if tz is not None else moment
        ordinal = local.toordinal() * 24 + local.hour  # wall-clock hour number
        first = ordinal if first is None else min(first, ordinal)
        last = ordinal if last is None else max(last, ordinal)
        counts.setdefault(tier, np.zeros(HOURS_PER_WEEK, dtype=np.int64))[hour_of_week(local)] += 1
        total += 1
    if first is None or last is None:
        raise ValueError("no arrivals to average")
    occurrences = _occurrences(first, last)
    tiers = tuple(sorted(counts))
    matrix = np.array([counts[t] for t in tiers], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(occurrences > 0, matrix / occurrences, 0.0)
    return ArrivalProfile(tiers, rates, occurrences, total)


def _occurrences(first: int, last: int) -> npt.NDArray[np.int64]:
    """How often each hour of week occurs between wall-clock hour numbers first..last inclusive.

    Hour number h = ordinal_day * 24 + hour; ordinal day 1 (0001-01-01) was a Monday, so the hour
    of week of h is (h - 24) mod 168.
    """
    hours = last - first + 1
    start = (first - 24) % HOURS_PER_WEEK
    offsets = (np.arange(HOURS_PER_WEEK) - start) % HOURS_PER_WEEK
    return np.asarray(hours // HOURS_PER_WEEK + (offsets < hours % HOURS_PER_WEEK), dtype=np.int64)
