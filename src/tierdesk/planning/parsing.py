"""Parsing the planner's inputs: durations, percentages, rates and service-level targets.

Every parser is pure and raises ValueError with a message that quotes the bad text and shows
what is accepted, so a CLI or API can pass the message on as it is.
"""

from __future__ import annotations

import math
import re

from tierdesk.domain.durations import parse_duration
from tierdesk.planning.erlang import ServiceTarget

_NUMBER = r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+"
_FRACTION = re.compile(rf"^\s*({_NUMBER})\s*(%?)\s*$")
_TARGET = re.compile(r"^\s*(\S+?)\s*(?:in|within|<=?)\s*(\S.*?)\s*$", re.IGNORECASE)
_RATE = re.compile(rf"^\s*({_NUMBER})\s*(?:(?:/|per\s+)\s*(\S.*?))?\s*$", re.IGNORECASE)

RATE_FORMS = "e.g. 120/h, 2/min, 900/day, 40/30m or a bare number per hour (120)"
TARGET_FORMS = "e.g. '80% in 60s' or '90% in 4h'"


def parse_duration_s(text: str) -> float:
    """Seconds in a duration such as `5m`, `300s`, `4m30s`, `1h`, `2h15m` (unit required, > 0)."""
    return parse_duration(text).total_seconds()


def parse_fraction(text: str) -> float:
    """A share in [0, 1] written as a percentage (`85%`, `12.5%`) or a fraction (`0.85`).

    A bare number above 1 is refused as ambiguous ("85": did you mean 85%?).
    """
    m = _FRACTION.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not a percentage; use e.g. 85% or 0.85")
    value = float(m.group(1))
    if m.group(2):
        value /= 100.0
    elif value > 1.0:
        raise ValueError(f"{text!r} is ambiguous; write {m.group(1)}% or a fraction such as 0.85")
    if value > 1.0:
        raise ValueError(f"{text!r} is more than 100%")
    return value


def parse_target(text: str) -> ServiceTarget:
    """A service-level target `<share> in <duration>`: `80% in 60s`, `90% in 4h`, `0.8 within 20s`.

    The share must be above 0% and below 100% (no queue with random arrivals guarantees 100%).
    """
    m = _TARGET.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not a service-level target; use {TARGET_FORMS}")
    try:
        level = parse_fraction(m.group(1))
        threshold = parse_duration_s(m.group(2))
        return ServiceTarget(level, threshold)
    except ValueError as exc:
        raise ValueError(f"bad target {text!r}: {exc}") from None


def parse_rate_per_hour(text: str) -> float:
    """Arrivals per hour from `120/h`, `2/min`, `900/day`, `40/30m`, `120 per hour` or `120`.

    A bare number is per hour. The rate must be finite and >= 0.
    """
    m = _RATE.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not an arrival rate; use {RATE_FORMS}")
    count, per = float(m.group(1)), m.group(2)
    if per is None:
        return count
    if per[0].isalpha():  # "/h" means "per 1 h"
        per = "1" + per
    try:
        seconds = parse_duration_s(per)
    except ValueError:
        raise ValueError(f"{text!r} is not an arrival rate; use {RATE_FORMS}") from None
    rate = count * 3600.0 / seconds
    if not math.isfinite(rate):
        raise ValueError(f"{text!r} is not a finite arrival rate")
    return rate
