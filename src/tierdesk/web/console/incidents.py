"""Incident pages (issue 16): the list with a form to declare one, and an incident's page with
its linked tickets (link, unlink), notes, resolution (with the reply to every linked ticket)
and its timeline. The service checks every role; the page only hides what a role cannot do."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from tierdesk.services import incidents
from tierdesk.services.errors import ServiceError
from tierdesk.web.console.base import Page, Viewer, attempt, go, refused, show
from tierdesk.web.errors import status_for

router = APIRouter(prefix="/incidents")
Id = Annotated[str, Path(min_length=1, max_length=100)]
Short = Annotated[str, Form(max_length=incidents.TITLE_MAX)]
Long = Annotated[str, Form(max_length=incidents.TEXT_MAX)]


def _list_page(
    request: Request, page: Viewer, *, status: int = 200, error: ServiceError | None = None
) -> HTMLResponse:
    try:
        found = incidents.list_incidents(page.env, actor_id=page.id)
    except ServiceError as exc:
        return refused(request, page, exc)
    return show(
        request, page, "console/incidents.html", status=status, error=error, incidents=found,
        kinds=incidents.KINDS, can_resolve=page.user.role in incidents.RESOLVE_ROLES,
    )  # fmt: skip


@router.get("", response_class=HTMLResponse)
def list_page(request: Request, page: Page) -> HTMLResponse:
    return _list_page(request, page)


@router.post("", response_class=HTMLResponse)
def declare(
    request: Request,
    page: Page,
    title: Short,
    severity: Annotated[str, Form(max_length=16)],
    kind: Annotated[str, Form(max_length=32)] = "outage",
    description: Long = "",
    ticket_ids: Long = "",
) -> Response:
    ids = [t for t in ticket_ids.replace(",", " ").split() if t]
    try:
        view = incidents.declare(
            page.env, actor_id=page.id, title=title, description=description,
            severity=severity, kind=kind, ticket_ids=ids,
        )  # fmt: skip
    except ServiceError as exc:
        return _list_page(request, page, status=status_for(exc), error=exc)
    return go(request, f"/incidents/{view.incident.id}")


def _incident_page(
    request: Request,
    page: Viewer,
    incident_id: str,
    *,
    status: int = 200,
    error: ServiceError | None = None,
    skipped: list[tuple[str, str]] | None = None,
) -> HTMLResponse:
    try:
        view = incidents.get(page.env, incident_id=incident_id, actor_id=page.id)
    except ServiceError as exc:
        return refused(request, page, exc)
    return show(
        request, page, "console/incident.html", status=status, error=error, view=view,
        skipped=skipped or [], can_resolve=page.user.role in incidents.RESOLVE_ROLES,
        can_change=page.user.role in incidents.DECLARE_ROLES,
    )  # fmt: skip


@router.get("/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, page: Page, incident_id: Id) -> HTMLResponse:
    return _incident_page(request, page, incident_id)


def _run(
    request: Request, page: Viewer, incident_id: str, run: Callable[[], object]
) -> HTMLResponse:
    return attempt(partial(_incident_page, request, page, incident_id), run)


@router.post("/{incident_id}/tickets", response_class=HTMLResponse)
def link(
    request: Request, page: Page, incident_id: Id, ticket_id: Annotated[str, Form(max_length=100)]
) -> HTMLResponse:
    return _run(
        request, page, incident_id,
        lambda: incidents.link(
            page.env, incident_id=incident_id, ticket_id=ticket_id.strip(), actor_id=page.id
        ),
    )  # fmt: skip


@router.post("/{incident_id}/tickets/{ticket_id}/unlink", response_class=HTMLResponse)
def unlink(request: Request, page: Page, incident_id: Id, ticket_id: Id) -> HTMLResponse:
    return _run(
        request, page, incident_id,
        lambda: incidents.unlink(
            page.env, incident_id=incident_id, ticket_id=ticket_id, actor_id=page.id
        ),
    )  # fmt: skip


@router.post("/{incident_id}/notes", response_class=HTMLResponse)
def note(request: Request, page: Page, incident_id: Id, text: Long) -> HTMLResponse:
    return _run(
        request, page, incident_id,
        lambda: incidents.add_note(page.env, incident_id=incident_id, actor_id=page.id, text=text),
    )  # fmt: skip


@router.post("/{incident_id}/resolve", response_class=HTMLResponse)
def resolve(
    request: Request,
    page: Page,
    incident_id: Id,
    resolution_en: Long = "",
    resolution_zh: Long = "",
    reply: Annotated[str, Form(max_length=2)] = "",
) -> HTMLResponse:
    texts = {k: v for k, v in (("en", resolution_en), ("zh-TW", resolution_zh)) if v.strip()}
    try:
        done = incidents.resolve(
            page.env, incident_id=incident_id, actor_id=page.id, resolution=texts,
            template_id=incidents.DEFAULT_TEMPLATE if reply else None,
        )  # fmt: skip
    except ServiceError as exc:
        return _incident_page(request, page, incident_id, status=status_for(exc), error=exc)
    return _incident_page(request, page, incident_id, skipped=done.skipped)
