"""Records of QA reviews (R-QA-1): what the `QaRepository` port takes and returns.

A review row holds a resolved ticket's automatic score (stored once, the first time QA needs
it: see `tierdesk.services.qa`) and the verdicts with the QA specialists' overrides; every
override is kept beside it, with its comment, as the review's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    share passed of those; `auto_score` the same before any override. `reviewed_by` /
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
QUEUE_CURSOR_PATTERN = r"^[0-9][0-9.e+-]{0,30}~[A-Za-z0-9_-]{1,100}$"
_MAX_KEY = UNSCORED_KEY


def queue_key(auto_score: float | None) -> float:
    """Where a review sorts in the QA queue: its automatic score, UNSCORED_KEY for none."""
    return UNSCORED_KEY if auto_score is None else auto_score


def encode_queue_cursor(review: QaReviewRecord) -> str:
    """The cursor after `review` in queue order (the key as Python writes the float, which
    reads back to the same number)."""
    return f"{queue_key(review.auto_score)!r}~{review.ticket_id}"


def decode_queue_cursor(cursor: str) -> tuple[float, str]:
    """(key, ticket id) of a queue cursor; ValueError naming it when it is not one of ours."""
    key_text, sep, ticket_id = cursor.partition("~")
    try:
        key = float(key_text)
    except ValueError:
        key = -1.0
    if not sep or not ticket_id or not 0.0 <= key <= _MAX_KEY:
        raise ValueError(f"cursor {cursor!r} is not a cursor of the QA queue")
    return key, ticket_id
