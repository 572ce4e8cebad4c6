"""The console's suggested articles on a ticket page (issue 16): loaded by htmx into the reply
section (`templates/console/_ticket.html` has the one-line hook), each with "insert link" (public
articles) and "insert text"; /static/help/kb-insert.js puts it into the reply box and records
the use (`POST /api/tickets/{id}/kb-suggestions/used`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tierdesk.services import kb
from tierdesk.services.errors import ServiceError
from tierdesk.web.api.kb import hit_out
from tierdesk.web.api.tickets import TicketId
from tierdesk.web.console.base import Page, refused, show

router = APIRouter(include_in_schema=False)


@router.get("/tickets/{ticket_id}/kb", response_class=HTMLResponse)
def suggested(request: Request, page: Page, ticket_id: TicketId) -> HTMLResponse:
    """The suggestions panel of one ticket."""
    try:
        found = kb.suggestions_for_ticket(page.env, ticket_id, actor_id=page.id)
    except ServiceError as exc:
        return refused(request, page, exc)
    hits = [hit_out(f) for f in found]
    return show(request, page, "console/_kb_suggestions.html", hits=hits, tid=ticket_id)
