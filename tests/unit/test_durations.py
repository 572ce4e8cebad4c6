"""Measurable durations (R-SLA-1): parse, format, round-trip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierdesk.domain.durations import (
    DurationError,
    compact_duration,
    format_duration,
    parse_duration,
)


@pytest.mark.rule("R-SLA-1")
@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("15m", 900),
        ("1h", 3600),
        ("4h30m", 16200),
        ("300s", 300),
        ("2d", 172800),
        ("1w", 604800),
        ("90 minutes", 5400),
        ("1 hour, 30 minutes", 5400),
        ("< 24 hours", 86400),
        ("within 5m", 300),
        ("1.5h", 5400),
    ],
)
def test_measurable_durations_parse(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.rule("R-SLA-1")
@pytest.mark.parametrize(
    "text", ["respond quickly", "ASAP", "", "15", "fast 5m", "5 parsecs", "0m"]
)
def test_unmeasurable_durations_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    assert repr(text) in str(info.value) or "zero" in str(info.value)


def test_bare_numbers_and_booleans_need_a_unit() -> None:
    for value in (15, 1.5, True):
        with pytest.raises(DurationError, match="no unit"):
            parse_duration(value)


@pytest.mark.parametrize(
    ("seconds", "en", "zh"),
    [
        (900, "15 min", "15 分鐘"),
        (5400, "1 h 30 min", "1 小時 30 分鐘"),
        (259200, "3 days", "3 天"),
        (86400, "1 day", "1 天"),
    ],
)
def test_durations_format_in_english_and_traditional_chinese(
    seconds: int, en: str, zh: str
) -> None:
    assert format_duration(timedelta(seconds=seconds)) == en
    assert format_duration(timedelta(seconds=seconds), "zh-TW") == zh


@given(st.integers(min_value=1, max_value=10_000_000))
def test_compact_form_round_trips(seconds: int) -> None:
    value = timedelta(seconds=seconds)
    assert parse_duration(compact_duration(value)) == value
