"""Recovery actions, approvals and exceptions (R-AUTH-2, R-AUTH-3, R-PROC-2)."""

from __future__ import annotations

import pytest
from service_desk import ORDER, Desk

from tierdesk.services import approvals
from tierdesk.services.errors import (
    ApprovalRequired,
    Forbidden,
    IdentityNotVerified,
    InsufficientAuthority,
    InvalidInput,
    InvalidTransition,
)
from tierdesk.services.lifecycle import verify_identity


def _verified(desk: Desk) -> str:
    ticket = desk.open(ORDER)
    verify_identity(desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"])
    return ticket.id


@pytest.mark.rule("R-PROC-2")
def test_a_refund_before_identity_verification_is_refused_and_changes_nothing(
    desk: Desk,
) -> None:
    ticket = desk.open(ORDER)
    with pytest.raises(IdentityNotVerified) as err:
        approvals.apply_action(
            desk.env,
            ticket_id=ticket.id,
            actor_id=desk.user["agent_l1"],
            action="refund",
            amount="200",
        )
    assert err.value.code == "identity_not_verified"
    assert desk.ticket(ticket.id).version == ticket.version
    assert desk.store.tables.actions == {}


def test_expedited_shipping_needs_no_identity_check(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    applied = approvals.apply_action(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], action="expedited_shipping"
    )
    assert applied.action.approval_id is None
    assert desk.kinds(ticket.id)[-1] == "action_applied"


@pytest.mark.rule("R-AUTH-1")
def test_a_refund_within_l1_authority_applies_at_once(desk: Desk) -> None:
    ticket_id = _verified(desk)
    applied = approvals.apply_action(
        desk.env, ticket_id=ticket_id, actor_id=desk.user["agent_l1"], action="refund", amount="500"
    )
    assert applied.action.amount is not None and applied.action.approval_id is None


@pytest.mark.rule("R-AUTH-2")
def test_a_refund_above_authority_needs_an_approval_by_a_role_that_has_it(desk: Desk) -> None:
    ticket_id = _verified(desk)
    l1, l2, lead = desk.user["agent_l1"], desk.user["agent_l2"], desk.user["team_lead"]
    with pytest.raises(ApprovalRequired) as err:
        approvals.apply_action(
            desk.env, ticket_id=ticket_id, actor_id=l1, action="refund", amount="5000"
        )
    assert err.value.data["required_role"] == "team_lead"
    request = approvals.request_approval(
        desk.env,
        ticket_id=ticket_id,
        actor_id=l1,
        action="refund",
        amount="5000",
        justification="double charge confirmed in the payment log",
    )
    assert request.required_role == "team_lead"
    with pytest.raises(InsufficientAuthority):
        approvals.approve(desk.env, approval_id=request.id, actor_id=l2)
    approved = approvals.approve(desk.env, approval_id=request.id, actor_id=lead, note="ok")
    assert (approved.status, approved.decided_by) == ("approved", lead)
    applied = approvals.apply_action(
        desk.env,
        ticket_id=ticket_id,
        actor_id=l1,
        action="refund",
        amount="5000",
        approval_id=request.id,
    )
    assert applied.action.approval_id == request.id
    assert desk.store.tables.approvals[request.id].status == "used"
    with pytest.raises(ApprovalRequired):  # an approval is used once
        approvals.apply_action(
            desk.env,
            ticket_id=ticket_id,
            actor_id=l1,
            action="refund",
            amount="5000",
            approval_id=request.id,
        )
    kinds = desk.kinds(ticket_id)
    assert kinds.count("approval_requested") == 1 and kinds.count("approval_decided") == 1


@pytest.mark.rule("R-AUTH-2")
def test_an_approval_does_not_cover_a_larger_amount(desk: Desk) -> None:
    ticket_id = _verified(desk)
    request = approvals.request_approval(
        desk.env,
        ticket_id=ticket_id,
        actor_id=desk.user["agent_l1"],
        action="refund",
        amount="1000",
        justification="late delivery",
    )
    approvals.approve(desk.env, approval_id=request.id, actor_id=desk.user["agent_l2"])
    with pytest.raises(ApprovalRequired):
        approvals.apply_action(
            desk.env,
            ticket_id=ticket_id,
            actor_id=desk.user["agent_l1"],
            action="refund",
            amount="2000",
            approval_id=request.id,
        )


def test_a_denied_request_needs_a_reason_and_cannot_be_decided_again(desk: Desk) -> None:
    ticket_id = _verified(desk)
    request = approvals.request_approval(
        desk.env,
        ticket_id=ticket_id,
        actor_id=desk.user["agent_l1"],
        action="discount",
        amount="10",
        justification="loyal customer upset",
    )
    with pytest.raises(InvalidInput):
        approvals.deny(desk.env, approval_id=request.id, actor_id=desk.user["manager"], note=" ")
    denied = approvals.deny(
        desk.env, approval_id=request.id, actor_id=desk.user["manager"], note="not warranted"
    )
    assert denied.status == "denied"
    with pytest.raises(InvalidTransition):
        approvals.approve(desk.env, approval_id=request.id, actor_id=desk.user["manager"])


def test_nobody_approves_their_own_request_and_in_authority_requests_are_refused(
    desk: Desk,
) -> None:
    ticket_id = _verified(desk)
    with pytest.raises(InvalidInput):
        approvals.request_approval(
            desk.env,
            ticket_id=ticket_id,
            actor_id=desk.user["agent_l1"],
            action="refund",
            amount="100",
            justification="within authority",
        )
    mine = approvals.request_approval(
        desk.env,
        ticket_id=ticket_id,
        actor_id=desk.user["supervisor"],
        action="refund",
        amount="40000",
        justification="big order lost",
    )
    with pytest.raises(Forbidden):
        approvals.approve(desk.env, approval_id=mine.id, actor_id=desk.user["supervisor"])


@pytest.mark.rule("R-AUTH-3")
def test_an_exception_needs_a_named_approver_and_a_justification_and_is_reported(
    desk: Desk,
) -> None:
    ticket_id = _verified(desk)
    with pytest.raises(InvalidInput):
        approvals.request_approval(
            desk.env,
            ticket_id=ticket_id,
            actor_id=desk.user["agent_l2"],
            action="exception",
            justification="",
        )
    request = approvals.request_approval(
        desk.env,
        ticket_id=ticket_id,
        actor_id=desk.user["agent_l2"],
        action="exception",
        justification="return after 30 days: hospitalised",
    )
    assert request.required_role == "supervisor"
    approvals.approve(desk.env, approval_id=request.id, actor_id=desk.user["supervisor"])
    [exception] = [e for e in desk.events(ticket_id) if e.kind == "policy_exception"]
    assert exception.get("approver") == desk.user["supervisor"]
    assert exception.reason == "return after 30 days: hospitalised"
