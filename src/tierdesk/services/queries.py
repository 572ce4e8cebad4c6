"""Reading tickets: one ticket with everything about it, and lists with cursor paging."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from tierdesk.domain.events import TicketEvent
from tierdesk.domain.sla import ClockStatus
from tierdesk.services import clocks
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import (
    ActionRecord,
    ApprovalRecord,
    CallRecord,
    EscalationRecord,
    MessageRecord,
    OutboxRecord,
    SurveyRecord,
    TicketFilter,
    TicketOrder,
    TicketPage,
    TicketRecord,
)
from tierdesk.services.unit import to_state
from tierdesk.services.users import NOTE_ROLES, actor


@dataclass(frozen=True)
class TicketView:
    """A ticket with everything an agent reads about it."""

    ticket: TicketRecord
    messages: tuple[MessageRecord, ...]
    events: tuple[TicketEvent, ...]
    clocks: tuple[ClockStatus, ...]
    outbox: tuple[OutboxRecord, ...]
    escalations: tuple[EscalationRecord, ...]
    approvals: tuple[ApprovalRecord, ...]
    actions: tuple[ActionRecord, ...]
    calls: tuple[CallRecord, ...]
    surveys: tuple[SurveyRecord, ...]


def get_ticket(env: Env, ticket_id: str, *, actor_id: str) -> TicketView:
    """One ticket with its messages, events, clock statuses, queued messages, escalations,
    approvals, actions, calls and surveys."""
    with env.reader() as uow:
        return ticket_view(env, uow, ticket_id, actor_id=actor_id)


def ticket_view(env: Env, uow: UnitOfWork, ticket_id: str, *, actor_id: str) -> TicketView:
    """`get_ticket` read in the caller's (read-only) unit of work."""
    actor(uow, actor_id, NOTE_ROLES, "read tickets")
    ticket = uow.tickets.get(ticket_id)
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    events = uow.events.for_ticket(ticket_id)
    return TicketView(
        ticket,
        tuple(uow.messages.for_ticket(ticket_id)),
        tuple(events),
        tuple(clocks.views(env.rules, to_state(ticket), events, env.now())),
        tuple(uow.outbox.for_ticket(ticket_id)),
        tuple(uow.escalations.for_ticket(ticket_id)),
        tuple(uow.approvals.for_ticket(ticket_id)),
        tuple(uow.actions.for_ticket(ticket_id)),
        tuple(uow.calls.for_ticket(ticket_id)),
        tuple(uow.surveys.for_ticket(ticket_id)),
    )


def in_order(
    filters: TicketFilter, now: datetime, *, at_risk: bool = False, by_due: bool = False
) -> TicketFilter:
    """`filters` in the store's order: newest first; with `by_due` the running clock due first
    (no clock last); with `at_risk` only the tickets whose running clock warns or is breached
    by `now` ("breaching soon"), the one that warned first first (the store reads only those)."""
    order: TicketOrder = "warned" if at_risk else "due" if by_due else "new"
    return replace(filters, order=order, warned_by=now if at_risk else None)


def list_tickets(
    env: Env,
    filters: TicketFilter,
    *,
    actor_id: str,
    limit: int = 50,
    cursor: str | None = None,
    at_risk: bool = False,
    by_due: bool = False,
) -> TicketPage:
    """Tickets matching `filters`, `limit` (1-200) per page, in the order `in_order` gives."""
    if not 1 <= limit <= 200:
        raise InvalidInput("limit", "must be 1-200", value=limit)
    filters = in_order(filters, env.now(), at_risk=at_risk, by_due=by_due)
    defined = [p.id for p in env.rules.priorities]
    unknown = [p for p in filters.priority if p not in defined]
    if unknown:
        raise InvalidInput(
            "priority", f"{', '.join(unknown)}: the policy defines {', '.join(defined)}"
        )
    with env.reader() as uow:
        actor(uow, actor_id, NOTE_ROLES, "list tickets")
        try:
            return uow.tickets.search(filters, limit=limit, cursor=cursor)
        except ValueError as exc:
            raise InvalidInput("cursor", str(exc)) from exc
