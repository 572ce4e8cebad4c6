"""Escalation: the warm-handoff brief and the customer notice (R-ESC-7, R-ESC-8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import ORDER, Desk

from tierdesk.domain.calendar import calendar_for
from tierdesk.services import conversation
from tierdesk.services.errors import InvalidInput
from tierdesk.services.escalations import escalate
from tierdesk.services.notify import fmt_time


def _escalated(desk: Desk) -> str:
    ticket = desk.open(ORDER)
    agent = desk.user["agent_l1"]
    conversation.add_note(
        desk.env, ticket_id=ticket.id, actor_id=agent, body="Checked tracking: stuck at hub"
    )
    desk.clock.advance(timedelta(minutes=5))
    escalate(
        desk.env,
        ticket_id=ticket.id,
        actor_id=agent,
        to_tier="L2",
        reason="carrier claim needed",
        tried=["checked tracking", "called the carrier"],
        mood="frustrated",
        promises=["update by tomorrow noon"],
    )
    return ticket.id


@pytest.mark.rule("R-ESC-7")
def test_every_escalation_tells_the_customer_the_expected_resolution_time(desk: Desk) -> None:
    ticket_id = _escalated(desk)
    [notice] = desk.outbox(ticket_id, "escalation_notice")
    [esc] = desk.store.tables.escalations.values()
    assert esc.expected_by is not None
    rules = desk.env.rules
    clock = rules.priority(desk.ticket(ticket_id).priority).clock
    l2_target = rules.tier("L2").resolution_target
    expected = calendar_for(rules.calendar(clock)).due(desk.clock.now(), l2_target)
    assert esc.expected_by == expected
    shown = fmt_time(expected, rules.calendar(clock).timezone, "en")
    assert f"Expected resolution: {shown}" in notice.payload["text"]
    assert esc.notice == notice.payload["text"]


@pytest.mark.rule("R-ESC-8")
def test_the_receiving_tier_gets_a_brief_so_the_customer_never_repeats_the_story(
    desk: Desk,
) -> None:
    ticket_id = _escalated(desk)
    [esc] = desk.store.tables.escalations.values()
    brief = esc.brief
    assert ORDER.split("?")[0] in brief["issue"]  # the first sentence, after the category
    tried = [t["gist"] for t in brief["tried"]]
    assert tried[-2:] == ["checked tracking", "called the carrier"]
    assert brief["customer_mood"] == "frustrated"
    assert [p["text"] for p in brief["promises"]] == ["update by tomorrow noon"]
    assert {d["name"] for d in brief["deadlines"]} >= {"first_response", "resolution"}
    assert "checked tracking" in brief["text"]
    ticket = desk.ticket(ticket_id)
    assert (ticket.tier, ticket.queue, ticket.assignee_id) == ("L2", "L2", None)
    assert (esc.from_tier, esc.to_tier) == ("L1", "L2")


def test_the_notes_count_as_what_was_tried_when_the_agent_lists_nothing(
    desk: Desk,
) -> None:
    ticket = desk.open(ORDER)
    agent = desk.user["agent_l1"]
    conversation.add_note(desk.env, ticket_id=ticket.id, actor_id=agent, body="Reset the cache")
    escalate(desk.env, ticket_id=ticket.id, actor_id=agent, to_tier="L2", reason="bug")
    [esc] = desk.store.tables.escalations.values()
    assert [t["gist"] for t in esc.brief["tried"]] == ["Reset the cache"]
    assert esc.brief["tried"][0]["by"] == "agent_l1"


def test_escalation_never_goes_down_and_needs_a_reason(desk: Desk) -> None:
    ticket = desk.open("Your whole service is down, outage")  # L3
    agent = desk.user["agent_l3"]
    with pytest.raises(InvalidInput) as err:
        escalate(desk.env, ticket_id=ticket.id, actor_id=agent, to_tier="L1", reason="x")
    assert err.value.data["field"] == "to_tier"
    with pytest.raises(InvalidInput):
        escalate(desk.env, ticket_id=ticket.id, actor_id=agent, to_tier="L3", reason=" ")


@pytest.mark.rule("R-ESC-4")
def test_a_legal_threat_at_intake_goes_to_l3_legal_and_pr_with_a_notice(desk: Desk) -> None:
    ticket = desk.open("I will contact my lawyer and the newspaper about this")
    assert ticket.tier == "L3"
    [esc] = desk.store.tables.escalations.values()
    assert set(esc.targets) == {"L3", "legal", "pr"}
    assert "R-ESC-4" in ticket.escalation_marks
    assert desk.outbox(ticket.id, "escalation_notice")


@pytest.mark.rule("R-ESC-3")
def test_a_refund_above_the_l1_threshold_goes_to_l2_at_intake(desk: Desk) -> None:
    small = desk.open("I want a refund of NT$300 for the late parcel")
    large = desk.open("I want a refund of NT$2000 for the broken kettle", email="lin@example.com")
    assert small.tier == "L1" and small.escalation_marks == ()
    assert large.tier == "L2" and "R-ESC-3" in large.escalation_marks
    [esc] = [e for e in desk.store.tables.escalations.values() if e.ticket_id == large.id]
    assert (esc.from_tier, esc.to_tier) == ("L1", "L2")
