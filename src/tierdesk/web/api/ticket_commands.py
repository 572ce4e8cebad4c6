"""Commands on one ticket: reply, note, pending/resume, assign, escalate, resolve, reopen,
close, merge, link a repeat contact, log a call, verify identity, correct the triage.

Each route parses its body and calls ONE service function directly (so mypy checks every
argument), with what every command shares from `TicketCommand`: the ticket id, the signed-in
user's id (the service checks role and authority) and the base version (`base`), from the body's
`version` or `If-Match` (a stale one is a 409 `stale_version`, nothing changed). The answer
(`done`) is the ticket as `TicketOut`, with its version as ETag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from tierdesk.services import conversation, corrections, escalations, lifecycle
from tierdesk.services.env import Env
from tierdesk.services.records import TicketRecord
from tierdesk.web.api.common import IfMatch, State, expected_version, tagged
from tierdesk.web.api.tickets import TicketId
from tierdesk.web.auth import CurrentUser
from tierdesk.web.schemas import (
    AssignIn,
    CallIn,
    CloseIn,
    EscalateIn,
    LinkIn,
    MergeIn,
    NoteIn,
    OptionalReasonIn,
    ReasonIn,
    ReplyIn,
    SummaryIn,
    TriageCorrectionIn,
    VerifyIn,
)
from tierdesk.web.ticket_out import TicketOut

router = APIRouter(prefix="/tickets/{ticket_id}", tags=["ticket commands"])


@dataclass(frozen=True)
class TicketCommand:
    """What every command on one ticket shares (a FastAPI dependency, `Command`)."""

    ticket_id: str
    actor_id: str
    env: Env
    response: Response
    if_match: str | None

    def base(self, version: int | None) -> int | None:
        """The version the command is based on: the body's `version` or `If-Match`."""
        return expected_version(self.if_match, version)

    def done(self, ticket: TicketRecord) -> TicketRecord:
        """The answer: `ticket`, with its version as ETag."""
        return tagged(self.response, ticket)


def ticket_command(
    ticket_id: TicketId,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketCommand:
    return TicketCommand(ticket_id, user.user_id, state.env, response, if_match)


Command = Annotated[TicketCommand, Depends(ticket_command)]


@router.post("/replies", response_model=TicketOut)
def reply(body: ReplyIn, c: Command) -> TicketRecord:
    """Send a public reply (R-TPL-1: an unedited template is flagged)."""
    return c.done(
        conversation.reply(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            body=body.body,
            template_id=body.template_id,
        )
    )


@router.post("/notes", response_model=TicketOut)
def add_note(body: NoteIn, c: Command) -> TicketRecord:
    """Add an internal note (never sent to the customer)."""
    return c.done(
        conversation.add_note(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            body=body.body,
        )
    )


@router.post("/pending", response_model=TicketOut)
def set_pending(body: ReasonIn, c: Command) -> TicketRecord:
    """Wait for the customer: the SLA clocks pause (R-SLA-2)."""
    return c.done(
        conversation.set_pending(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            reason=body.reason,
        )
    )


@router.post("/resume", response_model=TicketOut)
def resume(body: OptionalReasonIn, c: Command) -> TicketRecord:
    """Stop waiting for the customer: the clocks run again."""
    return c.done(
        conversation.resume(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            reason=body.reason,
        )
    )


@router.post("/assign", response_model=TicketOut)
def assign(body: AssignIn, c: Command) -> TicketRecord:
    """Assign the ticket to an agent (None: unassign)."""
    return c.done(
        lifecycle.assign(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            assignee_id=body.assignee_id,
        )
    )


@router.post("/escalations", response_model=TicketOut)
def escalate(body: EscalateIn, c: Command) -> TicketRecord:
    """Escalate with a warm-handoff brief (R-ESC-8); the customer is told (R-ESC-7)."""
    return c.done(
        escalations.escalate(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            to_tier=body.to_tier,
            reason=body.reason,
            targets=body.targets,
            tried=body.tried,
            mood=body.mood,
            promises=body.promises,
        )
    )


@router.post("/resolve", response_model=TicketOut)
def resolve(body: SummaryIn, c: Command) -> TicketRecord:
    """Resolve; the customer is asked to confirm (R-PROC-1)."""
    return c.done(
        lifecycle.resolve(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            summary=body.summary,
        )
    )


@router.post("/reopen", response_model=TicketOut)
def reopen(body: ReasonIn, c: Command) -> TicketRecord:
    """Reopen a resolved ticket."""
    return c.done(
        lifecycle.reopen(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            reason=body.reason,
        )
    )


@router.post("/close", response_model=TicketOut)
def close(body: CloseIn, c: Command) -> TicketRecord:
    """Close; the CSAT/NPS survey is queued."""
    return c.done(
        lifecycle.close(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
        )
    )


@router.post("/merge", response_model=TicketOut)
def merge(body: MergeIn, c: Command) -> TicketRecord:
    """Merge this ticket (a duplicate) into `target_id`; returns the target ticket."""
    return c.done(
        lifecycle.merge(
            c.env,
            source_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            target_id=body.target_id,
            reason=body.reason,
        )
    )


@router.post("/link", response_model=TicketOut)
def link(body: LinkIn, c: Command) -> TicketRecord:
    """Link this ticket to an earlier one on the same issue (`related_to`): it counts as the
    next contact of that issue, and the repeat-contact escalation (R-ESC-5) applies."""
    return c.done(
        lifecycle.link_contact(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            related_to=body.related_to,
        )
    )


@router.post("/calls", response_model=TicketOut)
def log_call(body: CallIn, c: Command) -> TicketRecord:
    """Log a phone call; its duration feeds AHT."""
    return c.done(
        lifecycle.log_call(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            started_at=body.started_at,
            duration_seconds=body.duration_seconds,
            direction=body.direction,
            note=body.note,
            answer_seconds=body.answer_seconds,
        )
    )


@router.post("/identity-verification", response_model=TicketOut)
def verify_identity(body: VerifyIn, c: Command) -> TicketRecord:
    """Record that the customer's identity was verified (R-PROC-2); answers are not stored."""
    return c.done(
        lifecycle.verify_identity(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            method=body.method,
        )
    )


@router.post("/triage-corrections", response_model=TicketOut)
def correct_triage(body: TriageCorrectionIn, c: Command) -> TicketRecord:
    """Correct the category and/or priority, saying why: recorded as a `triage_corrected`
    event (who, when, why, old and new values) and used to retrain the triage model."""
    return c.done(
        corrections.correct_triage(
            c.env,
            ticket_id=c.ticket_id,
            actor_id=c.actor_id,
            expected_version=c.base(body.version),
            category=body.category,
            priority=body.priority,
            reason=body.reason,
        )
    )


@router.get("/triage-corrections")
def list_triage_corrections(
    ticket_id: TicketId, user: CurrentUser, state: State
) -> list[corrections.Correction]:
    """The ticket's triage corrections, oldest first."""
    return corrections.corrections(state.env, ticket_id=ticket_id, actor_id=user.user_id)
