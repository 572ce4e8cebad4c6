"""Measurable durations (R-SLA-1): parsing `15m`, `4h30m`, `300s`, `2 hours` and formatting them.

A target such as "respond quickly" or "ASAP" is not a duration and is rejected with a message
that says what is accepted. Days and weeks are exact multiples of 24 hours of the target's clock.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from tierdesk.domain.errors import DomainError

_UNITS: dict[str, int] = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}

_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)")

ACCEPTED = "a number with a unit, e.g. 15m, 4h, 4h30m, 300s, 2d, '90 minutes'"


class DurationError(DomainError):
    """The text is not a measurable duration."""

    code = "invalid_duration"


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """Parse a measurable duration. Bare numbers are refused (the unit must be explicit).

    Raises DurationError with a message naming the text and the accepted forms.
    """
    if isinstance(text, timedelta):
        if text <= timedelta(0):
            raise DurationError(f"duration must be positive, got {text}")
        return text
    if isinstance(text, bool) or not isinstance(text, str):
        raise DurationError(f"{text!r} has no unit; use {ACCEPTED}")
    raw = text.strip().lower()
    for prefix in ("<", "within", "under"):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :].strip()
    pos, total = 0, 0.0
    matched = False
    while pos < len(raw):
        m = _PART.match(raw, pos)
        if m is None or m.group(2) not in _UNITS:
            raise DurationError(f"{text!r} is not a measurable duration; use {ACCEPTED}")
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
        matched = True
        while pos < len(raw) and raw[pos] in " ,":
            pos += 1
    if not matched:
        raise DurationError(f"{text!r} is not a measurable duration; use {ACCEPTED}")
    if total <= 0:
        raise DurationError(f"{text!r} must be longer than zero")
    return timedelta(seconds=total)


_LABELS: dict[str, tuple[tuple[int, str, str], ...]] = {
    "en": (
        (604800, " week", " weeks"),
        (86400, " day", " days"),
        (3600, " h", " h"),
        (60, " min", " min"),
        (1, " s", " s"),
    ),
    "zh-TW": (
        (604800, " 週", " 週"),
        (86400, " 天", " 天"),
        (3600, " 小時", " 小時"),
        (60, " 分鐘", " 分鐘"),
        (1, " 秒", " 秒"),
    ),
}


_UNIT_SECONDS: dict[str, int] = {
    "week": 604800,
    "day": 86400,
    "hour": 3600,
    "minute": 60,
    "second": 1,
}


def format_duration(value: timedelta, lang: str = "en", *, largest_unit: str = "week") -> str:
    """Human form, largest units first: `15 min`, `1 h 30 min`, `3 days`; zh-TW `15 分鐘`.

    `largest_unit` (week, day, hour, minute, second) caps the unit: with "hour", 72 h stays
    `72 h` (an SOP target on a business clock counts business hours, not calendar days).
    """
    seconds = int(value.total_seconds())
    labels = _LABELS.get(lang, _LABELS["en"])
    cap = _UNIT_SECONDS[largest_unit]
    parts: list[str] = []
    for size, one, many in labels:
        if size <= cap and seconds >= size:
            n, seconds = divmod(seconds, size)
            parts.append(f"{n}{one if n == 1 else many}")
    return " ".join(parts) if parts else ("0 s" if lang == "en" else "0 秒")


def compact_duration(value: timedelta) -> str:
    """Round-trippable compact form: `4h30m`, `15m`, `2d`."""
    seconds = int(value.total_seconds())
    out = ""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        if seconds >= size:
            n, seconds = divmod(seconds, size)
            out += f"{n}{unit}"
    return out or "0s"


# --- durations as people say them (API, reasons, notices, the SOP, the console) -----------------

ClockKind = Literal["business", "24x7"]

_SPOKEN: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "day": ("day", "days"),
        "hour": ("hour", "hours"),
        "minute": ("minute", "minutes"),
        "second": ("second", "seconds"),
    },
    "zh-TW": {
        "day": ("天", "天"),
        "hour": ("小時", "小時"),
        "minute": ("分鐘", "分鐘"),
        "second": ("秒", "秒"),
    },
}


def clock_kind(always_open: bool) -> ClockKind:
    """The kind of clock a calendar is: `24x7` (always open) or `business` (opening hours)."""
    return "24x7" if always_open else "business"


def _lang(lang: str) -> str:
    return "zh-TW" if lang.lower().replace("_", "-") in ("zh-tw", "zh") else "en"


def _plain(seconds: int, lang: str, *, days: bool) -> str:
    words = _SPOKEN[lang]
    sizes: list[tuple[str, int]] = [("hour", 3600), ("minute", 60), ("second", 1)]
    if days and seconds >= 2 * 86400 and seconds % 86400 == 0:
        sizes.insert(0, ("day", 86400))
    parts: list[str] = []
    for unit, size in sizes:
        if seconds >= size:
            n, seconds = divmod(seconds, size)
            one, many = words[unit]
            parts.append(f"{n} {one if n == 1 else many}")
    if not parts:
        return f"0 {words['minute'][1]}"
    return " ".join(parts)


def spoken(value: timedelta, lang: str = "en", clock: ClockKind | None = None) -> str:
    """A duration as a person says it, largest unit hours: `15 minutes`, `40 hours`,
    `1 hour 30 minutes`; on a business clock `24 business hours` (whole hours) or
    `4 hours 30 minutes of business time`; zh-TW `15 分鐘`, `24 個工作小時`,
    `工作時間 4 小時 30 分鐘`. On a 24x7 clock (or none) whole days from two up read as days
    (`3 days`). Negative values are read by their size."""
    lang = _lang(lang)
    seconds = abs(int(value.total_seconds()))
    if clock == "business":
        if seconds and seconds % 3600 == 0:
            n = seconds // 3600
            if lang == "zh-TW":
                return f"{n} 個工作小時"
            return f"{n} business hour" if n == 1 else f"{n} business hours"
        plain = _plain(seconds, lang, days=False)
        return f"工作時間 {plain}" if lang == "zh-TW" else f"{plain} of business time"
    return _plain(seconds, lang, days=True)


def to_minute(value: timedelta) -> timedelta:
    """`value` rounded to the nearest minute (reasons and notices read to the minute)."""
    return timedelta(minutes=round(value.total_seconds() / 60))


def duration_json(
    value: timedelta, *, calendar: str, always_open: bool, lang: str = "en"
) -> dict[str, Any]:
    """A duration as the API gives it: whole `seconds`, the `clock` it runs on (`business` or
    `24x7`), the policy `calendar` it is counted on, and `text` as a person says it."""
    kind = clock_kind(always_open)
    return {
        "seconds": int(value.total_seconds()),
        "clock": kind,
        "calendar": calendar,
        "text": spoken(value, lang, kind),
    }


def local_time(when: datetime, timezone: str, lang: str = "en") -> str:
    """A moment in the policy's time zone, to the minute: `2025-03-04 15:00 (Asia/Taipei)`;
    zh-TW `2025/03/04 15:00`."""
    local = when.astimezone(ZoneInfo(timezone))
    if _lang(lang) == "zh-TW":
        return local.strftime("%Y/%m/%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M") + f" ({timezone})"
