"""Escalation: moving a ticket up a tier or to a team, with a warm handoff (R-ESC-8) and a
notice to the customer with the expected resolution time (R-ESC-7).

`escalate` is the agent's command; `record` is shared with intake (triage found a signal, a
refund over authority or a third contact) and the SLA sweeper (time in tier, R-ESC-1). An
escalation by a policy rule is recorded once per ticket: its rule id goes into
`TicketState.escalation_marks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from tierdesk.domain.decisions import TriageDecision
from tierdesk.domain.escalation import customer_targets
from tierdesk.domain.events import EventKind, TicketEvent
from tierdesk.domain.handoff import brief
from tierdesk.domain.model import Signal, money_text
from tierdesk.domain.rulebook import EscalationRule, Rulebook
from tierdesk.domain.state import ACTIVE_STATUSES, TicketState
from tierdesk.domain.ticket import SYSTEM, Entry, EntryKind
from tierdesk.services import clocks, granted, notify
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput
from tierdesk.services.facts import entries
from tierdesk.services.facts import ticket as ticket_facts
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import ApprovalRecord, EscalationRecord, TicketRecord, new_id
from tierdesk.services.unit import TicketChange, act_on, finish, history, require_status
from tierdesk.services.users import TICKET_ROLES, actor


def escalate(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    to_tier: str,
    reason: str,
    targets: Sequence[str] = (),
    tried: Sequence[str] = (),
    mood: str = "",
    promises: Sequence[str] = (),
    expected_version: int | None = None,
) -> TicketRecord:
    """Escalate a ticket to `to_tier` (not below its tier), optionally naming teams too.

    `reason` is required; `tried`, `mood` and `promises` fill the warm-handoff brief so the
    customer never repeats the story. Queues the customer notice with the expected resolution.
    """
    if not reason.strip():
        raise InvalidInput("reason", "say why the ticket is escalated")
    if to_tier not in env.rules.tier_order:
        raise InvalidInput("to_tier", f"must be one of {', '.join(env.rules.tier_order)}")
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "escalate tickets")
        change = act_on(uow, user, ticket_id, env, expected_version, "escalate")
        require_status(change, ACTIVE_STATUSES, "escalate")
        if env.rules.tier_rank(to_tier) < env.rules.tier_rank(change.state.tier):
            raise InvalidInput(
                "to_tier", f"{to_tier} is below the ticket's tier {change.state.tier}"
            )
        record(
            uow,
            env,
            change,
            to_tier=to_tier,
            targets=(to_tier, *[t for t in targets if t != to_tier]),
            reason=reason.strip(),
            tried=tried,
            mood=mood,
            promises=promises,
        )
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def record(
    uow: UnitOfWork,
    env: Env,
    change: TicketChange,
    *,
    to_tier: str,
    targets: Sequence[str],
    reason: str,
    rule_ids: Sequence[str] = (),
    tried: Sequence[str] = (),
    mood: str = "",
    promises: Sequence[str] = (),
    from_tier: str | None = None,
) -> EscalationRecord:
    """Record an escalation of the loaded ticket: the event, the brief, the notice.
    `from_tier` defaults to the ticket's tier (intake passes the category's own tier)."""
    before = change.state
    expected_by = clocks.expected_resolution(env.rules, before, to_tier, change.at)
    handoff = _brief(uow, env.rules, change, reason, tried, mood, promises, targets)
    escalation_id = new_id("e")
    event = change.emit(
        EventKind.ESCALATED,
        reason,
        changes={"tier": to_tier, "queue": to_tier, "assignee_id": None},
        rule_ids=list(rule_ids),
        targets=list(targets),
        escalation_id=escalation_id,
        expected_by=expected_by.isoformat() if expected_by is not None else None,
    )
    notice = _notice(uow, env.rules, change.state, event, targets, expected_by)
    esc = EscalationRecord(
        id=escalation_id,
        ticket_id=change.ticket_id,
        rule_id=",".join(rule_ids) or None,
        from_tier=from_tier or before.tier,
        to_tier=to_tier,
        targets=tuple(targets),
        reason=reason,
        actor=change.actor,
        at=change.at,
        brief=handoff,
        notice=notice,
        expected_by=expected_by,
    )
    uow.escalations.add(esc)
    return esc


def _notice(
    uow: UnitOfWork,
    rules: Rulebook,
    state: TicketState,
    event: TicketEvent,
    targets: Sequence[str],
    expected_by: datetime | None,
) -> str:
    """Queue the customer notice (R-ESC-7); its text, or "" when it cannot be sent."""
    lang = state.language
    queued = notify.queue(
        uow,
        rules,
        state,
        event,
        "escalation_notice",
        values={
            "escalated_to": customer_targets(targets, rules, lang),
            "expected_resolution": notify.fmt_time(
                expected_by, clocks.timezone(rules, state), lang
            ),
        },
    )
    return str(queued.payload["text"]) if queued is not None else ""


def at_intake(
    uow: UnitOfWork,
    env: Env,
    change: TicketChange,
    decision: TriageDecision,
    *,
    from_tier: str,
) -> None:
    """Record the escalation triage found at intake (a signal, a refund over L1's authority, a
    repeat contact): the ticket is already routed to the tier; the teams, the brief and the
    customer notice follow. The rules that fired are marked, so none fires again."""
    fired = [r for r in env.rules.escalation_rules if _fired_at_intake(r, decision)]
    reasons = [r for r in decision.reasons if "escalat" in r.lower()]
    record(
        uow,
        env,
        change,
        to_tier=change.state.tier,
        targets=decision.escalate_to,
        reason="; ".join(reasons) or f"triage: escalate to {', '.join(decision.escalate_to)}",
        rule_ids=[r.id for r in fired],
        from_tier=from_tier,
    )


def _fired_at_intake(rule: EscalationRule, decision: TriageDecision) -> bool:
    if not set(rule.target) <= set(decision.escalate_to):
        return False
    if rule.trigger == "signal":
        return any(s in decision.signals for s in rule.signals)
    if rule.trigger == "repeat_contact":
        return Signal.REPEAT_CONTACT in decision.signals
    return rule.trigger == "refund_over_authority" and decision.refund is not None


def repeat_contact(uow: UnitOfWork, env: Env, change: TicketChange) -> None:
    """After a contact is linked: escalate by each repeat-contact rule (R-ESC-5, third contact
    -> L2 + investigation) whose count is reached and that has not fired on this ticket."""
    state = change.state
    for rule in env.rules.escalation_rules:
        if rule.trigger != "repeat_contact" or rule.id in state.escalation_marks:
            continue
        if rule.count is None or state.contact_count < rule.count:
            continue
        by_rule(
            uow, env, change, rule, f"{rule.id}: contact {state.contact_count} on the same issue"
        )


def by_rule(
    uow: UnitOfWork, env: Env, change: TicketChange, rule: EscalationRule, reason: str
) -> EscalationRecord:
    """Escalate by a policy rule: to the highest tier among its targets (never down)."""
    rules = env.rules
    tiers = [t for t in rule.target if t in rules.tier_order] or [change.state.tier]
    to_tier = max([*tiers, change.state.tier], key=rules.tier_rank)
    return record(
        uow, env, change, to_tier=to_tier, targets=rule.target, reason=reason, rule_ids=[rule.id]
    )


def _brief(
    uow: UnitOfWork,
    rules: Rulebook,
    change: TicketChange,
    reason: str,
    tried: Sequence[str],
    mood: str,
    promises: Sequence[str],
    targets: Sequence[str] = (),
) -> dict[str, Any]:
    """The warm-handoff brief (R-ESC-8) by the domain's `brief`: issue, the escalation's
    reason, what was tried (the agent's list and the replies and notes), mood, promises (each
    once), what the customer was granted on the issue, pending approvals, deadlines. The
    agent's own word on the mood, when given, stands beside the one read from the messages."""
    state, at = change.state, change.at
    events = history(uow, change)
    said = [
        Entry(at, EntryKind.INTERNAL_NOTE, t, _role(uow, change.actor), change.actor) for t in tried
    ]
    facts = ticket_facts(state, events, at, promises=promises)
    views = clocks.views(rules, state, events, at)
    due: dict[str, datetime] = {v.clock: v.due_at for v in views if v.stopped_at is None}
    handoff = brief(
        facts,
        [*entries(uow, state.id), *said],
        at,
        rules,
        state.language,
        due,
        reason=reason,
        agent_mood=mood,
        granted=_granted(uow, rules, state.id),
        pending=_pending_on_issue(uow, state.id),
        targets=targets,
    )
    return {
        **handoff.to_json(),
        "customer_mood": mood or handoff.sentiment.mood,
        "text": handoff.to_text(),
    }


