"""Incidents (issue 16): declare, read, link and unlink tickets, write on the timeline, resolve
with one reply to every linked ticket. Roles are the service's (`tierdesk.services.incidents`):
anyone working tickets declares, links and writes; leads and admins resolve; QA reads too."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from tierdesk.services import incidents
from tierdesk.services.ports import IncidentRecord
from tierdesk.web.api.common import State
from tierdesk.web.auth import CurrentUser
from tierdesk.web.schemas import Strict

router = APIRouter(prefix="/incidents", tags=["incidents"])
IncidentId = Annotated[str, Path(min_length=1, max_length=100)]
TicketId = Annotated[str, Field(min_length=1, max_length=100)]
Kind = Literal["outage", "emergency", "security", "other"]


class IncidentIn(Strict):
    title: str = Field(min_length=1, max_length=incidents.TITLE_MAX)
    description: str = Field("", max_length=incidents.TEXT_MAX)
    severity: str = Field(max_length=16, description="A priority of the policy, e.g. P1.")
    kind: Kind = "outage"
    ticket_ids: list[TicketId] = Field([], max_length=500)


class LinkIn(Strict):
    ticket_id: TicketId


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=incidents.TEXT_MAX)


class ResolveIn(Strict):
    resolution: str | dict[Literal["en", "zh-TW"], str] = Field(
        description="What was done: text, or text by language (each customer reads theirs)."
    )
    template_id: str | None = Field(
        incidents.DEFAULT_TEMPLATE,
        max_length=64,
        description="The reply to every linked ticket; null: resolve without replies.",
    )


class IncidentOut(BaseModel):
    id: str
    title: str
    description: str
    severity: str
    kind: str
    status: str
    created_at: datetime
    created_by: str
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str


class LinkedTicketOut(BaseModel):
    ticket_id: str
    linked_at: datetime
    linked_by: str


class EntryOut(BaseModel):
    at: datetime
    actor: str
    kind: str = Field(description="opened, notified, linked, unlinked, note, resolved, ...")
    text: str
    data: dict[str, Any]


class IncidentDetail(IncidentOut):
    tickets: list[LinkedTicketOut]
    timeline: list[EntryOut]


class SkippedOut(BaseModel):
    ticket_id: str
    reason: str


class ResolutionOut(BaseModel):
    incident: IncidentOut
    replied: list[str]
    skipped: list[SkippedOut]


class LinkOut(BaseModel):
    linked: bool = Field(description="False when the ticket was linked already.")


def _out(i: IncidentRecord) -> IncidentOut:
    return IncidentOut(
        id=i.id,
        title=i.title,
        description=i.description,
        severity=i.severity,
        kind=i.kind,
        status=i.status,
        created_at=i.created_at,
        created_by=i.created_by,
        resolved_at=i.resolved_at,
        resolved_by=i.resolved_by,
        resolution=i.resolution,
    )


def _detail(view: incidents.IncidentView) -> IncidentDetail:
    return IncidentDetail(
        **_out(view.incident).model_dump(),
        tickets=[
            LinkedTicketOut(ticket_id=t.ticket_id, linked_at=t.linked_at, linked_by=t.linked_by)
            for t in view.tickets
        ],
        timeline=[
            EntryOut(at=e.at, actor=e.actor, kind=e.kind, text=e.text, data=e.data)
            for e in view.timeline
        ],
    )


@router.post("", status_code=201, response_model=IncidentDetail)
def declare(body: IncidentIn, user: CurrentUser, state: State) -> IncidentDetail:
    """Declare an incident: the policy's `incident` rules notify at once (the timeline says
    whom). 422 for an unknown severity; 404 for an unknown ticket."""
    view = incidents.declare(
        state.env,
        actor_id=user.user_id,
        title=body.title,
        description=body.description,
        severity=body.severity,
        kind=body.kind,
        ticket_ids=body.ticket_ids,
    )
    return _detail(view)


@router.get("", response_model=list[IncidentOut])
def list_incidents(
    user: CurrentUser,
    state: State,
    status: Annotated[Literal["open", "resolved"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[IncidentOut]:
    """Incidents, newest first."""
    found = incidents.list_incidents(state.env, actor_id=user.user_id, status=status, limit=limit)
    return [_out(i) for i in found]


@router.get("/{incident_id}", response_model=IncidentDetail)
def get_incident(incident_id: IncidentId, user: CurrentUser, state: State) -> IncidentDetail:
    """One incident with its linked tickets and its timeline."""
    return _detail(incidents.get(state.env, incident_id=incident_id, actor_id=user.user_id))


@router.post("/{incident_id}/tickets", response_model=LinkOut)
def link_ticket(incident_id: IncidentId, body: LinkIn, user: CurrentUser, state: State) -> LinkOut:
    """Link a ticket (409 once the incident is resolved)."""
    linked = incidents.link(
        state.env, incident_id=incident_id, ticket_id=body.ticket_id, actor_id=user.user_id
    )
    return LinkOut(linked=linked)


@router.delete("/{incident_id}/tickets/{ticket_id}", status_code=204)
def unlink_ticket(
    incident_id: IncidentId,
    ticket_id: Annotated[str, Path(min_length=1, max_length=100)],
    user: CurrentUser,
    state: State,
) -> Response:
    """Unlink a ticket; 404 when it is not linked."""
    incidents.unlink(state.env, incident_id=incident_id, ticket_id=ticket_id, actor_id=user.user_id)
    return Response(status_code=204)


@router.post("/{incident_id}/notes", status_code=204)
def add_note(incident_id: IncidentId, body: NoteIn, user: CurrentUser, state: State) -> Response:
    """A line on the timeline."""
    incidents.add_note(state.env, incident_id=incident_id, actor_id=user.user_id, text=body.text)
    return Response(status_code=204)


def _texts(resolution: str | dict[Literal["en", "zh-TW"], str]) -> str | dict[str, str]:
    if isinstance(resolution, str):
        return resolution
    return {str(lang): text for lang, text in resolution.items()}


@router.post("/{incident_id}/resolve", response_model=ResolutionOut)
def resolve(
    incident_id: IncidentId, body: ResolveIn, user: CurrentUser, state: State
) -> ResolutionOut:
    """Resolve (leads and admins) and reply to every linked ticket in its customer's language;
    tickets that cannot take a reply are listed with the reason. 409 when resolved already."""
    done = incidents.resolve(
        state.env,
        incident_id=incident_id,
        actor_id=user.user_id,
        resolution=_texts(body.resolution),
        template_id=body.template_id,
    )
    return ResolutionOut(
        incident=_out(done.incident),
        replied=done.replied,
        skipped=[SkippedOut(ticket_id=t, reason=r) for t, r in done.skipped],
    )
