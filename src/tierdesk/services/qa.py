"""QA reviews (issue 14, R-QA-1): every resolved conversation scored against the policy's QA
checklist with evidence, QA specialists' overrides with a comment, and agent scorecards.

The automatic score is stored once per resolved ticket (`qa_reviews`), the first time QA needs
it: the queue, a scorecard or a review page scores the resolved and closed tickets that have no
current score yet (`qa_scoring.score_pending`, in batches), so each is scored once, never per
request; a ticket that changed (reopened, closed) before anyone reviewed it is scored again.
The resolve command stays as it is (nothing is added to every resolution), and a score taken
when QA looks sees the conversation as it ended. Scorecards then read the stored rows in one
pass (`qa_cards`), with no rescoring.

Who: QA specialists, leads (team lead, supervisor, manager) and admins (`QA_ROLES`); agents are
refused. Nobody overrides the score of their own conversation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tierdesk.domain.model import LocalText
from tierdesk.domain.quality import StepCoverage
from tierdesk.services import qa_scoring
from tierdesk.services.env import Env
from tierdesk.services.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, Rejected
from tierdesk.services.ports import MessageRecord, QaOverrideRecord, QaReviewRecord, UnitOfWork
from tierdesk.services.qa_cards import Scorecards, cards
from tierdesk.services.records import TicketRecord, UserRecord, new_id
from tierdesk.services.users import LEAD_ROLES, actor

QA_ROLES = LEAD_ROLES | {"qa", "admin"}
COMMENT_MAX = 2000
SCORE_BATCH = 100  # tickets scored per read of the store
SCORE_CAP = 1000  # at most this many scored by one request (the rest by the next)
MAX_RANGE_DAYS = 400


class UnknownQaItem(Rejected):
    """The item is not on the review's checklist: `data["valid"]` lists those that are."""

    code = "unknown_qa_item"


@dataclass(frozen=True)
class ItemView:
    """One checklist item of a review: the automatic verdict with its evidence and reason,
    the verdict in force (`passed`: the last override's, else the automatic one) and the last
    override, if any."""

    id: str
    text: LocalText
    weight: float
    auto: bool | None
    passed: bool | None
    evidence: str
    reason: str
    override: QaOverrideRecord | None = None


@dataclass(frozen=True)
class Review:
    """A ticket's review. `stored` is False for a ticket not resolved yet (scored as it
    stands, nothing kept, no override taken)."""

    ticket: TicketRecord
    stored: bool
    auto_score: float | None
    score: float | None
    items: tuple[ItemView, ...]
    coverage: tuple[StepCoverage, ...]
    unedited: tuple[str, ...]
    overrides: tuple[QaOverrideRecord, ...]
    messages: tuple[MessageRecord, ...]
    agent_id: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    names: dict[str, str]  # user id -> display name (the agent, the reviewers, the authors)


@dataclass(frozen=True)
class QueueEntry:
    review: QaReviewRecord
    subject: str
    failed: tuple[str, ...]  # the items the automatic score failed


@dataclass(frozen=True)
class QueuePage:
    items: tuple[QueueEntry, ...]
    next_cursor: str | None
    names: dict[str, str]


def _fill(uow: UnitOfWork, env: Env, cap: int = SCORE_CAP) -> int:
    """Score what is pending (see the module doc), committing each batch."""
    done = 0
    while done < cap:
        n = qa_scoring.score_pending(uow, env.rules, env.now(), min(SCORE_BATCH, cap - done))
        uow.commit()
        done += n
        if n < SCORE_BATCH:
            break
    return done


def score_all(env: Env, *, progress: Callable[[int], None] | None = None) -> int:
    """Score every resolved and closed ticket that has no current score (an imported history,
    say), batch by batch, each committed: how many were scored. `progress` is told each
    batch's count. An operator's command (the CLI's `tierdesk qa score`): no user is asked."""
    done = 0
    while True:
        with env.uow() as uow:
            n = qa_scoring.score_pending(uow, env.rules, env.now(), SCORE_BATCH)
            uow.commit()
        done += n
        if progress is not None and n:
            progress(n)
        if n < SCORE_BATCH:
            return done


def _names(uow: UnitOfWork, ids: set[str | None]) -> dict[str, str]:
    found = (uow.users.get(i) for i in sorted(i for i in ids if i))
    return {u.id: u.display_name for u in found if u is not None}


