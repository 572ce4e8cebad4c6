"""Cursors for newest-first pages (created_at desc, id desc), shared by every store, and for
pages by due time (due_at asc, no due time last, then id asc: `TicketFilter.order` "due") or
by warning time (due_warn_at likewise: "warned").

A cursor names the last row of a page; the next page holds the rows strictly after it in that
order. In the due order a row without a due time is placed at `NO_DUE` (after every real one),
so that its cursor has the same form. Stores decode a cursor with `decode_cursor` (ValueError
naming it when it is not one of ours) and make one with `encode_cursor`; callers only pass it
back.

Its format is declared (`CURSOR_PATTERN`, in the OpenAPI document as the parameter's pattern)
so that every string of that form is a cursor a store can page from: the row's `created_at`
in microseconds since the Unix epoch (UTC), a dot, and the row's id. A string of another form
is refused by the schema (422 `invalid_request`), never read as an arbitrary position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

# 1-17 digits: up to 10**17 us after 1970 (the year 5138), inside what datetime holds.
CURSOR_PATTERN = r"^[0-9]{1,17}\.[A-Za-z0-9_-]{1,100}$"
_CURSOR = re.compile(CURSOR_PATTERN)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The largest time a cursor holds: where the due order puts the rows that have no due time.
NO_DUE = _EPOCH + timedelta(microseconds=10**17 - 1)


def encode_cursor(created_at: datetime, row_id: str) -> str:
    """The cursor after the row (`created_at`, `row_id`) in newest-first order."""
    micros = (created_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{row_id}"


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(created_at, id) of a cursor; ValueError naming it when it is not one of ours."""
    if not _CURSOR.fullmatch(cursor):
        raise ValueError(f"cursor {cursor!r} is not a cursor this store made")
    micros, _, row_id = cursor.partition(".")
    return _EPOCH + timedelta(microseconds=int(micros)), row_id


class _Row(Protocol):
    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> str: ...


class _DueRow(_Row, Protocol):
    @property
    def due_at(self) -> datetime | None: ...

    @property
    def due_warn_at(self) -> datetime | None: ...


R = TypeVar("R", bound=_Row)
D = TypeVar("D", bound=_DueRow)


def newest_key(row: _Row) -> tuple[datetime, str]:
    """A row's place in the newest-first order (descending)."""
    return row.created_at, row.id


def due_key(row: _DueRow) -> tuple[datetime, str]:
    """A row's place in the due order (ascending; no due time at `NO_DUE`, last)."""
    return (row.due_at if row.due_at is not None else NO_DUE), row.id


def cut(rows: Sequence[R], limit: int) -> tuple[tuple[R, ...], str | None]:
    """The page of `rows` (read newest first, `limit` + 1 of them when more exist) and the
    cursor after it, None when it is the last page."""
    page = tuple(rows[:limit])
    more = len(rows) > limit and bool(page)
    return page, encode_cursor(*newest_key(page[-1])) if more else None


def warned_key(row: _DueRow) -> tuple[datetime, str]:
    """A row's place in the warning order (ascending; no warning time at `NO_DUE`, last)."""
    return (row.due_warn_at if row.due_warn_at is not None else NO_DUE), row.id


def cut_by(
    rows: Sequence[D], limit: int, key: Callable[[D], tuple[datetime, str]]
) -> tuple[tuple[D, ...], str | None]:
    """`cut` for rows read in an ascending order of `key` (`due_key`, `warned_key`)."""
    page = tuple(rows[:limit])
    more = len(rows) > limit and bool(page)
    return page, encode_cursor(*key(page[-1])) if more else None
