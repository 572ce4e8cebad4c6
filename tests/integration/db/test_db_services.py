"""The services on real databases: the same commands give the same results on the in-memory
fakes, SQLite and PostgreSQL, and the stored ticket is always its events replayed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from db_desk import ORDER, StoreDesk, make_store_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.state import replay
from tierdesk.policy import rulebook
from tierdesk.policy.loader import preset_path
from tierdesk.services import approvals, conversation, lifecycle, policies
from tierdesk.services.errors import StaleVersion
from tierdesk.services.escalations import escalate
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.sweep import sweep
from tierdesk.services.unit import to_state


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return rulebook(preset="cs-sop")


@pytest.fixture
def desk(uow_factory: Callable[[], UnitOfWork], rules: Rulebook) -> StoreDesk:
    return make_store_desk(uow_factory, rules)


def _full_lifecycle(desk: StoreDesk) -> str:
    """Every kind of command on one ticket (as tests/service/test_event_log.py does)."""
    env, u, tick = desk.env, desk.user, desk.clock.advance
    ticket = desk.open(ORDER).id
    dup = desk.open(ORDER).id
    l1, l2, lead = u["agent_l1"], u["agent_l2"], u["team_lead"]
    tick(timedelta(minutes=3))
    conversation.reply(env, ticket_id=ticket, actor_id=l1, body="Checking with the carrier.")
    conversation.add_note(env, ticket_id=ticket, actor_id=l1, body="tracking stuck")
    conversation.set_pending(env, ticket_id=ticket, actor_id=l1, reason="need address")
    tick(timedelta(minutes=40))
    conversation.customer_message(env, ticket_id=ticket, body="台北市信義路 5 號")
    lifecycle.merge(env, source_id=dup, target_id=ticket, actor_id=l1)
    lifecycle.verify_identity(env, ticket_id=ticket, actor_id=l1)
    lifecycle.log_call(
        env, ticket_id=ticket, actor_id=l1, started_at=desk.clock.now(), duration_seconds=300
    )
    tick(timedelta(minutes=20))
    sweep(env)
    escalate(env, ticket_id=ticket, actor_id=lead, to_tier="L2", reason="lost parcel claim")
    req = approvals.request_approval(
        env, ticket_id=ticket, actor_id=l2, action="refund", amount="4000", justification="lost"
    )
    approvals.approve(env, approval_id=req.id, actor_id=lead)
    approvals.apply_action(
        env, ticket_id=ticket, actor_id=l2, action="refund", amount="4000", approval_id=req.id
    )
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    version = policies.propose_version(env, source=source, title="v1", actor_id=u["supervisor"])
    policies.approve_version(env, version_id=version.id, actor_id=u["manager"])
    policies.acknowledge(env, version_id=version.id, actor_id=l2)
    lifecycle.assign(env, ticket_id=ticket, actor_id=lead, assignee_id=l2)
    lifecycle.resolve(env, ticket_id=ticket, actor_id=l2, summary="refunded")
    lifecycle.reopen(env, ticket_id=ticket, actor_id=l2, reason="customer disagrees")
    lifecycle.resolve(env, ticket_id=ticket, actor_id=l2, summary="re-shipped")
    lifecycle.close(env, ticket_id=ticket, actor_id=l2)
    with env.uow() as uow:
        [survey] = uow.surveys.for_ticket(ticket)
    lifecycle.answer_survey(env, token=survey.token, csat=4, nps=8)
    return ticket


def test_a_full_lifecycle_stores_a_ticket_its_events_rebuild(desk: StoreDesk) -> None:
    ticket_id = _full_lifecycle(desk)
    stored = desk.tickets()
    assert len(stored) == 2
    for ticket in stored:
        assert replay(desk.events(ticket.id)) == to_state(ticket)
    final = desk.ticket(ticket_id)
    assert (final.status, final.tier, final.csat, final.reopen_count, final.call_seconds) == (
        "closed",
        "L2",
        4,
        1,
        300,
    )
    assert {"escalated", "approval_decided", "action_applied", "survey_answered"} <= set(
        desk.kinds(ticket_id)
    )


def test_open_reply_escalate_and_approve_leave_the_same_trail(desk: StoreDesk) -> None:
    ticket = desk.open()
    env, l1, l2 = desk.env, desk.user["agent_l1"], desk.user["agent_l2"]
    conversation.reply(env, ticket_id=ticket.id, actor_id=l1, body="On it.")
    escalate(env, ticket_id=ticket.id, actor_id=l1, to_tier="L2", reason="carrier claim")
    lifecycle.verify_identity(env, ticket_id=ticket.id, actor_id=l2)
    request = approvals.request_approval(
        env, ticket_id=ticket.id, actor_id=l2, action="refund", amount="5000", justification="x"
    )
    approved = approvals.approve(env, approval_id=request.id, actor_id=desk.user["manager"])
    assert approved.status == "approved" and str(approved.amount) == "5000"
    assert desk.kinds(ticket.id)[-5:] == [
        "message_added",
        "escalated",
        "identity_verified",
        "approval_requested",
        "approval_decided",
    ]
    assert [m.kind for m in desk.outbox(ticket.id)] == ["receipt", "reply", "escalation_notice"]
    assert desk.ticket(ticket.id).version == len(desk.events(ticket.id))


def test_a_stale_command_changes_nothing_on_any_store(desk: StoreDesk) -> None:
    ticket = desk.open()
    agent = desk.user["agent_l1"]
    conversation.add_note(desk.env, ticket_id=ticket.id, actor_id=agent, body="first")
    before, outbox = desk.ticket(ticket.id), desk.outbox(ticket.id)
    with pytest.raises(StaleVersion):
        conversation.reply(
            desk.env, ticket_id=ticket.id, actor_id=agent, body="old", expected_version=1
        )
    assert (desk.ticket(ticket.id), desk.outbox(ticket.id)) == (before, outbox)


@pytest.mark.rule("R-ESC-1")
def test_the_sweeper_escalates_l1_after_fifteen_minutes_once(desk: StoreDesk) -> None:
    ticket = desk.open()
    l1 = desk.user["agent_l1"]
    lifecycle.assign(desk.env, ticket_id=ticket.id, actor_id=l1, assignee_id=l1)
    desk.clock.advance(timedelta(minutes=14))
    assert sweep(desk.env).escalations == 0
    desk.clock.advance(timedelta(minutes=1))
    assert sweep(desk.env).escalations == 1
    desk.clock.advance(timedelta(hours=1))
    assert sweep(desk.env).escalations == 0
    escalated = desk.ticket(ticket.id)
    assert (escalated.tier, escalated.escalation_marks) == ("L2", ("R-ESC-1",))
    assert len(desk.outbox(ticket.id, "escalation_notice")) == 1