def _view(
    env: Env,
    uow: UnitOfWork,
    ticket: TicketRecord,
    record: QaReviewRecord,
    stored: bool,
    messages: list[MessageRecord],
) -> Review:
    overrides = uow.qa.overrides(ticket.id) if stored else []
    last = {o.item_id: o for o in overrides}
    checklist = {q.id: q for q in env.rules.qa_checklist}
    items = []
    for raw in record.result["items"]:
        q = checklist.get(raw["id"])
        items.append(
            ItemView(
                id=raw["id"],
                text=q.text if q is not None else LocalText(),
                weight=q.weight if q is not None else 1.0,
                auto=raw["passed"],
                passed=record.verdicts.get(raw["id"], raw["passed"]),
                evidence=raw["evidence"],
                reason=raw["reason"],
                override=last.get(raw["id"]),
            )
        )
    people = {record.agent_id, record.reviewed_by, *(o.reviewer_id for o in overrides)}
    people |= {m.author_id for m in messages}
    return Review(
        ticket=ticket,
        stored=stored,
        auto_score=record.auto_score,
        score=record.score,
        items=tuple(items),
        coverage=tuple(StepCoverage(**c) for c in record.result["coverage"]),
        unedited=tuple(record.result["unedited"]),
        overrides=tuple(overrides),
        messages=tuple(messages),
        agent_id=record.agent_id,
        reviewed_by=record.reviewed_by,
        reviewed_at=record.reviewed_at,
        names=_names(uow, people),
    )


def _current(env: Env, uow: UnitOfWork, ticket_id: str) -> tuple[TicketRecord, QaReviewRecord]:
    """The ticket and its stored review, scored now if it has none current (resolved or
    closed tickets only: InvalidTransition otherwise)."""
    ticket = uow.tickets.get(ticket_id)
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    if ticket.status not in qa_scoring.DONE:
        raise InvalidTransition(
            f"ticket {ticket_id} is {ticket.status}: QA reviews resolved or closed tickets",
            ticket_id=ticket_id,
            status=ticket.status,
        )
    record = uow.qa.get_review(ticket_id)
    if record is None or (record.reviewed_at is None and record.ticket_version != ticket.version):
        events = uow.events.for_ticket(ticket_id)
        fresh, _result, _messages = qa_scoring.scored(uow, env.rules, ticket, events, env.now())
        if not uow.qa.add_review(fresh):
            uow.qa.save_review(fresh)
        record = fresh
    return ticket, record


def review(env: Env, *, ticket_id: str, actor_id: str) -> Review:
    """The ticket's review: the stored automatic score (taken now if there is none current)
    with the overrides in force. A ticket not resolved yet is scored as it stands and
    nothing is stored (`Review.stored` False)."""
    with env.uow() as uow:
        actor(uow, actor_id, QA_ROLES, "read QA reviews")
        ticket = uow.tickets.get(ticket_id)
        if ticket is None:
            raise NotFound("ticket", ticket_id)
        if ticket.status not in qa_scoring.DONE:
            events = uow.events.for_ticket(ticket_id)
            live, _result, messages = qa_scoring.scored(uow, env.rules, ticket, events, env.now())
            return _view(env, uow, ticket, live, False, messages)
        ticket, record = _current(env, uow, ticket_id)
        uow.commit()
        return _view(env, uow, ticket, record, True, uow.messages.for_ticket(ticket_id))


def _reviewer(uow: UnitOfWork, actor_id: str, record: QaReviewRecord, command: str) -> UserRecord:
    user = actor(uow, actor_id, QA_ROLES, command)
    if record.agent_id == user.id:
        raise Forbidden(
            f"{user.username} may not {command} of their own conversation",
            ticket_id=record.ticket_id,
            command=command,
        )
    return user


