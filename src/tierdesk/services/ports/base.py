"""What every port shares: the `DuplicateKey` error an `add` raises and the `Clock`."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class DuplicateKey(Exception):  # noqa: N818 - the name says what happened
    """An `add` hit a unique key that exists (ticket idempotency key, username, ...).

    Adapters raise it (translating IntegrityError); `key` names the constraint, e.g.
    "tickets.idempotency_key"."""

    def __init__(self, key: str, value: str = "") -> None:
        super().__init__(f"duplicate {key}: {value!r}")
        self.key = key
        self.value = value


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...
