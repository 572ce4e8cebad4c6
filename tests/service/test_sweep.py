"""The SLA sweeper: warnings, breaches, time-in-tier escalation, each recorded once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from service_desk import ORDER, OUTAGE, Desk

from tierdesk.services import conversation
from tierdesk.services.lifecycle import assign, resolve
from tierdesk.services.sweep import sweep


@pytest.mark.rule("R-SLA-2")
def test_a_warning_then_a_breach_are_recorded_once_each(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)  # P1: first response 15 min, warn at 80% (12 min)
    desk.clock.advance(timedelta(minutes=11))
    assert sweep(desk.env).warnings == 0
    desk.clock.advance(timedelta(minutes=1))
    assert sweep(desk.env).warnings == 1
    assert sweep(desk.env).warnings == 0
    desk.clock.advance(timedelta(minutes=4))
    report = sweep(desk.env)
    assert report.breaches == 1
    assert sweep(desk.env).breaches == 0
    marks = [e.get("mark") for e in desk.events(ticket.id) if e.kind.startswith("sla_")]
    assert marks == ["warning:first_response", "breach:first_response"]
    [breach] = [e for e in desk.events(ticket.id) if e.kind == "sla_breached"]
    assert breach.get("due_at") == (ticket.created_at + timedelta(minutes=15)).isoformat()


@pytest.mark.rule("R-SLA-2")
def test_a_reply_after_the_target_still_records_the_breach_with_the_time_missed(
    desk: Desk,
) -> None:
    ticket = desk.open(OUTAGE)
    desk.clock.advance(timedelta(minutes=25))
    conversation.reply(desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l3"], body="Hi")
    sweep(desk.env)
    [breach] = [e for e in desk.events(ticket.id) if e.kind == "sla_breached"]
    assert breach.get("clock") == "first_response"
    assert breach.get("breached_by_seconds") == 600  # missed by 10 minutes


@pytest.mark.rule("R-SLA-2")
def test_no_warning_is_raised_while_the_ticket_waits_on_the_customer(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    conversation.reply(desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l3"], body="Hi")
    conversation.set_pending(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l3"], reason="need logs"
    )
    desk.clock.advance(timedelta(hours=10))
    report = sweep(desk.env)
    assert report.warnings == report.breaches == 0
    assert desk.ticket(ticket.id).sweep_at is None


@pytest.mark.rule("R-ESC-1")
def test_l1_over_fifteen_minutes_is_escalated_to_l2_once(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    assert ticket.tier == "L1"
    l1 = desk.user["agent_l1"]
    assign(desk.env, ticket_id=ticket.id, actor_id=l1, assignee_id=l1)  # L1 takes it
    desk.clock.advance(timedelta(minutes=14))
    assert sweep(desk.env).escalations == 0
    desk.clock.advance(timedelta(minutes=1))
    assert sweep(desk.env).escalations == 1
    desk.clock.advance(timedelta(hours=1))
    assert sweep(desk.env).escalations == 0
    escalated = desk.ticket(ticket.id)
    assert escalated.tier == "L2" and escalated.escalation_marks == ("R-ESC-1",)
    assert desk.kinds(ticket.id).count("escalated") == 1
    assert len(desk.outbox(ticket.id, "escalation_notice")) == 1


def test_resolved_and_closed_tickets_are_not_swept(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    resolve(desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], summary="shipped")
    desk.clock.advance(timedelta(days=3))
    assert sweep(desk.env).looked == 0


@pytest.mark.rule("R-ESC-1")
def test_two_sweepers_at_once_escalate_a_ticket_only_once(desk: Desk) -> None:
    tickets = [desk.open(ORDER, email=f"c{i}@example.com") for i in range(5)]
    l1 = desk.user["agent_l1"]
    for t in tickets:
        assign(desk.env, ticket_id=t.id, actor_id=l1, assignee_id=l1)
    desk.clock.advance(timedelta(minutes=20))
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda _: sweep(desk.env), range(2)))
    assert sum(r.escalations for r in reports) == len(tickets)
    for t in tickets:
        assert desk.kinds(t.id).count("escalated") == 1
        assert len(desk.outbox(t.id, "escalation_notice")) == 1


@pytest.mark.rule("R-ESC-1")
def test_time_waiting_on_the_customer_does_not_count_as_time_in_tier(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    agent = desk.user["agent_l1"]
    conversation.reply(desk.env, ticket_id=ticket.id, actor_id=agent, body="Let me check.")
    desk.clock.advance(timedelta(minutes=5))
    conversation.set_pending(desk.env, ticket_id=ticket.id, actor_id=agent, reason="order no.?")
    desk.clock.advance(timedelta(hours=1))  # back at 11:05, before the lunch break
    conversation.customer_message(desk.env, ticket_id=ticket.id, body="It is #889")
    desk.clock.advance(timedelta(minutes=9))  # 14 minutes of work in L1
    assert sweep(desk.env).escalations == 0
    desk.clock.advance(timedelta(minutes=1))
    assert sweep(desk.env).escalations == 1
    assert desk.ticket(ticket.id).tier == "L2"
