"""What the agent console reads in one go: a queue page with each ticket's customer, assignee
and most urgent SLA clock, and a ticket with its customer, earlier tickets and people.

Reads only (one read-only unit of work each); the rules stay where they are (clocks in
`tierdesk.services.clocks`, access in `tierdesk.services.users`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tierdesk import sop
from tierdesk.domain.sla import ClockStatus
from tierdesk.policy.loader import load_text
from tierdesk.services import approvals, clocks, granted, queries
from tierdesk.services.clocks import ShownClock
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput
from tierdesk.services.notify import reference_prefix
from tierdesk.services.queries import TicketView
from tierdesk.services.records import (
    ApprovalRecord,
    CustomerRecord,
    IdentityRecord,
    PolicyVersionRecord,
    TicketFilter,
    TicketPage,
    TicketRecord,
    UserRecord,
)
from tierdesk.services.unit import to_state
from tierdesk.services.users import AGENT_ROLES, LEAD_ROLES, NOTE_ROLES, actor

HISTORY_DAYS = 365
ASSIGNABLE_ROLES = AGENT_ROLES | LEAD_ROLES  # who a queue may give tickets to


@dataclass(frozen=True)
class QueueRow:
    ticket: TicketRecord
    customer: str  # the customer's name
    assignee: str | None  # the assignee's display name
    due: ShownClock | None  # the running (or paused) clock due first (None: nothing running)


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    next_cursor: str | None
    # (id, display name) of the active people tickets can be given to, by name (`assignees`)
    agents: tuple[tuple[str, str], ...] = ()


def most_urgent(views: list[ClockStatus]) -> ClockStatus | None:
    """The running (or paused) clock due first; a breached one first of all."""
    running = [v for v in views if v.stopped_at is None]
    if not running:
        return None
    return min(running, key=lambda v: (v.state != "breached", v.due_at))


def queue(
    env: Env,
    filters: TicketFilter,
    *,
    actor_id: str,
    limit: int = 50,
    cursor: str | None = None,
    at_risk: bool = False,
    by_due: bool = False,
) -> QueuePage:
    """One page of tickets with names, the most urgent clock and the people tickets can be
    given to. Newest first, or with `by_due` by the running clock due first (no clock last);
    `at_risk` keeps the tickets whose clock warns or is breached ("breaching soon"), the one
    that warned first first (the store reads only those: by due time it would read every
    ticket while few are at risk). These are the store's orders and filter
    (`TicketFilter.order`, `warned_by`), so they hold across pages. A clock comes from what
    the ticket stores of it (`clocks.shown_from_stored`); only a running ticket without one
    (paused, or saved before it was stored) reads its events."""
    if not 1 <= limit <= 200:
        raise InvalidInput("limit", "must be 1-200", value=limit)
    now = env.now()
    filters = queries.in_order(filters, now, at_risk=at_risk, by_due=by_due)
    with env.reader() as uow:
        actor(uow, actor_id, NOTE_ROLES, "list tickets")
        prefix = reference_prefix(filters.text or "")
        if prefix is not None:  # the reference a customer quotes: those tickets, in any state
            page = TicketPage(tuple(uow.tickets.with_id_prefix(prefix)), None)
        else:
            try:
                page = uow.tickets.search(filters, limit=limit, cursor=cursor)
            except ValueError as exc:
                raise InvalidInput("cursor", str(exc)) from exc
        found = uow.customers.names([t.customer_id for t in page.items])
        people = uow.users.search(None)
        due = {t.id: _stored_clock(env, t, now) for t in page.items}
        unknown = [t.id for t in page.items if t.active and due[t.id] is None]
        events = uow.events.for_tickets(unknown) if unknown else {}
    names = {u.id: u.display_name for u in people}
    for t in page.items:
        if t.id in events:
            urgent = most_urgent(clocks.views(env.rules, to_state(t), events[t.id], now))
            due[t.id] = clocks.shown(urgent) if urgent is not None else None
    rows = tuple(
        QueueRow(
            t,
            found.get(t.customer_id, t.customer_id),
            names.get(t.assignee_id, t.assignee_id) if t.assignee_id else None,
            due[t.id],
        )
        for t in page.items
    )
    if prefix is not None:  # the few tickets of a reference: filtered and ordered here
        rows = _risky_first(rows, now, at_risk=at_risk, by_due=by_due)
    return QueuePage(rows, page.next_cursor, _assignable(people))


def _stored_clock(env: Env, t: TicketRecord, now: datetime) -> ShownClock | None:
    """The ticket's clock due first from its stored columns; None without them."""
    if t.due_at is None or t.due_warn_at is None or not t.due_clock or not t.due_calendar:
        return None
    stored = clocks.NextDue(t.due_at, t.due_warn_at, t.due_clock, t.due_calendar)
    return clocks.shown_from_stored(env.rules, stored, now)


def _risky_first(
    rows: tuple[QueueRow, ...], now: datetime, *, at_risk: bool, by_due: bool
) -> tuple[QueueRow, ...]:
    """`at_risk` and `by_due` on rows read by reference (not through the store's filter)."""
    if at_risk:
        rows = tuple(r for r in rows if r.due is not None and r.due.state in _AT_RISK)
    if by_due:
        far = now + timedelta(days=36500)
        rows = tuple(sorted(rows, key=lambda r: r.due.due_at if r.due is not None else far))
    return rows


_AT_RISK = ("warning", "breached")


