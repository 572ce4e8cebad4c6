"""What agents do for each kind of issue, after the first reply: recovery actions within
their authority or through an approval (R-AUTH), identity checks before account actions
(R-PROC-2), manual escalations with a warm-handoff brief (R-ESC-8)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal

from tierdesk.demo.sim import Sim
from tierdesk.demo.texts import Topic
from tierdesk.services import approvals, conversation, lifecycle
from tierdesk.services.errors import ApprovalRequired
from tierdesk.services.escalations import escalate

Life = Iterator[timedelta]
Flow = Callable[[Sim, Topic, str, str, str], Life]
NEXT_TIER = {"L1": "L2", "L2": "L3"}


def recover(sim: Sim, ticket_id: str, agent: str, action: str, amount: Decimal | None) -> Life:
    """Apply a recovery action within the agent's authority, or request an approval that a
    role with the authority approves (three times in four) or denies; apply it if approved."""
    agent = sim.holder(ticket_id, agent)
    if action in approvals.ACCOUNT_ACTIONS:
        lifecycle.verify_identity(sim.env, ticket_id=ticket_id, actor_id=agent)
    try:  # within the agent's authority for what the issue has been granted so far
        approvals.apply_action(
            sim.env, ticket_id=ticket_id, actor_id=agent, action=action, amount=amount
        )
        return
    except ApprovalRequired:
        pass
    request = approvals.request_approval(
        sim.env,
        ticket_id=ticket_id,
        actor_id=agent,
        action=action,
        amount=amount,
        justification="The customer's loss is documented; goodwill is warranted.",
    )
    yield sim.minutes(5, 240)
    decider = sim.agent(request.required_role or "manager")
    if sim.rng.random() < 0.25:
        note = "Outside policy for this case; offer store credit instead."
        approvals.deny(sim.env, approval_id=request.id, actor_id=decider, note=note)
        return
    approvals.approve(sim.env, approval_id=request.id, actor_id=decider, note="Approved.")
    yield sim.minutes(2, 30)
    approvals.apply_action(
        sim.env,
        ticket_id=ticket_id,
        actor_id=sim.holder(ticket_id, agent),
        action=action,
        amount=amount,
        approval_id=request.id,
    )


def escalate_up(sim: Sim, lang: str, ticket_id: str, agent: str) -> Life:
    """A manual escalation one tier up, with the warm-handoff brief (R-ESC-8)."""
    to_tier = NEXT_TIER.get(sim.ticket(ticket_id).tier)
    if to_tier is None:
        return
    yield sim.minutes(5, 60)
    escalate(
        sim.env,
        ticket_id=ticket_id,
        actor_id=sim.holder(ticket_id, agent),
        to_tier=to_tier,
        reason="needs deeper investigation" if lang == "en" else "需要進一步調查",
        tried=["checked the order history", "walked the customer through the basic steps"],
        mood="frustrated" if sim.rng.random() < 0.5 else "calm",
        promises=["an update within one business day"],
    )


def plain(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    if sim.rng.random() < 0.08:
        yield from escalate_up(sim, lang, ticket_id, agent)


def refund(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    amount = sim.ticket(ticket_id).refund_amount or Decimal(sim.rng.choice((300, 1500)))
    yield sim.minutes(1, 5)
    yield from recover(sim, ticket_id, agent, "refund", amount)


def account(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    yield sim.minutes(1, 3)
    lifecycle.verify_identity(sim.env, ticket_id=ticket_id, actor_id=sim.holder(ticket_id, agent))


def defect(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    yield sim.minutes(3, 30)
    approvals.apply_action(
        sim.env, ticket_id=ticket_id, actor_id=sim.holder(ticket_id, agent), action="apology"
    )
    if sim.rng.random() < 0.5:
        approvals.apply_action(
            sim.env,
            ticket_id=ticket_id,
            actor_id=sim.holder(ticket_id, agent),
            action="expedited_shipping",
            note="replacement sent by express",
        )
    else:
        amount = Decimal(sim.rng.choice((800, 2000)))
        yield from recover(sim, ticket_id, agent, "complimentary", amount)


def complaint(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    yield sim.minutes(1, 5)
    approvals.apply_action(
        sim.env, ticket_id=ticket_id, actor_id=sim.holder(ticket_id, agent), action="apology"
    )
    if sim.rng.random() < 0.5:
        yield from recover(sim, ticket_id, agent, "discount", Decimal(sim.rng.choice((10, 20))))


def supervisor(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    """The team lead takes the ticket over (R-ESC-2) and offers a discount."""
    yield sim.minutes(2, 5)
    lead = sim.agent("team_lead")
    lifecycle.assign(sim.env, ticket_id=ticket_id, actor_id=lead, assignee_id=lead)
    conversation.add_note(
        sim.env, ticket_id=ticket_id, actor_id=lead, body=topic.say(sim.rng, lang, "note")
    )
    yield from recover(sim, ticket_id, lead, "discount", Decimal(20))


def sensitive(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    """Legal, PR or a P1 incident: L3 coordinates and documents (R-ESC-4)."""
    yield sim.minutes(10, 120)
    note = (
        "Legal and PR informed; holding statement agreed."
        if lang == "en"
        else "已通知法務與公關，回覆口徑已確認。"
    )
    conversation.add_note(
        sim.env, ticket_id=ticket_id, actor_id=sim.holder(ticket_id, agent), body=note
    )


def technical(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    if sim.rng.random() < 0.3:  # reproduced: a bug for L3
        yield from escalate_up(sim, lang, ticket_id, agent)


FLOWS: dict[str, Flow] = {
    "plain": plain,
    "refund": refund,
    "account": account,
    "defect": defect,
    "complaint": complaint,
    "supervisor": supervisor,
    "sensitive": sensitive,
    "technical": technical,
}
