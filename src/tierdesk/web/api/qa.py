"""QA reviews (issue 14, R-QA-1): the review queue, one ticket's review with its evidence, an
override of one checklist item (with a comment), confirming a review, and agent scorecards.
Roles are the service's (`tierdesk.services.qa.QA_ROLES`: QA, leads and admins)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from tierdesk.services import qa
from tierdesk.services.qa_cards import Scorecard
from tierdesk.services.qa_records import QUEUE_CURSOR_PATTERN, QaOverrideRecord
from tierdesk.web.api.common import State, invalid_field
from tierdesk.web.auth import CurrentUser
from tierdesk.web.schemas import Strict

router = APIRouter(prefix="/qa", tags=["qa"])
TicketId = Annotated[str, Path(min_length=1, max_length=100)]
ItemId = Annotated[str, Path(min_length=1, max_length=64)]
DEFAULT_DAYS = 30


class OverrideIn(Strict):
    passed: bool | None = Field(
        description="true, false, or null: the conversation does not show it."
    )
    comment: str = Field(min_length=1, max_length=qa.COMMENT_MAX, description="Why (required).")


class OverrideOut(BaseModel):
    item_id: str
    passed: bool | None
    comment: str
    reviewer_id: str
    reviewer: str
    at: datetime


class ItemOut(BaseModel):
    id: str
    text: dict[str, str] = Field(description="The checklist's criterion by language.")
    weight: float
    auto: bool | None = Field(description="The automatic verdict (null: not shown by the text).")
    passed: bool | None = Field(description="The verdict in force (the last override's).")
    evidence: str = Field(description="The sentence that shows it.")
    reason: str
    override: OverrideOut | None


class StepOut(BaseModel):
    framework: str
    step: str
    covered: bool
    evidence: str


class ReviewOut(BaseModel):
    ticket_id: str
    subject: str
    status: str
    language: str
    category: str
    stored: bool = Field(description="False for a ticket not resolved yet (scored as it stands).")
    agent_id: str | None
    agent: str
    auto_score: float | None = Field(description="0-1, before the overrides.")
    score: float | None = Field(description="0-1, with the overrides in force.")
    items: list[ItemOut]
    coverage: list[StepOut] = Field(description="LAST / HEARD steps, on complaints.")
    unedited_templates: list[str] = Field(description="Replies sent as an unedited template.")
    overrides: list[OverrideOut] = Field(description="Every override, oldest first.")
    reviewed_by: str | None
    reviewed_at: datetime | None


class QueueItemOut(BaseModel):
    ticket_id: str
    subject: str
    agent_id: str | None
    agent: str
    category: str
    language: str
    closed_at: datetime
    auto_score: float | None
    failed: list[str] = Field(description="The items the automatic score failed.")


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    next_cursor: str | None


class ItemRateOut(BaseModel):
    id: str
    passed: int
    decided: int
    rate: float | None


class WeekOut(BaseModel):
    week: date = Field(description="The Monday, in the policy's time zone.")
    scored: int
    mean_score: float | None


class ScorecardOut(BaseModel):
    agent_id: str | None
    agent: str
    scored: int
    reviewed: int
    mean_score: float | None
    items: list[ItemRateOut]
    weeks: list[WeekOut]
    unedited_templates: int


class ScorecardsOut(BaseModel):
    since: datetime
    until: datetime
    items: list[str]
    agents: list[ScorecardOut]
    everyone: ScorecardOut


def _override(o: QaOverrideRecord, names: dict[str, str]) -> OverrideOut:
    return OverrideOut(
        item_id=o.item_id,
        passed=o.passed,
        comment=o.comment,
        reviewer_id=o.reviewer_id,
        reviewer=names.get(o.reviewer_id, o.reviewer_id),
        at=o.at,
    )


def review_out(r: qa.Review) -> ReviewOut:
    names = r.names
    return ReviewOut(
        ticket_id=r.ticket.id,
        subject=r.ticket.subject,
        status=r.ticket.status,
        language=r.ticket.language,
        category=r.ticket.category,
        stored=r.stored,
        agent_id=r.agent_id,
        agent=names.get(r.agent_id, r.agent_id) if r.agent_id else "",
        auto_score=r.auto_score,
        score=r.score,
        items=[
            ItemOut(
                id=i.id,
                text=dict(i.text.texts),
                weight=i.weight,
                auto=i.auto,
                passed=i.passed,
                evidence=i.evidence,
                reason=i.reason,
                override=_override(i.override, names) if i.override else None,
            )
            for i in r.items
        ],
        coverage=[
            StepOut(framework=c.framework, step=c.step, covered=c.covered, evidence=c.evidence)
            for c in r.coverage
        ],
        unedited_templates=list(r.unedited),
        overrides=[_override(o, names) for o in r.overrides],
        reviewed_by=r.reviewed_by,
        reviewed_at=r.reviewed_at,
    )


def _card(c: Scorecard) -> ScorecardOut:
    return ScorecardOut(
        agent_id=c.agent_id,
        agent=c.name,
        scored=c.scored,
        reviewed=c.reviewed,
        mean_score=c.mean_score,
        items=[
            ItemRateOut(id=i.id, passed=i.passed, decided=i.decided, rate=i.rate) for i in c.items
        ],
        weeks=[WeekOut(week=w.week, scored=w.scored, mean_score=w.mean_score) for w in c.weeks],
        unedited_templates=c.unedited_templates,
    )


@router.get("/queue", response_model=QueueOut)
def review_queue(
    user: CurrentUser,
    state: State,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=140, pattern=QUEUE_CURSOR_PATTERN, description="next_cursor")
    ] = None,
    agent: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> QueueOut:
    """Resolved and closed tickets not yet reviewed, lowest automatic score first."""
    page = qa.queue(state.env, actor_id=user.user_id, limit=limit, cursor=cursor, agent_id=agent)
    return QueueOut(
        items=[
            QueueItemOut(
                ticket_id=e.review.ticket_id,
                subject=e.subject,
                agent_id=e.review.agent_id,
                agent=page.names.get(e.review.agent_id, e.review.agent_id)
                if e.review.agent_id
                else "",
                category=e.review.category,
                language=e.review.language,
                closed_at=e.review.closed_at,
                auto_score=e.review.auto_score,
                failed=list(e.failed),
            )
            for e in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get("/tickets/{ticket_id}", response_model=ReviewOut)
def get_review(ticket_id: TicketId, user: CurrentUser, state: State) -> ReviewOut:
    """One ticket's review: each checklist item with its evidence, the overrides in force."""
    return review_out(qa.review(state.env, ticket_id=ticket_id, actor_id=user.user_id))


