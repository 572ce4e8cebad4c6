"""Commands on one ticket: reply, note, pending/resume, assign, escalate, resolve, reopen,
close, merge, log a call, verify identity.

Each route parses, calls ONE service function with the signed-in user's id (the service checks
role and authority) and renders the ticket with its version as ETag. The base version comes
from the body's `version` or `If-Match`; a stale one is a 409 `stale_version`, nothing changed.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from tierdesk.services import conversation, escalations, lifecycle
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
    VerifyIn,
)

router = APIRouter(prefix="/tickets/{ticket_id}", tags=["ticket commands"])


@router.post("/replies")
def reply(
    ticket_id: TicketId,
    body: ReplyIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Send a public reply (R-TPL-1: an unedited template is flagged)."""
    return tagged(
        response,
        conversation.reply(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            body=body.body,
            template_id=body.template_id,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/notes")
def add_note(
    ticket_id: TicketId,
    body: NoteIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Add an internal note (never sent to the customer)."""
    return tagged(
        response,
        conversation.add_note(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            body=body.body,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/pending")
def set_pending(
    ticket_id: TicketId,
    body: ReasonIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Wait for the customer: the SLA clocks pause (R-SLA-2)."""
    return tagged(
        response,
        conversation.set_pending(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            reason=body.reason,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/resume")
def resume(
    ticket_id: TicketId,
    body: OptionalReasonIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Stop waiting for the customer: the clocks run again."""
    return tagged(
        response,
        conversation.resume(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            reason=body.reason,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/assign")
def assign(
    ticket_id: TicketId,
    body: AssignIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Assign the ticket to an agent (None: unassign)."""
    return tagged(
        response,
        lifecycle.assign(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            assignee_id=body.assignee_id,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/escalations")
def escalate(
    ticket_id: TicketId,
    body: EscalateIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Escalate with a warm-handoff brief (R-ESC-8); the customer is told (R-ESC-7)."""
    return tagged(
        response,
        escalations.escalate(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            to_tier=body.to_tier,
            reason=body.reason,
            targets=body.targets,
            tried=body.tried,
            mood=body.mood,
            promises=body.promises,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/resolve")
def resolve(
    ticket_id: TicketId,
    body: SummaryIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Resolve; the customer is asked to confirm (R-PROC-1)."""
    return tagged(
        response,
        lifecycle.resolve(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            summary=body.summary,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/reopen")
def reopen(
    ticket_id: TicketId,
    body: ReasonIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Reopen a resolved ticket."""
    return tagged(
        response,
        lifecycle.reopen(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            reason=body.reason,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/close")
def close(
    ticket_id: TicketId,
    body: CloseIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Close; the CSAT/NPS survey is queued."""
    return tagged(
        response,
        lifecycle.close(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/merge")
def merge(
    ticket_id: TicketId,
    body: MergeIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Merge this ticket (a duplicate) into `target_id`; returns the target ticket."""
    return tagged(
        response,
        lifecycle.merge(
            state.env,
            source_id=ticket_id,
            target_id=body.target_id,
            actor_id=user.user_id,
            reason=body.reason,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/calls")
def log_call(
    ticket_id: TicketId,
    body: CallIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Log a phone call; its duration feeds AHT."""
    return tagged(
        response,
        lifecycle.log_call(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            started_at=body.started_at,
            duration_seconds=body.duration_seconds,
            direction=body.direction,
            note=body.note,
            expected_version=expected_version(if_match, body.version),
        ),
    )


@router.post("/identity-verification")
def verify_identity(
    ticket_id: TicketId,
    body: VerifyIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
) -> TicketRecord:
    """Record that the customer's identity was verified (R-PROC-2); answers are not stored."""
    return tagged(
        response,
        lifecycle.verify_identity(
            state.env,
            ticket_id=ticket_id,
            actor_id=user.user_id,
            method=body.method,
            expected_version=expected_version(if_match, body.version),
        ),
    )
