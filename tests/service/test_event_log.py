"""The event log is the truth: state rebuilt from events equals the stored state; stale
commands change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import ORDER, Desk

from tierdesk.domain.state import replay
from tierdesk.policy.loader import preset_path
from tierdesk.services import approvals, conversation, lifecycle, policies
from tierdesk.services.errors import NotFound, StaleVersion
from tierdesk.services.escalations import escalate
from tierdesk.services.sweep import sweep
from tierdesk.services.unit import to_state


def _full_lifecycle(desk: Desk) -> str:
    env, u, tick = desk.env, desk.user, desk.clock.advance
    ticket = desk.open(ORDER).id
    dup = desk.open(ORDER).id
    l1, l2, lead = u["agent_l1"], u["agent_l2"], u["team_lead"]
    tick(timedelta(minutes=3))
    conversation.reply(env, ticket_id=ticket, actor_id=l1, body="Checking with the carrier.")
    conversation.add_note(env, ticket_id=ticket, actor_id=l1, body="tracking stuck")
    conversation.set_pending(env, ticket_id=ticket, actor_id=l1, reason="need address")
    tick(timedelta(minutes=40))
    conversation.customer_message(env, ticket_id=ticket, body="Taipei, Xinyi Rd 5")
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
    version = policies.propose_version(
        env, source=_policy_source(), title="v1", actor_id=u["supervisor"]
    )
    policies.approve_version(env, version_id=version.id, actor_id=u["manager"])
    policies.acknowledge(env, version_id=version.id, actor_id=l2)
    lifecycle.assign(env, ticket_id=ticket, actor_id=lead, assignee_id=l2)
    lifecycle.resolve(env, ticket_id=ticket, actor_id=l2, summary="refunded")
    lifecycle.reopen(env, ticket_id=ticket, actor_id=l2, reason="customer disagrees")
    lifecycle.resolve(env, ticket_id=ticket, actor_id=l2, summary="re-shipped")
    lifecycle.close(env, ticket_id=ticket, actor_id=l2)
    [survey] = desk.store.tables.surveys.values()
    lifecycle.answer_survey(env, token=survey.token, csat=4, nps=8)
    return ticket


def _policy_source() -> str:
    return preset_path("cs-sop").read_text(encoding="utf-8")


def test_the_stored_state_equals_the_state_rebuilt_from_the_events(desk: Desk) -> None:
    ticket_id = _full_lifecycle(desk)
    for tid, stored in desk.store.tables.tickets.items():
        rebuilt = replay(desk.events(tid))
        assert rebuilt == to_state(stored)
    kinds = set(desk.kinds(ticket_id))
    assert {"escalated", "approval_decided", "action_applied", "survey_answered"} <= kinds
    final = desk.ticket(ticket_id)
    assert (final.status, final.csat, final.reopen_count, final.call_seconds) == (
        "closed",
        4,
        1,
        300,
    )


def test_every_event_says_who_when_and_why(desk: Desk) -> None:
    ticket_id = _full_lifecycle(desk)
    events = desk.events(ticket_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(e.actor and e.at.tzinfo is not None for e in events)
    assert all(e.reason for e in events)


def test_a_stale_version_is_refused_and_changes_nothing(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    agent = desk.user["agent_l1"]
    conversation.add_note(
        desk.env, ticket_id=ticket.id, actor_id=agent, body="first", expected_version=ticket.version
    )
    before = desk.ticket(ticket.id)
    outbox = len(desk.store.tables.outbox)
    with pytest.raises(StaleVersion) as err:
        conversation.reply(
            desk.env,
            ticket_id=ticket.id,
            actor_id=agent,
            body="based on an old view",
            expected_version=ticket.version,
        )
    assert err.value.code == "stale_version"
    assert err.value.data == {
        "ticket_id": ticket.id,
        "expected_version": ticket.version,
        "actual_version": before.version,
    }
    assert desk.ticket(ticket.id) == before
    assert len(desk.events(ticket.id)) == before.version
    assert len(desk.store.tables.outbox) == outbox


def test_an_unknown_ticket_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound) as err:
        conversation.add_note(desk.env, ticket_id="t_nope", actor_id=desk.user["qa"], body="x")
    assert err.value.data == {"what": "ticket", "id": "t_nope"}
