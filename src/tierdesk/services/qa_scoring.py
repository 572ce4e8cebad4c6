"""A stored ticket as QA reads it, and its automatic score as a review row (R-QA-1).

`conversation` gathers what `tierdesk.domain.quality.score` needs from the store: the messages
(replies flagged when sent as an unedited template), the names a greeting may carry (the
business and the replying agents), whether the ticket is a complaint a framework guides (LAST,
HEARD), when identity was verified and the first account action applied (R-PROC-2), whether the
first response met its SLA (the ticket's clocks, `tierdesk.services.clocks`), and whether an
escalation told the customer when to expect an answer. `scored` turns the result into a
`QaReviewRecord`; `weighted` is the score of a set of verdicts (the domain's formula), so that
an override changes the stored score the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from tierdesk.domain import quality
from tierdesk.domain.events import TicketEvent
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.state import TicketStatus
from tierdesk.services import clocks
from tierdesk.services.approvals import ACCOUNT_ACTIONS
from tierdesk.services.ports import MessageRecord, UnitOfWork
from tierdesk.services.qa_records import QaReviewRecord, rounded
from tierdesk.services.records import TicketRecord
from tierdesk.services.unit import to_state

DONE = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


def first_response_met(
    rules: Rulebook, ticket: TicketRecord, events: Sequence[TicketEvent], now: datetime
) -> bool | None:
    """True when the first response came within its target, False when it missed it (or is
    overdue), None while it is not due yet or the ticket has no clock."""
    status = next(
        (
            s
            for s in clocks.views(rules, to_state(ticket), events, now)
            if s.clock == "first_response"
        ),
        None,
    )
    if status is None:
        return None
    if status.breached_by is not None:
        return False
    return True if status.stopped_at is not None else None


def agent_of(ticket: TicketRecord, messages: Sequence[MessageRecord]) -> str | None:
    """Whose conversation it is: the assignee, else the author of the last reply."""
    if ticket.assignee_id is not None:
        return ticket.assignee_id
    return next(
        (m.author_id for m in reversed(messages) if m.kind == "reply" and m.author_id), None
    )


def conversation(
    uow: UnitOfWork,
    rules: Rulebook,
    ticket: TicketRecord,
    events: Sequence[TicketEvent],
    now: datetime,
) -> tuple[quality.Conversation, list[MessageRecord]]:
    """The ticket as `quality.score` reads it, and its stored messages."""
    messages = uow.messages.for_ticket(ticket.id)
    authors = sorted({m.author_id for m in messages if m.kind == "reply" and m.author_id})
    names = [rules.business, *(u.display_name for a in authors if (u := uow.users.get(a)))]
    actions = [a.at for a in uow.actions.for_ticket(ticket.id) if a.action in ACCOUNT_ACTIONS]
    follow_up = any(e.expected_by is not None for e in uow.escalations.for_ticket(ticket.id))
    talk = quality.Conversation(
        language=ticket.language,
        messages=tuple(
            quality.Message(m.kind, m.body, m.created_at, m.template_unedited) for m in messages
        ),
        names=tuple(n for n in names if n),
        complaint=bool(rules.frameworks_for(ticket.category)),
        identity_verified_at=ticket.identity_verified_at,
        account_action_at=min(actions, default=None),
        first_response_met=first_response_met(rules, ticket, events, now),
        resolved=ticket.status in DONE,
        follow_up=follow_up,
    )
    return talk, messages


def score(rules: Rulebook, ticket: TicketRecord, talk: quality.Conversation) -> quality.QaResult:
    """The automatic result of the policy's checklist (and frameworks, on complaints)."""
    return quality.score(talk, rules.qa_checklist, rules.frameworks_for(ticket.category))


def result_json(result: quality.QaResult) -> dict[str, Any]:
    """The result as stored in `QaReviewRecord.result`."""
    return {
        "items": [asdict(i) for i in result.items],
        "coverage": [asdict(c) for c in result.framework_coverage],
        "unedited": list(result.unedited_templates),
    }


def weighted(rules: Rulebook, verdicts: Mapping[str, bool | None]) -> float | None:
    """The weighted share of the decided items that passed (None when none is decided): the
    formula of `quality.score`, items outside the checklist weighing 1."""
    weights = {q.id: q.weight for q in rules.qa_checklist}
    decided = [
        (passed, weights.get(i, 1.0)) for i, passed in verdicts.items() if passed is not None
    ]
    total = sum(w for _, w in decided)
    return rounded(sum(w for passed, w in decided if passed) / total) if total else None


def closed_at(ticket: TicketRecord) -> datetime:
    """When the ticket was resolved (closed, for one closed without resolving)."""
    return ticket.resolved_at or ticket.closed_at or ticket.updated_at


def scored(
    uow: UnitOfWork,
    rules: Rulebook,
    ticket: TicketRecord,
    events: Sequence[TicketEvent],
    now: datetime,
) -> tuple[QaReviewRecord, quality.QaResult, list[MessageRecord]]:
    """A new review row of `ticket` (not stored here), its result and the messages read."""
    talk, messages = conversation(uow, rules, ticket, events, now)
    result = score(rules, ticket, talk)
    verdicts = {i.id: i.passed for i in result.items}
    review = QaReviewRecord(
        ticket_id=ticket.id,
        ticket_version=ticket.version,
        agent_id=agent_of(ticket, messages),
        category=ticket.category,
        language=ticket.language,
        closed_at=closed_at(ticket),
        scored_at=now,
        auto_score=rounded(result.score),
        score=rounded(result.score),
        result=result_json(result),
        verdicts=verdicts,
    )
    return review, result, messages


def score_pending(uow: UnitOfWork, rules: Rulebook, now: datetime, limit: int) -> int:
    """Score up to `limit` resolved or closed tickets that have no current review (see
    `QaRepository.unscored`), in the open unit of work; how many were scored. The events of
    the batch are read at once; each ticket's messages, actions and escalations one by one."""
    ids = uow.qa.unscored(limit)
    if not ids:
        return 0
    events = uow.events.for_tickets(ids)
    for ticket_id in ids:
        ticket = uow.tickets.get(ticket_id)
        if ticket is None:  # pragma: no cover - listed from the tickets just now
            continue
        review, _result, _messages = scored(uow, rules, ticket, events[ticket_id], now)
        if not uow.qa.add_review(review):
            stored = uow.qa.get_review(ticket_id)
            if stored is not None and stored.reviewed_at is None:
                uow.qa.save_review(review)  # a stale, unreviewed score: replaced
    return len(ids)
