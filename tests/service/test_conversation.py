"""Replies, notes and waiting on the customer (R-TPL-1, R-SLA-2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import OUTAGE, Desk

from tierdesk.domain.sla import ClockStatus
from tierdesk.domain.templates import render
from tierdesk.services import clocks, conversation
from tierdesk.services.errors import Forbidden, InvalidTransition
from tierdesk.services.lifecycle import resolve
from tierdesk.services.unit import to_state


def _due(desk: Desk, ticket_id: str, clock: str) -> ClockStatus:
    t = desk.ticket(ticket_id)
    views = clocks.views(desk.env.rules, to_state(t), desk.events(ticket_id), desk.clock.now())
    return next(v for v in views if v.clock == clock)


def test_the_first_reply_stops_the_first_response_clock(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    desk.clock.advance(timedelta(minutes=5))
    replied = conversation.reply(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l3"], body="We are on it."
    )
    assert replied.first_response_at == desk.clock.now()
    assert replied.status == "open"
    desk.clock.advance(timedelta(hours=2))
    first = _due(desk, ticket.id, "first_response")
    assert first.state == "met" and first.stopped_at == replied.first_response_at
    [sent] = desk.outbox(ticket.id, "reply")
    assert sent.payload["text"] == "We are on it."


@pytest.mark.rule("R-TPL-1")
def test_a_reply_sent_as_the_unedited_template_is_flagged(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    template = desk.env.rules.template("acknowledge_reply")
    assert template is not None
    blank = {"name": "Mei", "issue": "", "action": "", "timeline": "", "next_steps": ""}
    unedited = render(template.body.get("en"), blank)
    conversation.reply(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["agent_l3"],
        body=unedited,
        template_id="acknowledge_reply",
    )
    edited = render(
        template.body.get("en"),
        blank | {"issue": "an outage of the checkout", "action": "restart the payment service"},
    )
    conversation.reply(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["agent_l3"],
        body=edited,
        template_id="acknowledge_reply",
    )
    flags = [
        e.get("template_unedited") for e in desk.events(ticket.id) if e.get("author") == "agent"
    ]
    assert flags == [True, False]
    assert desk.ticket(ticket.id).unedited_template_count == 1
    replies = [m for m in desk.store.tables.messages.values() if m.kind == "reply"]
    assert [m.template_unedited for m in replies] == [True, False]


@pytest.mark.rule("R-TPL-1")
def test_a_template_sent_with_its_placeholders_blanked_is_flagged_unedited(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    template = desk.env.rules.template("acknowledge_reply")
    assert template is not None
    blanked = render(
        template.body.get("en"),
        {"name": "Mei", "issue": "", "action": "", "timeline": "", "next_steps": ""},
    )
    conversation.reply(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["agent_l3"],
        body=blanked,
        template_id="acknowledge_reply",
    )
    [reply] = [m for m in desk.store.tables.messages.values() if m.kind == "reply"]
    assert reply.template_unedited


@pytest.mark.rule("R-SLA-2")
def test_waiting_on_the_customer_pauses_the_clocks(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)  # P1 resolution 4 h on the 24x7 clock
    due_before = _due(desk, ticket.id, "resolution").due_at
    desk.clock.advance(timedelta(minutes=10))
    paused = conversation.set_pending(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["agent_l3"],
        reason="asked for the order number",
    )
    assert paused.status == "pending_customer"
    desk.clock.advance(timedelta(hours=2))
    assert _due(desk, ticket.id, "resolution").state == "paused"
    resumed = conversation.customer_message(desk.env, ticket_id=ticket.id, body="It is #889")
    assert resumed.status == "open" and resumed.paused_seconds == 7200
    assert _due(desk, ticket.id, "resolution").due_at == due_before + timedelta(hours=2)


def test_an_agent_can_resume_a_pending_ticket(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    agent = desk.user["agent_l3"]
    conversation.set_pending(desk.env, ticket_id=ticket.id, actor_id=agent, reason="waiting")
    desk.clock.advance(timedelta(minutes=30))
    resumed = conversation.resume(desk.env, ticket_id=ticket.id, actor_id=agent)
    assert resumed.status == "open" and resumed.paused_at is None
    assert resumed.paused_seconds == 1800
    with pytest.raises(InvalidTransition):
        conversation.resume(desk.env, ticket_id=ticket.id, actor_id=agent)


def test_notes_are_internal_and_qa_may_add_them_but_not_reply(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    noted = conversation.add_note(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"], body="Greeting lacks our name."
    )
    assert noted.reply_count == 0 and noted.first_response_at is None
    assert desk.outbox(ticket.id, "reply") == []
    with pytest.raises(Forbidden) as err:
        conversation.reply(desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"], body="Hi")
    assert err.value.code == "forbidden"


def test_a_customer_writing_after_resolution_reopens_the_ticket(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    resolve(desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l3"], summary="fixed")
    again = conversation.customer_message(desk.env, ticket_id=ticket.id, body="Still broken!")
    assert again.status == "open" and again.reopen_count == 1 and again.resolved_at is None


def test_a_follow_up_delivered_twice_by_its_channel_is_recorded_once(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    for _ in range(2):
        conversation.customer_message(
            desk.env, ticket_id=ticket.id, body="More details", channel_message_id="<m2@mail>"
        )
    assert desk.kinds(ticket.id).count("message_added") == 2  # the first message and this one
