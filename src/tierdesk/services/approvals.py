"""Authority (R-AUTH): recovery actions, approvals, exceptions.

An agent applies a recovery action (refund, discount, complimentary, expedited shipping ...)
within the authority the policy gives their role (R-AUTH-1/2). Above it, they request an
approval; a user whose role has that authority approves or denies it, and the approval is
recorded on the ticket (R-ESC-3: in the same interaction). An exception (R-AUTH-3) always needs a
named approver and a justification and is recorded as a `policy_exception` event for reports.
Account actions (refunds, discounts, credits) need the customer's identity verified first
(R-PROC-2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from tierdesk.domain.authority import Allowed, NeedsApproval, may, role_limit
from tierdesk.domain.errors import DomainError
from tierdesk.domain.events import EventKind
from tierdesk.domain.model import money_text
from tierdesk.domain.rulebook import ActionLimit, Rulebook
from tierdesk.domain.state import ACTIVE_STATUSES
from tierdesk.services import granted
from tierdesk.services.env import Env
from tierdesk.services.errors import (
    ApprovalRequired,
    Forbidden,
    IdentityNotVerified,
    InsufficientAuthority,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import (
    ActionRecord,
    ApprovalRecord,
    TicketRecord,
    UserRecord,
    new_id,
)
from tierdesk.services.unit import TicketChange, act_on, finish, load, require_status
from tierdesk.services.users import NOTE_ROLES, TICKET_ROLES, actor

ACCOUNT_ACTIONS = frozenset({"refund", "full_refund", "discount", "complimentary"})


@dataclass(frozen=True)
class Verdict:
    """Whether `role` may grant the action alone; if not, the least role that may."""

    allowed: bool
    required_role: str | None
    reason: str


def authority(
    rules: Rulebook, role: str, action: str, amount: Decimal | None, *, deciding: bool = False
) -> Verdict:
    """R-AUTH-1..3 as the domain's `may` decides it, for any user role.

    Roles off the authority ladder (qa, admin ...) grant nothing: the verdict names the role
    that must approve. `amount` is ignored for yes/no actions. `deciding`: whether `role` may
    approve someone else's request, which for an exception (R-AUTH-3: never granted alone)
    means being the approver the policy names or above.
    """
    limit = _limit(rules, action)
    value = None if limit.unit == "flag" else amount
    ladder = rules.authority.ladder
    asking = role if role in ladder else ladder[0]
    try:
        verdict = may(asking, action, value, rules)
    except DomainError as exc:
        raise InvalidInput("amount", exc.message) from exc
    approver = deciding and isinstance(verdict, NeedsApproval) and verdict.by == role
    if (isinstance(verdict, Allowed) or approver) and asking == role:
        return Verdict(True, role, verdict.reason)
    required = (
        verdict.role
        if isinstance(verdict, Allowed)
        else (verdict.by if isinstance(verdict, NeedsApproval) else None)
    )
    why = verdict.reason if asking == role else f"{role} grants nothing: {required or 'no role'}"
    return Verdict(False, required, why)


def _limit(rules: Rulebook, action: str) -> ActionLimit:
    found = rules.authority.action(action)
    if found is None:
        known = ", ".join(a.action for a in rules.authority.actions)
        raise InvalidInput("action", f"the policy knows no action {action!r} ({known})")
    return found


def _amount(rules: Rulebook, action: str, amount: Decimal | str | None) -> Decimal | None:
    limit = _limit(rules, action)
    if limit.unit == "flag":
        return None
    try:
        value = Decimal(str(amount)) if amount is not None else None
    except InvalidOperation:
        raise InvalidInput("amount", "not a number", value=str(amount)) from None
    if value is None or not value.is_finite() or value <= 0:
        raise InvalidInput("amount", f"{action} needs a positive amount", value=str(amount))
    if limit.unit == "percent" and value > 100:
        raise InvalidInput("amount", "a percentage is at most 100", value=str(amount))
    return value


def request_approval(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    action: str,
    justification: str,
    amount: Decimal | str | None = None,
    expected_version: int | None = None,
) -> ApprovalRecord:
    """Ask for an action beyond the requester's authority. InvalidInput when it is within
    it (apply it directly) or when no role may grant it."""
    if not justification.strip():
        raise InvalidInput("justification", "say why the action is needed")
    value = _amount(env.rules, action, amount)
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "request approvals")
        change = act_on(uow, user, ticket_id, env, expected_version, "request an approval on")
        require_status(change, ACTIVE_STATUSES, "request an approval on")
        before = _before(uow, env.rules, change, action)
        after = value if before is None or value is None else before + value
        verdict = authority(env.rules, user.role, action, after)
        if verdict.allowed and action != "exception":
            raise InvalidInput("action", f"{verdict.reason}: apply it directly")
        if verdict.required_role is None:
            raise InvalidInput("amount", f"{verdict.reason}: nobody may grant it")
        approval = _approval(env.rules, change, user, action, value, verdict, justification)
        uow.approvals.add(approval)
        change.emit(
            EventKind.APPROVAL_REQUESTED,
            justification.strip(),
            approval_id=approval.id,
            action=action,
            amount=str(value) if value is not None else None,
            granted_before=str(before) if before is not None else None,
            required_role=verdict.required_role,
        )
        finish(uow, env, change)
        uow.commit()
        return approval


def _approval(
    rules: Rulebook,
    change: TicketChange,
    user: UserRecord,
    action: str,
    value: Decimal | None,
    verdict: Verdict,
    justification: str,
) -> ApprovalRecord:
    limit = _limit(rules, action)
    return ApprovalRecord(
        id=new_id("a"),
        ticket_id=change.ticket_id,
        action=action,
        amount=value,
        unit=limit.unit,
        currency=limit.currency or None,
        requested_by=user.id,
        requested_role=user.role,
        required_role=verdict.required_role or "",
        justification=justification.strip(),
        created_at=change.at,
    )


def approve(env: Env, *, approval_id: str, actor_id: str, note: str = "") -> ApprovalRecord:
    """Approve a pending request; the approver's role must have the authority (R-AUTH-2)."""
    return _decide(env, approval_id, actor_id, "approved", note)


