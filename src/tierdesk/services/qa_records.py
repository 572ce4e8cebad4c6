"""Records of QA reviews (R-QA-1): what the `QaRepository` port takes and returns.

A review row holds a resolved ticket's automatic score (stored once, the first time QA needs
it: see `tierdesk.services.qa`) and the verdicts with the QA specialists' overrides; every
override is kept beside it, with its comment, as the review's history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class QaReviewRecord:
    """One ticket's review; `ticket_id` is unique.

    `ticket_version` is the ticket version that was scored (a ticket that changed before anyone
    reviewed it is scored again). `agent_id`: whose conversation it is (the assignee, else the
    author of the last reply). `closed_at`: when the ticket was resolved (or closed), the time a
    scorecard's range reads. `result` is the automatic result as JSON: `items` (id, passed,
    evidence, reason), `coverage` (framework, step, covered, evidence) and `unedited` (the
    first sentence of each reply sent as an unedited template). `verdicts` maps each item id to
    passed (true, false, or null: not shown) after the overrides, and `score` is the weighted
    share passed of those; `auto_score` the same before any override (both to SCORE_DIGITS
    decimals). `reviewed_by` /
    `reviewed_at` are set when a QA specialist overrides an item or confirms the score."""

    ticket_id: str
    ticket_version: int
    agent_id: str | None
    category: str
    language: str
    closed_at: datetime
    scored_at: datetime
    auto_score: float | None
    score: float | None
    result: dict[str, Any]
    verdicts: dict[str, Any]
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None


@dataclass(frozen=True)
class QaOverrideRecord:
    """A QA specialist set one checklist item of a review (None: not shown), saying why."""

    id: str
    ticket_id: str
    item_id: str
    passed: bool | None
    comment: str
    reviewer_id: str
    at: datetime


@dataclass(frozen=True)
class QaQueuePage:
    """Reviews waiting for a QA specialist, lowest automatic score first (a review whose items
    could not be scored at all comes last), then by ticket id; `next_cursor` is opaque, None
    on the last page."""

    items: tuple[QaReviewRecord, ...]
    next_cursor: str | None


# A review none of whose items could be scored sorts after every scored one.
UNSCORED_KEY = 2.0
# Scores are stored to 9 decimals, so a queue cursor writes its key in positional digits (no
# exponent) and every string of the pattern is a key a store can page from (0 to 2).
SCORE_DIGITS = 9
QUEUE_CURSOR_PATTERN = r"^([01](\.[0-9]{1,20})?|2(\.0{1,20})?)~[A-Za-z0-9_-]{1,100}$"
_QUEUE_CURSOR = re.compile(QUEUE_CURSOR_PATTERN)


def rounded(score: float | None) -> float | None:
    """A score as stored: to SCORE_DIGITS decimals."""
    return None if score is None else round(score, SCORE_DIGITS)


def queue_key(auto_score: float | None) -> float:
    """Where a review sorts in the QA queue: its automatic score, UNSCORED_KEY for none."""
    return UNSCORED_KEY if auto_score is None else auto_score


def encode_queue_cursor(review: QaReviewRecord) -> str:
    """The cursor after `review` in queue order: the key in positional digits (the shortest
    that read back to the same number) and the ticket id."""
    key = format(Decimal(repr(queue_key(review.auto_score))), "f")
    return f"{key}~{review.ticket_id}"


def decode_queue_cursor(cursor: str) -> tuple[float, str]:
    """(key, ticket id) of a queue cursor; ValueError naming it when it is not one of ours."""
    if not _QUEUE_CURSOR.fullmatch(cursor):
        raise ValueError(f"cursor {cursor!r} is not a cursor of the QA queue")
    key_text, _, ticket_id = cursor.partition("~")
    return float(key_text), ticket_id
