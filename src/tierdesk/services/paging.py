"""Opaque cursors for newest-first pages (created_at desc, id desc), shared by every store.

A cursor names the last row of a page; the next page holds the rows strictly after it in that
order. Stores decode a cursor with `decode_cursor` (ValueError naming it when it is not one of
ours) and make one with `encode_cursor`; callers only pass it back.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar


def encode_cursor(created_at: datetime, row_id: str) -> str:
    """The cursor after the row (`created_at`, `row_id`) in newest-first order."""
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(created_at, id) of a cursor; ValueError naming it when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        at, sep, row_id = text.partition("|")
        when = datetime.fromisoformat(at)
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise ValueError(f"cursor {cursor!r} is not a cursor this store made") from exc
    if not sep or not row_id or when.tzinfo is None:
        raise ValueError(f"cursor {cursor!r} is not a cursor this store made")
    return when, row_id


class _Row(Protocol):
    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Row)


def cut(rows: Sequence[R], limit: int) -> tuple[tuple[R, ...], str | None]:
    """The page of `rows` (read newest first, `limit` + 1 of them when more exist) and the
    cursor after it, None when it is the last page."""
    page = tuple(rows[:limit])
    more = len(rows) > limit and bool(page)
    return page, encode_cursor(page[-1].created_at, page[-1].id) if more else None