def deny(env: Env, *, approval_id: str, actor_id: str, note: str) -> ApprovalRecord:
    """Deny a pending request, with the reason."""
    if not note.strip():
        raise InvalidInput("note", "say why the request is denied")
    return _decide(env, approval_id, actor_id, "denied", note)


def _decide(env: Env, approval_id: str, actor_id: str, status: str, note: str) -> ApprovalRecord:
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "decide approvals")
        approval = uow.approvals.get(approval_id)
        if approval is None:
            raise NotFound("approval", approval_id)
        if approval.status != "pending":
            raise InvalidTransition(
                f"approval {approval_id} is {approval.status}", status=approval.status
            )
        if user.id == approval.requested_by:
            raise Forbidden("nobody approves their own request", approval_id=approval_id)
        change = load(uow, approval.ticket_id, user.id, env.now())
        before = _before(uow, env.rules, change, approval.action)
        verdict = may_decide(env.rules, user.role, approval, before)
        if not verdict.allowed:
            raise InsufficientAuthority(
                f"{user.role} may not decide this: {verdict.reason}",
                role=user.role,
                required_role=verdict.required_role,
            )
        decided = replace(
            approval,
            status="approved" if status == "approved" else "denied",
            decided_by=user.id,
            decided_role=user.role,
            decided_at=change.at,
            decision_note=note.strip(),
        )
        uow.approvals.save(decided)
        _record_decision(change, decided)
        finish(uow, env, change)
        uow.commit()
        return decided


