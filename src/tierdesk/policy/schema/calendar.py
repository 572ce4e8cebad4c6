"""The policy's calendars (`calendars`): time zone, weekly opening hours, holidays and extra
closed or working dates, with the weekday names and `09:00-12:00` intervals they use.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from tierdesk.policy.schema.base import Strict

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_interval(text: str) -> tuple[time, time]:
    """`09:00-12:00` -> (09:00, 12:00); `24:00` is accepted as an end (written as 00:00)."""
    m = _INTERVAL.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not an interval; write e.g. 09:00-12:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise ValueError(f"{text!r} has an impossible time of day")
    start, end = time(h1, m1), time(0, 0) if h2 == 24 else time(h2, m2)
    if end != time(0, 0) and end <= start:
        raise ValueError(f"{text!r} ends before it starts")
    return start, end


Interval = Annotated[str, Field(pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")]


class HolidaySource(Strict):
    country: str = Field(description="ISO 3166 country code for the `holidays` package, e.g. TW.")
    subdivision: str | None = None


class Calendar(Strict):
    timezone: str = Field(description="IANA time zone, e.g. Asia/Taipei.")
    always_open: bool = Field(False, description="A 24x7 clock: hours and holidays are ignored.")
    hours: dict[Weekday, list[Interval]] = Field(
        {}, description="Weekly opening hours; several intervals a day (e.g. a lunch break)."
    )
    holidays: HolidaySource | None = None
    closed: list[date] = Field([], description="Extra closed dates (typhoon days, company days).")
    open: list[date] = Field([], description="Extra working dates (make-up workdays).")
    open_hours: list[Interval] = Field(
        [], description="Hours on extra working dates; default: Monday's hours."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {v!r}") from None
        return v

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, intervals in v.items():
            spans = sorted(parse_interval(i) for i in intervals)
            for (_, end), (start, _) in itertools.pairwise(spans):
                if end == time(0, 0) or start < end:
                    raise ValueError(f"{day}: intervals overlap")
        return v

    @field_validator("open_hours")
    @classmethod
    def _valid_open_hours(cls, v: list[str]) -> list[str]:
        for i in v:
            parse_interval(i)
        return v
