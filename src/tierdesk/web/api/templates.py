"""Reply templates (R-TPL-1): the policy's templates, and one filled in for a ticket."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from tierdesk.domain.model import Lang
from tierdesk.services import templates
from tierdesk.services.templates import FilledTemplate, TemplateOut
from tierdesk.web.api.common import State
from tierdesk.web.api.tickets import TicketId
from tierdesk.web.auth import CurrentUser

router = APIRouter(tags=["templates"])
TemplateId = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/templates", response_model=list[TemplateOut])
def list_templates(user: CurrentUser, state: State) -> list[TemplateOut]:
    """The policy's templates, each in every language it is written in."""
    return templates.list_templates(state.env, actor_id=user.user_id)


@router.get("/tickets/{ticket_id}/templates/{template_id}", response_model=FilledTemplate)
def filled_template(
    ticket_id: TicketId,
    template_id: TemplateId,
    user: CurrentUser,
    state: State,
    language: Lang | None = None,
) -> FilledTemplate:
    """The template filled in from the ticket, its customer and the caller; `to_write` lists
    the placeholders left for the agent (a reply still holding one is refused)."""
    return templates.fill(
        state.env,
        ticket_id=ticket_id,
        template_id=template_id,
        actor_id=user.user_id,
        language=language,
    )