def _granted(uow: UnitOfWork, rules: Rulebook, ticket_id: str) -> list[str]:
    """Every recovery action applied on the ticket's issue (its linked and merged tickets
    too), then the running total of each money action."""
    record = uow.tickets.get(ticket_id)
    actions = granted.actions_of(uow, granted.issue_ids(uow, record) if record else {ticket_id})
    out = [f"{_shown(a.action, a.amount, a.unit, a.currency)} ({a.role})" for a in actions]
    totals = granted.granted(rules, actions)
    currency = rules.authority.currency
    out += [f"{a} total: {money_text(amount, currency)}" for a, amount in totals.items() if amount]
    return out


def _pending_on_issue(uow: UnitOfWork, ticket_id: str) -> list[str]:
    """The approvals waiting on the ticket's issue (its linked and merged tickets too)."""
    record = uow.tickets.get(ticket_id)
    ids = granted.issue_ids(uow, record) if record else {ticket_id}
    return [
        _pending(a)
        for t in sorted(ids)
        for a in uow.approvals.for_ticket(t)
        if a.status == "pending"
    ]


def _pending(a: ApprovalRecord) -> str:
    what = _shown(a.action, a.amount, a.unit, a.currency)
    return f"{what}: needs {a.required_role} (asked by {a.requested_role}: {a.justification})"


def _shown(action: str, amount: Decimal | None, unit: str, currency: str | None) -> str:
    name = action.replace("_", " ")
    if amount is None:
        return name
    return f"{name} {money_text(amount, currency)}" if unit == "money" else f"{name} {amount}%"


def _role(uow: UnitOfWork, user_id: str) -> str:
    user = uow.users.get(user_id)
    return user.role if user is not None else SYSTEM