@router.put("/tickets/{ticket_id}/items/{item_id}", response_model=ReviewOut)
def override_item(
    ticket_id: TicketId, item_id: ItemId, body: OverrideIn, user: CurrentUser, state: State
) -> ReviewOut:
    """Override one item, saying why. 422 `unknown_qa_item` names the valid items; 409 for a
    ticket not resolved; 403 for agents and for one's own conversation."""
    done = qa.override(
        state.env,
        ticket_id=ticket_id,
        item_id=item_id,
        passed=body.passed,
        comment=body.comment,
        actor_id=user.user_id,
    )
    return review_out(done)


@router.post("/tickets/{ticket_id}/confirm", response_model=ReviewOut)
def confirm_review(ticket_id: TicketId, user: CurrentUser, state: State) -> ReviewOut:
    """Accept the review as it stands: it leaves the queue."""
    return review_out(qa.confirm(state.env, ticket_id=ticket_id, actor_id=user.user_id))


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)
_INSTANT = timedelta(microseconds=1)


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise invalid_field(f"query.{name}", "give a time zone offset, e.g. 2026-11-01T00:00Z")
    if not _EARLIEST <= value <= _LATEST:
        raise invalid_field(f"query.{name}", "must be between 1970 and 9000")
    return value


@router.get("/scorecards", response_model=ScorecardsOut)
def scorecards(
    user: CurrentUser,
    state: State,
    since: Annotated[
        datetime | None, Query(description="Start (default: until - 30 days).")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="End, exclusive (default: now, inclusive).")
    ] = None,
    agent: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> ScorecardsOut:
    """Per agent, the tickets resolved in [since, until): scored, reviewed, mean score, pass
    rate per item, unedited templates and the mean per week."""
    env = state.env
    # by default up to now, inclusive: a ticket resolved this instant is counted
    end = _aware(until, "until") or env.now() + _INSTANT
    start = _aware(since, "since") or end - timedelta(days=DEFAULT_DAYS)
    found = qa.scorecards(env, actor_id=user.user_id, since=start, until=end, agent_id=agent)
    return ScorecardsOut(
        since=found.since,
        until=found.until,
        items=list(found.items),
        agents=[_card(c) for c in found.agents],
        everyone=_card(found.everyone),
    )
