"""Measurable durations (R-SLA-1): parsing `15m`, `4h30m`, `300s`, `2 hours` and formatting them.

A target such as "respond quickly" or "ASAP" is not a duration and is rejected with a message
that says what is accepted. Days and weeks are exact multiples of 24 hours of the target's clock.
"""

from __future__ import annotations

import re
from datetime import timedelta

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
