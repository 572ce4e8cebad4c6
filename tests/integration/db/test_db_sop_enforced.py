"""The SOP as written, on every store (issue 8): each test runs on the in-memory fakes, SQLite
and PostgreSQL through `uow_factory`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from db_desk import StoreDesk, make_store_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook
from tierdesk.services import approvals, conversation, lifecycle, templates
from tierdesk.services.customers import Contact
from tierdesk.services.errors import UnfilledPlaceholders, WrongTier
from tierdesk.services.escalations import escalate
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.tickets import open_ticket

ZH_ORDER = "我的訂單 #12345 還沒有送到，請幫我查一下"


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return rulebook(preset="cs-sop")


@pytest.fixture
def desk(uow_factory: Callable[[], UnitOfWork], rules: Rulebook) -> StoreDesk:
    return make_store_desk(uow_factory, rules)


def _nameless(desk: StoreDesk, text: str, email: str = "anon@example.com") -> str:
    contact = Contact("email", email)  # no name
    return open_ticket(desk.env, channel="email", text=text, contact=contact).ticket.id


@pytest.mark.rule("R-TPL-1")
@pytest.mark.parametrize("left", ["{name}", "{issue}", "{action}", "{ next_steps }"])
def test_a_reply_with_an_unfilled_placeholder_is_refused_and_nothing_is_sent(
    desk: StoreDesk, left: str
) -> None:
    ticket = desk.open()
    before, outbox = desk.ticket(ticket.id), desk.outbox(ticket.id)
    with pytest.raises(UnfilledPlaceholders) as refused:
        conversation.reply(
            desk.env,
            ticket_id=ticket.id,
            actor_id=desk.user["agent_l1"],
            body=f"Hi Mei, here is what we will do: {left} and {{timeline}}.",
            template_id="acknowledge_reply",
        )
    assert refused.value.code == "unfilled_placeholders"
    assert refused.value.data["placeholders"] == [left.strip("{} "), "timeline"]
    assert (desk.ticket(ticket.id), desk.outbox(ticket.id)) == (before, outbox)


@pytest.mark.rule("R-TPL-1")
def test_a_filled_template_leaves_only_what_the_agent_writes(desk: StoreDesk) -> None:
    ticket = desk.open()
    filled = templates.fill(
        desk.env,
        ticket_id=ticket.id,
        template_id="acknowledge_reply",
        actor_id=desk.user["agent_l1"],
    )
    assert filled.body.startswith("Hi Mei, thank you for contacting us.")
    assert filled.to_write == ("issue", "action", "timeline", "next_steps")
    receipt = templates.fill(
        desk.env, ticket_id=ticket.id, template_id="receipt", actor_id=desk.user["agent_l1"]
    )
    assert ticket.id in receipt.body and "Example Co. We have" in receipt.body
    assert receipt.to_write == ()
    notice = templates.fill(
        desk.env,
        ticket_id=ticket.id,
        template_id="escalation_notice",
        actor_id=desk.user["agent_l1"],
        language="zh-TW",
    )
    assert notice.body.startswith("Mei 您好") and "{expected_resolution}" not in notice.body
    assert notice.to_write == ("escalated_to",)


@pytest.mark.rule("R-TPL-1")
@pytest.mark.rule("R-PROC-1")
def test_every_message_to_a_nameless_customer_reads_naturally_in_english(
    desk: StoreDesk,
) -> None:
    ticket = _nameless(desk, "Where is my order #12345? It has not arrived yet.")
    l1 = desk.user["agent_l1"]
    escalate(desk.env, ticket_id=ticket, actor_id=l1, to_tier="L2", reason="carrier claim")
    lifecycle.resolve(desk.env, ticket_id=ticket, actor_id=desk.user["agent_l2"], summary="ok")
    texts = {m.kind: str(m.payload["text"]) for m in desk.outbox(ticket)}
    assert set(texts) >= {"receipt", "escalation_notice", "resolution_confirm"}
    for text in texts.values():
        assert text.startswith("Hi there, "), text
        assert "Hi ," not in text and ".." not in text and "  " not in text and " ," not in text
    assert "thank you for contacting Example Co. We have" in texts["receipt"]


@pytest.mark.rule("R-TPL-1")
@pytest.mark.rule("R-PROC-1")
def test_every_message_to_a_nameless_customer_reads_naturally_in_chinese(
    desk: StoreDesk,
) -> None:
    ticket = _nameless(desk, ZH_ORDER, "anon-zh@example.com")
    assert desk.ticket(ticket).language == "zh-TW"
    escalate(desk.env, ticket_id=ticket, actor_id=desk.user["agent_l1"], to_tier="L2", reason="x")
    lifecycle.resolve(desk.env, ticket_id=ticket, actor_id=desk.user["agent_l2"], summary="ok")
    texts = {m.kind: str(m.payload["text"]) for m in desk.outbox(ticket)}
    assert set(texts) >= {"receipt", "escalation_notice", "resolution_confirm"}
    for text in texts.values():
        assert text.startswith("您好，"), text
        assert "。。" not in text and ".。" not in text and not text.startswith(" ")


def test_a_business_name_ending_in_a_full_stop_is_not_followed_by_another(
    uow_factory: Callable[[], UnitOfWork], rules: Rulebook
) -> None:
    desk = make_store_desk(uow_factory, replace(rules, business="Acme Inc."))
    ticket = desk.open()
    [receipt] = desk.outbox(ticket.id, "receipt")
    assert "contacting Acme Inc. We have" in str(receipt.payload["text"])


def _escalated_to_l2(desk: StoreDesk) -> str:
    ticket = desk.open().id
    l1 = desk.user["agent_l1"]
    conversation.reply(desk.env, ticket_id=ticket, actor_id=l1, body="Checking the carrier.")
    lifecycle.verify_identity(desk.env, ticket_id=ticket, actor_id=l1)
    escalate(desk.env, ticket_id=ticket, actor_id=l1, to_tier="L2", reason="lost parcel claim")
    return ticket


def _by_l1(desk: StoreDesk, ticket: str) -> dict[str, Callable[[], object]]:
    env, l1 = desk.env, desk.user["agent_l1"]
    common = {"ticket_id": ticket, "actor_id": l1}
    return {
        "reply": lambda: conversation.reply(env, body="Still on it.", **common),
        "refund": lambda: approvals.apply_action(env, action="refund", amount="100", **common),
        "apology": lambda: approvals.apply_action(env, action="apology", **common),
        "pending": lambda: conversation.set_pending(env, reason="need the address", **common),
        "resolve": lambda: lifecycle.resolve(env, summary="done", **common),
        "escalate": lambda: escalate(env, to_tier="L3", reason="bug", **common),
        "assign": lambda: lifecycle.assign(env, assignee_id=l1, **common),
        "call": lambda: lifecycle.log_call(
            env, started_at=desk.clock.now(), duration_seconds=60, **common
        ),
    }


@pytest.mark.rule("R-TIER-1")
@pytest.mark.parametrize(
    "command", ["reply", "refund", "apology", "pending", "resolve", "escalate", "assign", "call"]
)
def test_once_escalated_the_lower_tier_may_not_act_on_the_ticket(
    desk: StoreDesk, command: str
) -> None:
    ticket = _escalated_to_l2(desk)
    before, outbox = desk.ticket(ticket), desk.outbox(ticket)
    with pytest.raises(WrongTier) as refused:
        _by_l1(desk, ticket)[command]()
    assert refused.value.code == "wrong_tier" and refused.value.data["tier"] == "L2"
    assert (desk.ticket(ticket), desk.outbox(ticket)) == (before, outbox)


@pytest.mark.rule("R-TIER-1")
def test_the_tier_and_leads_act_and_anyone_notes_once_escalated(desk: StoreDesk) -> None:
    ticket = _escalated_to_l2(desk)
    env, u = desk.env, desk.user
    conversation.add_note(env, ticket_id=ticket, actor_id=u["agent_l1"], body="told them 2 days")
    conversation.reply(env, ticket_id=ticket, actor_id=u["agent_l2"], body="I have it now.")
    conversation.reply(env, ticket_id=ticket, actor_id=u["team_lead"], body="Lead here.")
    lifecycle.resolve(env, ticket_id=ticket, actor_id=u["agent_l2"], summary="re-shipped")
    with pytest.raises(WrongTier):
        lifecycle.reopen(env, ticket_id=ticket, actor_id=u["agent_l1"], reason="not fixed")
    lifecycle.reopen(env, ticket_id=ticket, actor_id=u["supervisor"], reason="not fixed")
    assert desk.ticket(ticket).status == "open"