def may_decide(
    rules: Rulebook, role: str, approval: ApprovalRecord, before: Decimal | None
) -> Verdict:
    """Whether `role` may decide `approval` (R-AUTH-2/3), given what the issue has been granted
    `before` it: the role must be at or above the request's `required_role` on the policy's
    role order and hold the authority for the total the action brings the issue to. The one
    test for deciding, the approvals inbox and the approval's later use."""
    ladder = rules.authority.ladder
    required = approval.required_role
    if role not in ladder or (required in ladder and ladder.index(role) < ladder.index(required)):
        return Verdict(False, required, f"this request needs {required} or above")
    amount = approval.amount
    after = amount if before is None or amount is None else before + amount
    return authority(rules, role, approval.action, after, deciding=True)


def _before(uow: UnitOfWork, rules: Rulebook, change: TicketChange, action: str) -> Decimal | None:
    """The running total of `action` granted on the ticket's issue so far (None: not money)."""
    record = uow.tickets.get(change.ticket_id)
    ids = granted.issue_ids(uow, record) if record is not None else {change.ticket_id}
    return granted.total(rules, granted.actions_of(uow, ids), action)


def _record_decision(change: TicketChange, a: ApprovalRecord) -> None:
    change.emit(
        EventKind.APPROVAL_DECIDED,
        a.decision_note or a.status,
        approval_id=a.id,
        decision=a.status,
        decided_role=a.decided_role,
        action=a.action,
        amount=str(a.amount) if a.amount is not None else None,
    )
    if a.action == "exception" and a.status == "approved":
        change.emit(
            EventKind.POLICY_EXCEPTION,
            a.justification,
            approval_id=a.id,
            approver=a.decided_by,
            requested_by=a.requested_by,
        )


def _record_action(
    uow: UnitOfWork,
    rules: Rulebook,
    change: TicketChange,
    role: str,
    action: str,
    value: Decimal | None,
    approval_id: str | None,
    why: str,
    **facts: Any,
) -> ActionRecord:
    limit = _limit(rules, action)
    record = ActionRecord(
        id=new_id("act"),
        ticket_id=change.ticket_id,
        action=action,
        amount=value,
        unit=limit.unit,
        currency=limit.currency or None,
        applied_by=change.actor,
        role=role,
        at=change.at,
        approval_id=approval_id,
        note=why,
    )
    uow.actions.add(record)
    change.emit(
        EventKind.ACTION_APPLIED,
        why,
        action_id=record.id,
        action=action,
        amount=str(value) if value is not None else None,
        approval_id=approval_id,
        **facts,
    )
    return record


@dataclass(frozen=True)
class Applied:
    ticket: TicketRecord
    action: ActionRecord
    replayed: bool = False