def override(
    env: Env,
    *,
    ticket_id: str,
    item_id: str,
    passed: bool | None,
    comment: str,
    actor_id: str,
) -> Review:
    """Set one checklist item of a resolved ticket's review (None: the conversation does not
    show it), saying why in `comment` (required). The review's score is recomputed with the
    weights of the checklist and the review counts as reviewed by the actor. UnknownQaItem
    names the item and the valid ones; Forbidden for agents and for one's own conversation."""
    text = comment.strip()
    if not text:
        raise InvalidInput("comment", "say why the item is overridden")
    if len(text) > COMMENT_MAX:
        raise InvalidInput("comment", f"at most {COMMENT_MAX} characters")
    with env.uow() as uow:
        actor(uow, actor_id, QA_ROLES, "override QA items")
        ticket, record = _current(env, uow, ticket_id)
        user = _reviewer(uow, actor_id, record, "override the QA score")
        if item_id not in record.verdicts:
            valid = list(record.verdicts)
            raise UnknownQaItem(
                f"{item_id!r} is not an item of this review; use one of {', '.join(valid)}",
                field="item_id",
                item_id=item_id,
                valid=valid,
            )
        now = env.now()
        uow.qa.add_override(
            QaOverrideRecord(new_id("qo"), ticket_id, item_id, passed, text, user.id, now)
        )
        verdicts: dict[str, Any] = {**record.verdicts, item_id: passed}
        record = replace(
            record,
            verdicts=verdicts,
            score=qa_scoring.weighted(env.rules, verdicts),
            reviewed_by=user.id,
            reviewed_at=now,
        )
        uow.qa.save_review(record)
        uow.commit()
        return _view(env, uow, ticket, record, True, uow.messages.for_ticket(ticket_id))


def confirm(env: Env, *, ticket_id: str, actor_id: str) -> Review:
    """A QA specialist accepts the review as it stands: it leaves the queue (reviewed by the
    actor). Confirming a reviewed ticket again changes nothing."""
    with env.uow() as uow:
        actor(uow, actor_id, QA_ROLES, "confirm QA reviews")
        ticket, record = _current(env, uow, ticket_id)
        user = _reviewer(uow, actor_id, record, "confirm the QA score")
        if record.reviewed_at is None:
            record = replace(record, reviewed_by=user.id, reviewed_at=env.now())
            uow.qa.save_review(record)
        uow.commit()
        return _view(env, uow, ticket, record, True, uow.messages.for_ticket(ticket_id))


def queue(
    env: Env,
    *,
    actor_id: str,
    limit: int = 50,
    cursor: str | None = None,
    agent_id: str | None = None,
) -> QueuePage:
    """Resolved and closed tickets not yet reviewed, lowest automatic score first (scoring
    those not scored yet first); `cursor` is the previous page's `next_cursor`."""
    if not 1 <= limit <= 200:
        raise InvalidInput("limit", "must be 1-200", value=limit)
    with env.uow() as uow:
        actor(uow, actor_id, QA_ROLES, "read the QA queue")
        _fill(uow, env)
        try:
            page = uow.qa.queue(limit=limit, cursor=cursor, agent_id=agent_id)
        except ValueError as exc:
            raise InvalidInput("cursor", str(exc)) from None
        entries = []
        for r in page.items:
            ticket = uow.tickets.get(r.ticket_id)
            failed = tuple(i["id"] for i in r.result["items"] if i["passed"] is False)
            entries.append(QueueEntry(r, ticket.subject if ticket else "", failed))
        names = _names(uow, {r.agent_id for r in page.items})
        return QueuePage(tuple(entries), page.next_cursor, names)


def scorecards(
    env: Env, *, actor_id: str, since: datetime, until: datetime, agent_id: str | None = None
) -> Scorecards:
    """Per agent, the tickets resolved in [since, until): how many were scored and reviewed,
    the mean score, the pass rate of each item and the mean per week (in the policy's time
    zone), with the overrides in force; and the same for everyone together."""
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidInput("since", "give a time zone offset")
    if until <= since:
        raise InvalidInput("until", "must be after since")
    if (until - since).days > MAX_RANGE_DAYS:
        raise InvalidInput("until", f"a scorecard covers at most {MAX_RANGE_DAYS} days")
    with env.uow() as uow:
        actor(uow, actor_id, QA_ROLES, "read QA scorecards")
        _fill(uow, env)
        rows = uow.qa.reviews(since, until, agent_id)
        names = _names(uow, {r.agent_id for r in rows})
    zone = env.rules.calendars[0].timezone if env.rules.calendars else "UTC"
    items = tuple(q.id for q in env.rules.qa_checklist)
    return cards(rows, since=since, until=until, items=items, names=names, zone=zone)
