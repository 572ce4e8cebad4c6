"""Queues: per tier, "mine", the team's, what QA reviews; filters, sort by due, cursor pages,
bulk changes of the chosen rows (services.bulk), and a list that refreshes itself every few
seconds (htmx polling of /queue/rows; console.js holds the poll while rows are chosen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from tierdesk.domain.model import CHANNELS
from tierdesk.domain.sla import CLOCKS
from tierdesk.domain.state import ACTIVE_STATUSES, TicketStatus
from tierdesk.services import bulk, worklist
from tierdesk.services.errors import ServiceError
from tierdesk.services.notify import short_reference
from tierdesk.services.records import TicketFilter
from tierdesk.services.users import ROLE_TIER
from tierdesk.web import i18n
from tierdesk.web.console.base import Page, Viewer, refused, show

router = APIRouter()

REFRESH_SECONDS = 4  # the list updates within 5 s of a change
VIEWS = ("tier", "mine", "team", "review")
Many = Annotated[list[str] | None, Query(max_length=20)]
One = Annotated[str | None, Query(max_length=200)]


@dataclass(frozen=True)
class QueueQuery:
    """The queue's query string, parsed (every field optional)."""

    view: str
    tier: tuple[str, ...]
    status: tuple[str, ...]
    priority: tuple[str, ...]
    category: tuple[str, ...]
    channel: tuple[str, ...]
    assignee: str | None
    q: str | None
    risk: bool
    sort: str
    cursor: str | None
    limit: int = 50

    def filters(self, page: Viewer) -> TicketFilter:
        active = tuple(sorted(str(s) for s in ACTIVE_STATUSES))
        status = self.status or ((str(TicketStatus.RESOLVED),) if self.view == "review" else active)
        tier = self.tier
        own = ROLE_TIER.get(page.user.role)
        if not tier and self.view == "tier" and own:
            tier = (own,)
        assignee = page.id if self.view == "mine" else self.assignee
        return TicketFilter(
            status=status,
            priority=self.priority,
            tier=tier,
            category=self.category,
            channel=self.channel,
            assignee_id=assignee or None,
            text=self.q or None,
        )

    def link(self, **changes: object) -> str:
        """The query string of this queue with `changes` (None drops a key)."""
        values: dict[str, object] = {
            "view": self.view, "tier": self.tier, "status": self.status,
            "priority": self.priority, "category": self.category, "channel": self.channel,
            "assignee": self.assignee, "q": self.q, "risk": "1" if self.risk else None,
            "sort": self.sort if self.sort != "new" else None, "cursor": self.cursor,
            "limit": self.limit if self.limit != 50 else None,
        }  # fmt: skip
        values.update(changes)
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            if isinstance(value, tuple):
                pairs += [(key, v) for v in value]
            elif value:
                pairs.append((key, str(value)))
        return urlencode(pairs)


def _query(
    view: One = None,
    tier: Many = None,
    status: Many = None,
    priority: Many = None,
    category: Many = None,
    channel: Many = None,
    assignee: One = None,
    q: One = None,
    risk: One = None,
    sort: One = None,
    cursor: One = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> QueueQuery:
    def clean(values: list[str] | None) -> tuple[str, ...]:
        return tuple(v for v in (values or ()) if v)

    return QueueQuery(
        view=view if view in VIEWS else "tier",
        tier=clean(tier), status=clean(status), priority=clean(priority),
        category=clean(category), channel=clean(channel),
        assignee=assignee or None, q=(q or "").strip() or None, risk=risk == "1",
        sort="due" if sort == "due" else "new", cursor=cursor or None, limit=limit,
    )  # fmt: skip


def _page(
    request: Request, page: Viewer, query: QueueQuery, template: str, **extra: Any
) -> HTMLResponse:
    try:
        found = worklist.queue(
            page.env,
            query.filters(page),
            actor_id=page.id,
            cursor=query.cursor,
            limit=query.limit,
            at_risk=query.risk,
            by_due=query.sort == "due",
        )
    except ServiceError as exc:
        return refused(request, page, exc)
    rules = page.env.rules
    refs, spans = _cells(found, page.env.now(), i18n.language(page.locale.lang))
    return show(
        request,
        page,
        template,
        query=query,
        found=found,
        refresh=REFRESH_SECONDS,
        tiers=rules.tier_order,
        priorities=[p.id for p in rules.priorities],
        categories=[(c.id, c.label.get(page.user.language)) for c in rules.categories],
        statuses=[str(s) for s in TicketStatus],
        channels=CHANNELS,
        clock_names=CLOCKS,
        refs=refs,
        spans=spans,
        agents=found.agents,
        **extra,
    )


def _cells(
    found: worklist.QueuePage, now: datetime, lang: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Per row, what the list writes that needs a call (cheaper here than in the template):
    the reference customers read, and the span of the SLA clock (past due by, or left)."""
    refs = {r.ticket.id: short_reference(r.ticket.id) for r in found.rows}
    spans = {}
    for r in found.rows:
        c = r.due
        if c is not None:
            span = (c.breached_by or now - c.due_at) if c.state == "breached" else c.remaining
            spans[r.ticket.id] = i18n.duration(span, lang)
    return refs, spans


Queue = Annotated[QueueQuery, Depends(_query)]


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, page: Page, query: Queue) -> HTMLResponse:
    return _page(request, page, query, "console/queue.html")


@router.get("/queue/rows", response_class=HTMLResponse)
def queue_rows(request: Request, page: Page, query: Queue) -> HTMLResponse:
    """The list alone (what the page polls)."""
    return _page(request, page, query, "console/_queue_rows.html")


FormText = Annotated[str, Form(max_length=2000)]


@router.post("/queue/bulk", response_class=HTMLResponse)
def bulk_change(
    request: Request,
    page: Page,
    query: Queue,
    ticket: Annotated[list[str] | None, Form(max_length=200)] = None,
    action: Annotated[str, Form(max_length=20)] = "",
    assignee: Annotated[str, Form(max_length=200)] = "",
    text: FormText = "",
) -> HTMLResponse:
    """Apply one change to the chosen tickets: what changed and each refusal, with the list
    redrawn (out of band) as it stands now."""
    try:
        outcomes = bulk.apply(
            page.env, actor_id=page.id, ticket_ids=ticket or [], action=action,
            assignee_id=assignee or None, text=text,
        )  # fmt: skip
    except ServiceError as exc:
        return refused(request, page, exc)
    return _page(request, page, query, "console/_bulk_result.html", outcomes=outcomes, oob=True)