def apply_action(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    action: str,
    amount: Decimal | str | None = None,
    approval_id: str | None = None,
    note: str = "",
    expected_version: int | None = None,
    idempotency_key: str | None = None,
) -> Applied:
    """Apply a recovery action. Authority applies to what the customer receives: for money
    actions, the running total granted on the ticket's issue (`tierdesk.services.granted`)
    with this one added. Within the actor's authority it applies at once; above it,
    `approval_id` must name an approved request for this ticket and action of exactly this
    amount, decided by a role with the authority for the new total (it is then used up).
    IdentityNotVerified for an account action before the customer's identity was verified
    (R-PROC-2); ApprovalRequired otherwise. A retry with the same `idempotency_key` returns
    the action applied the first time (`replayed`) and applies nothing."""
    value = _amount(env.rules, action, amount)
    fingerprint = granted.digest(action=action, amount=value, approval_id=approval_id, note=note)
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "apply recovery actions")
        granted.lock_issue(uow, ticket_id)
        change = act_on(uow, user, ticket_id, env, expected_version, "apply an action to")
        if idempotency_key is not None:
            done = granted.replayed(uow, ticket_id, idempotency_key, fingerprint)
            if done is not None:
                first = next(a for a in uow.actions.for_ticket(ticket_id) if a.id == done)
                current = uow.tickets.get(ticket_id)
                if current is None:  # pragma: no cover - locked above
                    raise NotFound("ticket", ticket_id)
                return Applied(current, first, replayed=True)
        require_status(change, ACTIVE_STATUSES, "apply an action to")
        if action in ACCOUNT_ACTIONS and change.state.identity_verified_at is None:
            raise IdentityNotVerified(
                f"verify the customer's identity before a {action} (R-PROC-2)",
                ticket_id=ticket_id,
                action=action,
            )
        before = _before(uow, env.rules, change, action)
        after = value if before is None or value is None else before + value
        verdict = authority(env.rules, user.role, action, after)
        used = (
            None
            if verdict.allowed
            else _use_approval(uow, env.rules, change, action, value, before, verdict, approval_id)
        )
        why = note or _why(verdict.reason, before, after, _limit(env.rules, action).currency)
        retry: dict[str, Any] = {"idempotency_key": idempotency_key, "request_digest": fingerprint}
        record = _record_action(
            uow,
            env.rules,
            change,
            user.role,
            action,
            value,
            used,
            why,
            **(retry if idempotency_key is not None else {}),
        )
        saved = finish(uow, env, change)
        uow.commit()
        return Applied(saved, record)


def _why(reason: str, before: Decimal | None, after: Decimal | None, currency: str) -> str:
    if not before or after is None:
        return reason
    total, earlier = money_text(after, currency), money_text(before, currency)
    return f"{reason}; {total} granted on this issue in all ({earlier} before)"


def _use_approval(
    uow: UnitOfWork,
    rules: Rulebook,
    change: TicketChange,
    action: str,
    value: Decimal | None,
    before: Decimal | None,
    verdict: Verdict,
    approval_id: str | None,
) -> str:
    """Mark the approval that covers this action used; ApprovalRequired when none does: an
    approved request for this ticket and action, of exactly this amount, whose decider may
    still grant the total it brings the issue to."""
    approval = uow.approvals.get(approval_id) if approval_id is not None else None
    covers = (
        approval is not None
        and approval.ticket_id == change.ticket_id
        and approval.action == action
        and approval.status == "approved"
        and approval.amount == value
        and approval.decided_role is not None
        and may_decide(rules, approval.decided_role, approval, before).allowed
    )
    if approval is None or not covers:
        currency = _limit(rules, action).currency
        already = (
            f"{money_text(before, currency)} already granted on this issue, so " if before else ""
        )
        raise ApprovalRequired(
            f"{already}{verdict.reason}: request an approval first (R-AUTH-2)",
            action=action,
            amount=str(value) if value is not None else None,
            granted_before=str(before) if before is not None else None,
            required_role=verdict.required_role,
            approval_id=approval_id,
        )
    uow.approvals.save(replace(approval, status="used"))
    return approval.id


def pending_approvals(env: Env, *, actor_id: str, limit: int = 100) -> list[ApprovalRecord]:
    """Pending requests, oldest first, that the user may decide (`may_decide`, on what each
    ticket's issue has been granted so far; never the user's own requests)."""
    with env.reader() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "list approvals")
        pending = uow.approvals.pending(limit)
        out = []
        for a in pending:
            record = uow.tickets.get(a.ticket_id)
            ids = granted.issue_ids(uow, record) if record is not None else {a.ticket_id}
            before = granted.total(env.rules, granted.actions_of(uow, ids), a.action)
            if a.requested_by != user.id and may_decide(env.rules, user.role, a, before).allowed:
                out.append(a)
    return out


# --- what a user may grant on a ticket (R-AUTH-1/2): one reading for the API, console and SOP ---


