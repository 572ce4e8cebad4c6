"""A settable clock (the `Clock` port): the demo's simulated month and the tests move time with
it, never sleep. Product code, unlike the in-memory store of `tierdesk.testing`: `tierdesk.demo`
walks its seeding run through the 30 days before now on one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """A clock that stands still until moved."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # a Monday, 09:00 Taipei
        if self._now.tzinfo is None:
            raise ValueError(f"FakeClock needs an aware time, got naive {self._now}")

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when
