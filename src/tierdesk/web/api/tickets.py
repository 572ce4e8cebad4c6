"""Tickets: create (logged by an agent), list with filters and cursor paging, read one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Response

from tierdesk.services import queries, tickets
from tierdesk.services.customers import Contact
from tierdesk.services.paging import CURSOR_PATTERN
from tierdesk.services.queries import TicketView
from tierdesk.services.records import TicketFilter, TicketPage, TicketRecord
from tierdesk.web.api.common import State, tagged
from tierdesk.web.auth import CurrentUser
from tierdesk.web.schemas import Priority, Status, TicketIn
from tierdesk.web.ticket_out import TicketOut, TicketPageOut, TicketViewOut

router = APIRouter(prefix="/tickets", tags=["tickets"])

TicketId = Annotated[str, Path(min_length=1, max_length=100)]
Filter = Annotated[str | None, Query(min_length=1, max_length=100)]


@router.post("", status_code=201, response_model=TicketOut)
def create_ticket(
    body: TicketIn,
    user: CurrentUser,
    state: State,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=150)
    ] = None,
) -> TicketRecord:
    """Log a ticket for a customer (a call, a walk-in). 200 when the key was seen before."""
    contact = Contact(body.contact.kind, body.contact.value, body.contact.name)
    opened = tickets.open_ticket(
        state.env,
        channel=body.channel,
        text=body.text,
        contact=contact,
        subject=body.subject,
        language=body.language,
        related_to=body.related_to,
        actor_id=user.user_id,
        idempotency_key=f"user:{user.user_id}:{idempotency_key}" if idempotency_key else None,
    )
    if not opened.created:
        response.status_code = 200
    return tagged(response, opened.ticket)


@router.get("", response_model=TicketPageOut)
def list_tickets(
    user: CurrentUser,
    state: State,
    status: Annotated[list[Status] | None, Query()] = None,
    priority: Annotated[list[Priority] | None, Query()] = None,
    tier: Annotated[list[str] | None, Query(max_length=10)] = None,
    category: Annotated[list[str] | None, Query(max_length=20)] = None,
    assignee: Filter = None,
    customer: Filter = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, pattern=CURSOR_PATTERN)] = None,
    sort: Annotated[
        Literal["new", "due"],
        Query(description="new: newest first; due: the running SLA clock due first."),
    ] = "new",
    breaching_soon: Annotated[
        bool,
        Query(
            description="Only tickets whose running SLA clock has reached its warning point "
            "or is breached, the one that warned first first (`sort` is then ignored)."
        ),
    ] = False,
) -> TicketPage:
    """Tickets, newest first (or by due time, or only those breaching soon); pass
    `next_cursor` back as `cursor` for the next page, with the same filters and order."""
    filters = TicketFilter(
        status=tuple(status or ()),
        priority=tuple(priority or ()),
        tier=tuple(tier or ()),
        category=tuple(category or ()),
        assignee_id=assignee,
        customer_id=customer,
        text=q,
    )
    return queries.list_tickets(
        state.env,
        filters,
        actor_id=user.user_id,
        limit=limit,
        cursor=cursor,
        at_risk=breaching_soon,
        by_due=sort == "due",
    )


@router.get("/{ticket_id}", response_model=TicketViewOut)
def get_ticket(
    ticket_id: TicketId, user: CurrentUser, state: State, response: Response
) -> TicketView:
    """One ticket with its messages, events, SLA clocks, escalations, approvals and more."""
    view = queries.get_ticket(state.env, ticket_id, actor_id=user.user_id)
    tagged(response, view.ticket)
    return view
