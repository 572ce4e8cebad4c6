"""Commands on one ticket: reply, note, pending/resume, assign, escalate, resolve, reopen,
close, merge, log a call, verify identity, correct the triage.

Each route parses its body and calls ONE service function through `TicketCommand.run`, which
adds what every command shares: the ticket id, the signed-in user's id (the service checks
role and authority) and the base version, from the body's `version` or `If-Match` (a stale one
is a 409 `stale_version`, nothing changed). The answer is the ticket with its version as ETag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

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
    MergeIn,
    NoteIn,
    OptionalReasonIn,
    ReasonIn,
    ReplyIn,
    SummaryIn,
    TriageCorrectionIn,
    VerifyIn,
)

router = APIRouter(prefix="/tickets/{ticket_id}", tags=["ticket commands"])


@dataclass(frozen=True)
class TicketCommand:
    """What every command on one ticket shares (a FastAPI dependency, `Command`)."""

    ticket_id: str
    actor_id: str
    env: Env
    response: Response
    if_match: str | None

    def run(
        self,
        service: Callable[..., TicketRecord],
        version: int | None,
        *,
        ticket_key: str = "ticket_id",
        **fields: Any,
    ) -> TicketRecord:
        """`service(env, <ticket_key>=ticket id, actor_id=..., expected_version=...,
        **fields)`, answered with the ticket's version as ETag."""
        base = expected_version(self.if_match, version)
        ticket = service(
            self.env,
            **{ticket_key: self.ticket_id},
            actor_id=self.actor_id,
            expected_version=base,
            **fields,
        )
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


@router.post("/replies")
def reply(body: ReplyIn, command: Command) -> TicketRecord:
    """Send a public reply (R-TPL-1: an unedited template is flagged)."""
    return command.run(
        conversation.reply, body.version, body=body.body, template_id=body.template_id
    )


@router.post("/notes")
def add_note(body: NoteIn, command: Command) -> TicketRecord:
    """Add an internal note (never sent to the customer)."""
    return command.run(conversation.add_note, body.version, body=body.body)


@router.post("/pending")
def set_pending(body: ReasonIn, command: Command) -> TicketRecord:
    """Wait for the customer: the SLA clocks pause (R-SLA-2)."""
    return command.run(conversation.set_pending, body.version, reason=body.reason)


@router.post("/resume")
def resume(body: OptionalReasonIn, command: Command) -> TicketRecord:
    """Stop waiting for the customer: the clocks run again."""
    return command.run(conversation.resume, body.version, reason=body.reason)


@router.post("/assign")
def assign(body: AssignIn, command: Command) -> TicketRecord:
    """Assign the ticket to an agent (None: unassign)."""
    return command.run(lifecycle.assign, body.version, assignee_id=body.assignee_id)


@router.post("/escalations")
def escalate(body: EscalateIn, command: Command) -> TicketRecord:
    """Escalate with a warm-handoff brief (R-ESC-8); the customer is told (R-ESC-7)."""
    return command.run(
        escalations.escalate,
        body.version,
        to_tier=body.to_tier,
        reason=body.reason,
        targets=body.targets,
        tried=body.tried,
        mood=body.mood,
        promises=body.promises,
    )


@router.post("/resolve")
def resolve(body: SummaryIn, command: Command) -> TicketRecord:
    """Resolve; the customer is asked to confirm (R-PROC-1)."""
    return command.run(lifecycle.resolve, body.version, summary=body.summary)


@router.post("/reopen")
def reopen(body: ReasonIn, command: Command) -> TicketRecord:
    """Reopen a resolved ticket."""
    return command.run(lifecycle.reopen, body.version, reason=body.reason)


@router.post("/close")
def close(body: CloseIn, command: Command) -> TicketRecord:
    """Close; the CSAT/NPS survey is queued."""
    return command.run(lifecycle.close, body.version)


@router.post("/merge")
def merge(body: MergeIn, command: Command) -> TicketRecord:
    """Merge this ticket (a duplicate) into `target_id`; returns the target ticket."""
    return command.run(
        lifecycle.merge,
        body.version,
        ticket_key="source_id",
        target_id=body.target_id,
        reason=body.reason,
    )


@router.post("/calls")
def log_call(body: CallIn, command: Command) -> TicketRecord:
    """Log a phone call; its duration feeds AHT."""
    return command.run(
        lifecycle.log_call,
        body.version,
        started_at=body.started_at,
        duration_seconds=body.duration_seconds,
        direction=body.direction,
        note=body.note,
    )


@router.post("/identity-verification")
def verify_identity(body: VerifyIn, command: Command) -> TicketRecord:
    """Record that the customer's identity was verified (R-PROC-2); answers are not stored."""
    return command.run(lifecycle.verify_identity, body.version, method=body.method)


@router.post("/triage-corrections")
def correct_triage(body: TriageCorrectionIn, command: Command) -> TicketRecord:
    """Correct the category and/or priority, saying why: recorded as a `triage_corrected`
    event (who, when, why, old and new values) and used to retrain the triage model."""
    return command.run(
        corrections.correct_triage,
        body.version,
        category=body.category,
        priority=body.priority,
        reason=body.reason,
    )


@router.get("/triage-corrections")
def list_triage_corrections(
    ticket_id: TicketId, user: CurrentUser, state: State
) -> list[corrections.Correction]:
    """The ticket's triage corrections, oldest first."""
    return corrections.corrections(state.env, ticket_id=ticket_id, actor_id=user.user_id)