def _assignable(people: list[UserRecord]) -> tuple[tuple[str, str], ...]:
    chosen = [u for u in people if u.active and u.role in ASSIGNABLE_ROLES]
    return tuple(sorted(((u.id, u.display_name) for u in chosen), key=lambda p: p[1].casefold()))


def assignees(env: Env) -> list[tuple[str, str]]:
    """(id, display name) of the active people tickets can be given to (agents and leads), by
    name: the queue's assignee filter and its bulk "assign to"."""
    with env.reader() as uow:
        return list(_assignable(uow.users.search(None)))


@dataclass(frozen=True)
class Desk:
    """A ticket as an agent works it: the ticket view, its customer with identities and
    earlier tickets (merged customers included), and the names of the people in it."""

    view: TicketView
    customer: CustomerRecord | None
    identities: tuple[IdentityRecord, ...]
    history: tuple[TicketRecord, ...]  # the customer's other tickets, newest first
    people: dict[str, str]  # user id -> display name
    now: datetime
    granted: dict[str, Decimal]  # money action -> running total on the issue (R-AUTH-1/2)


def desk(env: Env, ticket_id: str, *, actor_id: str) -> Desk:
    """Everything the ticket page shows (see `Desk`), in one read-only unit of work."""
    with env.reader() as uow:
        view = queries.ticket_view(env, uow, ticket_id, actor_id=actor_id)
        ticket = view.ticket
        now = env.now()
        customer = uow.customers.get(ticket.customer_id)
        identities = tuple(uow.customers.identities(ticket.customer_id))
        since = now - timedelta(days=HISTORY_DAYS)
        # One read of the customer's tickets (oldest first) for the history and the issue.
        everything = granted.customer_tickets(uow, ticket.customer_id)
        others = [t for t in everything if t.created_at >= since and t.id != ticket.id]
        people = {u.id: u.display_name for u in uow.users.search(None)}
        issue = granted.issue_ids_among(ticket, everything)
        # The ticket's own actions are in the view already (same unit of work).
        actions = [
            a
            for t in sorted(issue)
            for a in (view.actions if t == ticket.id else uow.actions.for_ticket(t))
        ]
        on_issue = granted.granted(env.rules, actions)
    others.sort(key=lambda t: t.created_at, reverse=True)
    return Desk(view, customer, identities, tuple(others), people, now, on_issue)


@dataclass(frozen=True)
class InboxRow:
    """A pending approval the viewer may decide, with what the page shows beside it."""

    approval: ApprovalRecord
    ticket: TicketRecord | None
    requester: str
    rule: str  # the authority rule that applies (why the requester may not do it alone)
    # The viewer's own authority for the action on the ticket's issue (limit, granted so far,
    # what is left): the row GET /api/tickets/{id}/authority gives (approvals.ticket_authority).
    authority: approvals.ActionAuthority | None = None


def inbox(env: Env, *, actor_id: str) -> list[InboxRow]:
    """Pending approvals the viewer has the authority to decide (oldest first), each with the
    viewer's authority on the ticket's issue (`approvals.ticket_authority`, the API's)."""
    pending = approvals.pending_approvals(env, actor_id=actor_id)
    rows = []
    for a in pending:
        own = approvals.ticket_authority(env, ticket_id=a.ticket_id, actor_id=actor_id)
        mine = next((x for x in own.actions if x.action == a.action), None)
        with env.reader() as uow:
            requester = uow.users.get(a.requested_by)
            ticket = uow.tickets.get(a.ticket_id)
        verdict = approvals.authority(env.rules, a.requested_role, a.action, a.amount)
        name = requester.display_name if requester is not None else a.requested_by
        rows.append(InboxRow(a, ticket, name, verdict.reason, mine))
    return rows


@dataclass(frozen=True)
class SopView:
    """The SOP page: the version in force, whether the viewer acknowledged it (R-DOC-3: agents
    take no tickets before they have), the revision history and the document as Markdown."""

    effective: PolicyVersionRecord | None
    acknowledged_at: datetime | None
    must_acknowledge: bool
    versions: tuple[PolicyVersionRecord, ...]
    document: str  # Markdown; "" without a stored version in force


def sop_view(env: Env, *, actor_id: str, lang: str) -> SopView:
    with env.reader() as uow:
        user = actor(uow, actor_id, NOTE_ROLES, "read the SOP")
        effective = uow.policies.effective()
        ack = uow.policies.acknowledgement(effective.id, user.id) if effective else None
        versions = tuple(uow.policies.history())
    document = _document(effective, lang, env) if effective else ""
    works = user.role in AGENT_ROLES | LEAD_ROLES
    return SopView(
        effective,
        ack.at if ack is not None else None,
        works and effective is not None and ack is None,
        versions,
        document,
    )


_DOCUMENTS: dict[tuple[str, str], str] = {}


def _document(version: PolicyVersionRecord, lang: str, env: Env) -> str:
    """The printed SOP of a stored version as Markdown, with the checker findings stored with
    it (rendered once per version and language: a stored version never changes)."""
    key = (version.id, lang)
    if key not in _DOCUMENTS:
        loaded = load_text(version.source, "policy in force")
        text = sop.render(
            loaded, fmt="md", lang=lang, rulebook=env.rules, findings=version.findings or None
        )
        _DOCUMENTS[key] = text if isinstance(text, str) else text.decode("utf-8")
    return _DOCUMENTS[key]