@dataclass(frozen=True)
class ActionAuthority:
    """What the user may grant of one action on a ticket's issue, on their own.

    `limit` is the authority table's cell for the user's role (`domain.authority.role_limit`,
    the cell the printed SOP prints): None when the role may not grant it alone, unlimited as
    `Infinity`, 1 for a yes/no action it may grant. For money, `granted` is the running total
    already granted on the issue (ticket, linked and merged tickets) and `remaining` what the
    user may still grant alone (`limit - granted`, at least 0); for a percentage `remaining`
    is the limit of one grant. `alone` says whether the user may grant any of it now without
    an approval, and `approver` the least role that approves beyond `remaining`.
    """

    action: str
    unit: str
    currency: str | None
    limit: Decimal | None
    granted: Decimal | None
    remaining: Decimal | None
    alone: bool
    approver: str | None


@dataclass(frozen=True)
class TicketAuthority:
    """The user's authority on one ticket's issue, and the approvals waiting on it."""

    ticket_id: str
    role: str
    actions: tuple[ActionAuthority, ...]
    pending: tuple[ApprovalRecord, ...]
    may_decide: tuple[str, ...]  # ids of the pending approvals this user may decide


def action_authority(
    rules: Rulebook, role: str, action: str, granted_before: Decimal | None
) -> ActionAuthority:
    """What `role` may grant of `action` on an issue that has `granted_before` of it (money),
    by the same test `apply_action` enforces (`authority`)."""
    limit = _limit(rules, action)
    cap = role_limit(limit, role) if role in rules.authority.ladder else None
    currency = limit.currency or None
    if limit.unit == "flag":
        verdict = authority(rules, role, action, None)
        alone = verdict.allowed and action != "exception"
        approver = None if alone else verdict.required_role
        return ActionAuthority(action, "flag", None, cap, None, None, alone, approver)
    if limit.unit == "percent":
        over = (cap or Decimal(0)) + Decimal("0.01")
        approver = None if over > 100 else authority(rules, role, action, over).required_role
        return ActionAuthority(action, "percent", None, cap, None, cap, cap is not None, approver)
    before = granted_before or Decimal(0)
    remaining = max((cap or Decimal(0)) - before, Decimal(0))
    approver = None
    if remaining.is_finite():
        approver = authority(
            rules, role, action, before + remaining + Decimal("0.01")
        ).required_role
    return ActionAuthority(
        action, "money", currency, cap, before, remaining, remaining > 0, approver
    )


def authority_rows(
    rules: Rulebook, role: str, granted_on_issue: dict[str, Decimal]
) -> tuple[ActionAuthority, ...]:
    """`action_authority` of every action of the policy, in its order."""
    return tuple(
        action_authority(
            rules,
            role,
            a.action,
            granted_on_issue.get(a.action, Decimal(0)) if a.unit == "money" else None,
        )
        for a in rules.authority.actions
    )


def ticket_authority(env: Env, *, ticket_id: str, actor_id: str) -> TicketAuthority:
    """What the user may grant on the ticket's issue (`authority_rows`) and the pending
    approvals of the issue, with those the user may decide (`may_decide`): the one source of
    the API's `GET /api/tickets/{id}/authority`, the console's ticket page and approvals inbox."""
    with env.reader() as uow:
        user = actor(uow, actor_id, NOTE_ROLES, "read authority on tickets")
        record = uow.tickets.get(ticket_id)
        if record is None:
            raise NotFound("ticket", ticket_id)
        ids = granted.issue_ids(uow, record)
        done = granted.actions_of(uow, ids)
        pending = tuple(
            a for t in sorted(ids) for a in uow.approvals.for_ticket(t) if a.status == "pending"
        )
    rows = authority_rows(env.rules, user.role, granted.granted(env.rules, done))
    decide = tuple(
        a.id
        for a in pending
        if a.requested_by != user.id
        and may_decide(env.rules, user.role, a, granted.total(env.rules, done, a.action)).allowed
    )
    return TicketAuthority(record.id, user.role, rows, pending, decide)
