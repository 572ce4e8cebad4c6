"""Held mail (a sender over TIERDESK_EMAIL_HOLD_PER_MINUTE): list it, release one (it goes
through the normal email intake once) or discard it. Roles are the service's
(`tierdesk.services.held_mail`: agents, leads and admins; not QA)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from tierdesk.services import held_mail
from tierdesk.services.records import InboundMailRecord
from tierdesk.web.api.common import State
from tierdesk.web.auth import CurrentUser
from tierdesk.web.errors import WebError

router = APIRouter(prefix="/mail/held", tags=["email"])
MailId = Annotated[str, Path(min_length=1, max_length=64)]


class HeldMailOut(BaseModel):
    id: str
    mailbox: str
    message_id: str
    sender: str
    subject: str
    received_at: datetime
    reason: str = Field(description="Why it was held, e.g. more than 20 mails a minute.")
    text: str = Field(description="The mail's text as received (plain).")
    size: int
    attachments: int


class ReleasedOut(BaseModel):
    outcome: str = Field(description="What the intake made of it: ticket, reply or refused.")
    ticket_id: str | None
    reason: str


def _out(m: InboundMailRecord) -> HeldMailOut:
    return HeldMailOut(
        id=m.id,
        mailbox=m.mailbox,
        message_id=m.message_id,
        sender=m.sender,
        subject=m.subject,
        received_at=m.received_at,
        reason=m.reason,
        text=m.full_text,
        size=m.size,
        attachments=len(m.attachments),
    )


@router.get("", response_model=list[HeldMailOut])
def list_held(
    user: CurrentUser,
    state: State,
    limit: Annotated[int, Query(ge=1, le=held_mail.MAX_LIST)] = 100,
) -> list[HeldMailOut]:
    """Held mail, newest first."""
    return [_out(m) for m in held_mail.held(state.env, actor_id=user.user_id, limit=limit)]


@router.post("/{mail_id}/release", response_model=ReleasedOut)
def release(mail_id: MailId, user: CurrentUser, state: State) -> ReleasedOut:
    """Take the mail in as if it had just arrived (threaded onto its ticket or opening one,
    with a receipt). 404 unknown; 409 when it is no longer held or its original is gone."""
    if state.reread_mail is None:  # pragma: no cover - create_app always sets it
        raise WebError(503, "unavailable", "held mail cannot be read here")
    got = held_mail.release(
        state.env, mail_id=mail_id, actor_id=user.user_id, reread=state.reread_mail
    )
    return ReleasedOut(outcome=got.outcome, ticket_id=got.ticket_id, reason=got.reason)


@router.post("/{mail_id}/discard", status_code=204)
def discard(mail_id: MailId, user: CurrentUser, state: State) -> Response:
    """Keep the mail on record as discarded; nothing is opened. 404 unknown; 409 not held."""
    held_mail.discard(state.env, mail_id=mail_id, actor_id=user.user_id)
    return Response(status_code=204)
