"""The tickets a simulation replays: real history from a CSV, or synthetic Poisson arrivals.

`Arrivals` holds one row per ticket, sorted by arrival time: the arrival instant (float seconds
since the Unix epoch, UTC) and what triage reads: the ticket's text (an index into a table of
distinct texts, so triage runs once per distinct text), or, for synthetic tickets, a category
drawn from the policy's expected shares. A history row may also name its category and priority.

`parse_tickets_csv` reads the CSV (`created_at` ISO 8601 with a UTC offset, `text`, optional
`category`, `priority`) and raises `ArrivalsError` naming file and line; it takes the lines, not
a path, so the caller does the I/O.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from tierdesk.domain.errors import DomainError
from tierdesk.domain.rulebook import Rulebook

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Synthetic tickets start on a Monday at midnight UTC: fixed, so a seed gives the same run.
SYNTHETIC_START = datetime(2026, 1, 5, tzinfo=UTC)


class ArrivalsError(DomainError):
    """Bad ticket input; the message names the file and line."""

    code = "bad_arrivals"


@dataclass(frozen=True)
class Arrivals:
    """Tickets in arrival order.

    `text_id[i]` indexes `texts` (-1: no text). `category[i]` / `priority[i]` index `labels`
    (-1: none given; triage or the policy decides). `lines[i]` is the source line (0 when
    synthetic), for error messages.
    """

    created_s: FloatArray
    text_id: IntArray
    texts: tuple[str, ...]
    category: IntArray
    priority: IntArray
    labels: tuple[str, ...]
    lines: IntArray
    source: str = "synthetic"

    def __len__(self) -> int:
        return len(self.created_s)


def parse_tickets_csv(lines: Iterable[str], source: str) -> Arrivals:
    """Tickets from CSV text with a header row: `created_at`, `text`, optional `category` and
    `priority`. Raises ArrivalsError ("FILE:LINE: ...") on a missing column, a bad or naive
    timestamp, or an empty file. Rows are sorted by arrival (stable)."""
    reader = csv.DictReader(iter(lines))
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise ArrivalsError(f"{source}:1: not CSV: {exc}") from None
    missing = [c for c in ("created_at", "text") if header is None or c not in header]
    if missing:
        raise ArrivalsError(f"{source}:1: the header needs column(s) {', '.join(missing)}")
    created: list[float] = []
    text_ids: list[int] = []
    cats: list[int] = []
    pris: list[int] = []
    line_nos: list[int] = []
    texts: dict[str, int] = {}
    labels: dict[str, int] = {}
    try:
        for row in reader:
            where = f"{source}:{reader.line_num}"
            created.append(_timestamp(row.get("created_at"), where))
            text = (row.get("text") or "").strip()
            text_ids.append(texts.setdefault(text, len(texts)) if text else -1)
            cats.append(_label(row.get("category"), labels))
            pris.append(_label(row.get("priority"), labels))
            line_nos.append(reader.line_num)
    except csv.Error as exc:
        raise ArrivalsError(f"{source}:{reader.line_num}: not CSV: {exc}") from None
    if not created:
        raise ArrivalsError(f"{source}: no tickets in the file")
    order = np.argsort(np.asarray(created), kind="stable")
    return Arrivals(
        created_s=np.asarray(created, dtype=np.float64)[order],
        text_id=np.asarray(text_ids, dtype=np.int64)[order],
        texts=tuple(texts),
        category=np.asarray(cats, dtype=np.int64)[order],
        priority=np.asarray(pris, dtype=np.int64)[order],
        labels=tuple(labels),
        lines=np.asarray(line_nos, dtype=np.int64)[order],
        source=source,
    )


def synthetic_arrivals(
    rules: Rulebook,
    count: int,
    rate_per_hour: float,
    rng: np.random.Generator,
    *,
    start: datetime = SYNTHETIC_START,
) -> Arrivals:
    """`count` Poisson arrivals at `rate_per_hour` from `start`, each with a category drawn
    from the policy's expected shares (see `category_shares`). No text: triage is the
    category's priority and tier."""
    if count < 1:
        raise ValueError(f"the number of synthetic tickets must be at least 1, got {count}")
    if not rate_per_hour > 0:
        raise ValueError(f"the arrival rate must be above 0 per hour, got {rate_per_hour}")
    gaps = rng.exponential(3600.0 / rate_per_hour, size=count)
    created = start.timestamp() + np.cumsum(gaps)
    shares = category_shares(rules)
    cats = rng.choice(len(shares), size=count, p=shares).astype(np.int64)
    return Arrivals(
        created_s=created,
        text_id=np.full(count, -1, dtype=np.int64),
        texts=(),
        category=cats,
        priority=np.full(count, -1, dtype=np.int64),
        labels=tuple(c.id for c in rules.categories),
        lines=np.zeros(count, dtype=np.int64),
    )


def category_shares(rules: Rulebook) -> FloatArray:
    """The share of each policy category (in policy order), summing to 1: the expected shares
    as written, categories without one splitting what is left equally (all equal when no
    category has a share; shares above 100% in total are scaled down)."""
    given = np.array([c.expected_share or 0.0 for c in rules.categories], dtype=np.float64)
    unset = np.array([c.expected_share is None for c in rules.categories])
    rest = max(0.0, 1.0 - float(given.sum()))
    if unset.any():
        given[unset] = rest / int(unset.sum())
    if given.sum() <= 0:
        given[:] = 1.0
    return np.asarray(given / given.sum(), dtype=np.float64)


def _timestamp(raw: str | None, where: str) -> float:
    text = (raw or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ArrivalsError(f"{where}: created_at {text!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ArrivalsError(f"{where}: created_at {text!r} has no UTC offset (e.g. +08:00 or Z)")
    return moment.timestamp()


def _label(raw: str | None, labels: dict[str, int]) -> int:
    text = (raw or "").strip()
    return labels.setdefault(text, len(labels)) if text else -1
