"""Authority (R-AUTH): approval requests and decisions, recovery actions.

The services decide who may grant what from the policy's authority ladder; a role above its
authority gets 403 `insufficient_authority` or 422 `approval_required`, never a silent success.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import BaseModel, Field

from tierdesk.services import approvals
from tierdesk.services.approvals import ActionAuthority, Applied, TicketAuthority
from tierdesk.services.records import ApprovalRecord
from tierdesk.web.api.common import IfMatch, State, expected_version, tagged
from tierdesk.web.api.tickets import TicketId
from tierdesk.web.auth import CurrentUser
from tierdesk.web.schemas import ActionIn, ApprovalRequestIn, DecisionIn, RefusalIn
from tierdesk.web.ticket_out import AppliedOut

router = APIRouter(tags=["authority"])
ApprovalId = Annotated[str, Path(min_length=1, max_length=100)]


class ActionAuthorityOut(BaseModel):
    """What the caller may grant of one action on the ticket's issue on their own (R-AUTH)."""

    action: str
    unit: Literal["money", "percent", "flag"]
    currency: str | None
    limit: Decimal | None = Field(
        description="The caller's limit, as the printed SOP's authority table gives it: null "
        "when the role may not grant it alone or has no limit (`unlimited`); 1 for a yes/no "
        "action it may grant."
    )
    unlimited: bool
    granted: Decimal | None = Field(
        description="Money: the running total already granted on the issue (the ticket, its "
        "linked repeat contacts and merged tickets); null for other units."
    )
    remaining: Decimal | None = Field(
        description="Money: what the caller may still grant alone (limit - granted, at least "
        "0); percent: the most of one grant; null for yes/no actions and when unlimited."
    )
    may_grant_alone: bool
    approver: str | None = Field(description="The least role that approves beyond `remaining`.")


class TicketAuthorityOut(BaseModel):
    """The caller's authority on a ticket's issue and the approvals waiting on it."""

    ticket_id: str
    role: str
    actions: list[ActionAuthorityOut]
    pending_approvals: list[ApprovalRecord]
    may_decide: list[str] = Field(description="Ids of the pending approvals the caller decides.")


def _number(value: Decimal | None) -> Decimal | None:
    return value if value is None or value.is_finite() else None


def _action_out(a: ActionAuthority) -> ActionAuthorityOut:
    return ActionAuthorityOut(
        action=a.action,
        unit=a.unit,
        currency=a.currency,
        limit=_number(a.limit),
        unlimited=a.limit is not None and not a.limit.is_finite(),
        granted=a.granted,
        remaining=_number(a.remaining),
        may_grant_alone=a.alone,
        approver=a.approver,
    )


def authority_out(t: TicketAuthority) -> TicketAuthorityOut:
    return TicketAuthorityOut(
        ticket_id=t.ticket_id,
        role=t.role,
        actions=[_action_out(a) for a in t.actions],
        pending_approvals=list(t.pending),
        may_decide=list(t.may_decide),
    )


@router.get("/tickets/{ticket_id}/authority", response_model=TicketAuthorityOut)
def ticket_authority(ticket_id: TicketId, user: CurrentUser, state: State) -> TicketAuthorityOut:
    """What the caller may grant on the ticket's issue alone, action by action: their limit
    (the printed SOP's authority table), what the issue has been granted and what is left,
    and the approvals waiting on the issue (those the caller may decide named). The console's
    ticket page and approvals inbox read the same (R-AUTH-1/2)."""
    return authority_out(
        approvals.ticket_authority(state.env, ticket_id=ticket_id, actor_id=user.user_id)
    )


@router.post("/tickets/{ticket_id}/approvals", status_code=201, response_model=ApprovalRecord)
def request_approval(
    ticket_id: TicketId,
    body: ApprovalRequestIn,
    user: CurrentUser,
    state: State,
    if_match: IfMatch = None,
) -> ApprovalRecord:
    """Ask for an action beyond the caller's authority (R-AUTH-2/3)."""
    return approvals.request_approval(
        state.env,
        ticket_id=ticket_id,
        actor_id=user.user_id,
        action=body.action,
        justification=body.justification,
        amount=body.amount,
        expected_version=expected_version(if_match, body.version),
    )


@router.post("/tickets/{ticket_id}/actions", status_code=201, response_model=AppliedOut)
def apply_action(
    ticket_id: TicketId,
    body: ActionIn,
    user: CurrentUser,
    state: State,
    response: Response,
    if_match: IfMatch = None,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=150)
    ] = None,
) -> Applied:
    """Apply a recovery action: within the caller's authority for the running total granted
    on the ticket's issue, or with an approval of exactly this amount. A retry with the same
    `Idempotency-Key` answers 200 with the action applied the first time (`replayed`)."""
    applied = approvals.apply_action(
        state.env,
        ticket_id=ticket_id,
        actor_id=user.user_id,
        action=body.action,
        amount=body.amount,
        approval_id=body.approval_id,
        note=body.note,
        expected_version=expected_version(if_match, body.version),
        idempotency_key=f"user:{user.user_id}:{idempotency_key}" if idempotency_key else None,
    )
    if applied.replayed:
        response.status_code = 200
    tagged(response, applied.ticket)
    return applied


@router.get("/approvals", response_model=list[ApprovalRecord])
def pending_approvals(
    user: CurrentUser, state: State, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[ApprovalRecord]:
    """Pending requests the caller has the authority to decide, oldest first."""
    return approvals.pending_approvals(state.env, actor_id=user.user_id, limit=limit)


@router.post("/approvals/{approval_id}/approve", response_model=ApprovalRecord)
def approve(
    approval_id: ApprovalId, body: DecisionIn, user: CurrentUser, state: State
) -> ApprovalRecord:
    """Grant a pending request (the caller's role must have the authority)."""
    return approvals.approve(
        state.env, approval_id=approval_id, actor_id=user.user_id, note=body.note
    )


@router.post("/approvals/{approval_id}/deny", response_model=ApprovalRecord)
def deny(
    approval_id: ApprovalId, body: RefusalIn, user: CurrentUser, state: State
) -> ApprovalRecord:
    """Refuse a pending request, saying why."""
    return approvals.deny(state.env, approval_id=approval_id, actor_id=user.user_id, note=body.note)
