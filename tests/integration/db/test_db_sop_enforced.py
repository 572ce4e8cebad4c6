"""The SOP as written, on every store (issue 8): each test runs on the in-memory fakes, SQLite
and PostgreSQL through `uow_factory`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from db_desk import StoreDesk, make_store_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook
from tierdesk.policy.compile import compile_policy
from tierdesk.policy.loader import load_text, preset_path
from tierdesk.services import approvals, conversation, lifecycle, policies, templates
from tierdesk.services.customers import Contact
from tierdesk.services.errors import (
    ApprovalRequired,
    Forbidden,
    IdempotencyKeyReused,
    InsufficientAuthority,
    InvalidInput,
    UnfilledPlaceholders,
    WrongTier,
)
from tierdesk.services.escalations import escalate
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import ROLES, ApprovalRecord
from tierdesk.services.sweep import sweep
from tierdesk.services.tickets import open_ticket

VIP_ROUTING = "routing:\n  - id: vip_fast_lane\n    when: {customer.vip: true}\n    tier: L3\n\n"
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
    assert f"T-{ticket.id[2:12]}" in receipt.body and "Example Co. We have" in receipt.body
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


@pytest.mark.rule("R-ESC-7")
@pytest.mark.rule("R-TPL-1")
@pytest.mark.parametrize(
    ("text", "named", "hidden"),
    [
        (
            "I want to speak to your manager, this is unacceptable",
            "our Specialist team",
            "team_lead",
        ),
        ("I will sue you and tell the press about this", "Expert, Legal, PR", "legal_"),
        ("我要找你們主管，太離譜了", "專員團隊", "team_lead"),
    ],
)
def test_an_escalation_notice_names_teams_as_customers_read_them(
    desk: StoreDesk, text: str, named: str, hidden: str
) -> None:
    ticket = _nameless(desk, text, "loud@example.com")
    texts = [str(m.payload["text"]) for m in desk.outbox(ticket, "escalation_notice")]
    assert texts, desk.kinds(ticket)
    for body in texts:
        assert named in body, body
        assert hidden not in body and "_" not in body.replace(ticket, ""), body
        assert body.startswith(("Hi there, ", "您好，")), body


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
    common: dict[str, Any] = {"ticket_id": ticket, "actor_id": l1}
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


# --- authority over what the customer receives (R-AUTH-1, R-AUTH-2, R-ESC-3, R-AUTH-3) ----------


def _verified(desk: StoreDesk, email: str = "mei@example.com") -> str:
    ticket = desk.open(email=email).id
    lifecycle.verify_identity(desk.env, ticket_id=ticket, actor_id=desk.user["agent_l1"])
    return ticket


def _refund(
    desk: StoreDesk, ticket: str, amount: str, role: str = "agent_l1", **kw: Any
) -> approvals.Applied:
    return approvals.apply_action(
        desk.env,
        ticket_id=ticket,
        actor_id=desk.user[role],
        action="refund",
        amount=amount,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.rule("R-AUTH-1")
@pytest.mark.rule("R-ESC-3")
def test_split_refunds_count_as_one_against_the_limit(desk: StoreDesk) -> None:
    ticket = _verified(desk)
    _refund(desk, ticket, "450")
    with pytest.raises(ApprovalRequired) as refused:
        _refund(desk, ticket, "450")
    assert refused.value.data["required_role"] == "agent_l2"
    assert refused.value.data["granted_before"] == "450"
    with desk.env.uow() as uow:
        assert [a.amount for a in uow.actions.for_ticket(ticket)] == [Decimal("450")]


@pytest.mark.rule("R-AUTH-1")
def test_refunds_on_linked_and_merged_tickets_share_one_total(desk: StoreDesk) -> None:
    # The same customer writes three times (a repeat contact may escalate, so a lead acts).
    env, lead = desk.env, desk.user["team_lead"]

    def verified() -> str:
        ticket = desk.open().id
        lifecycle.verify_identity(env, ticket_id=ticket, actor_id=lead)
        return ticket

    first = verified()
    _refund(desk, first, "4000", role="team_lead")
    again = verified()
    if desk.ticket(again).related_to != first:
        lifecycle.link_contact(env, ticket_id=again, related_to=first, actor_id=lead)
    _refund(desk, again, "3000", role="team_lead")
    dup = verified()
    _refund(desk, dup, "2500", role="team_lead")
    lifecycle.merge(env, source_id=dup, target_id=again, actor_id=lead)
    with pytest.raises(ApprovalRequired) as refused:
        _refund(desk, first, "600", role="team_lead")
    assert refused.value.data["granted_before"] == "9500"
    assert refused.value.data["required_role"] == "supervisor"
    _refund(desk, again, "500", role="team_lead")  # exactly 10,000 in all: the lead's limit


@pytest.mark.rule("R-AUTH-1")
@pytest.mark.rule("R-AUTH-2")
def test_ticket_authority_is_what_the_services_enforce_across_linked_tickets(
    desk: StoreDesk,
) -> None:
    env, lead = desk.env, desk.user["team_lead"]
    first = desk.open().id
    lifecycle.verify_identity(env, ticket_id=first, actor_id=lead)
    again = desk.open().id
    lifecycle.verify_identity(env, ticket_id=again, actor_id=lead)
    if desk.ticket(again).related_to != first:
        lifecycle.link_contact(env, ticket_id=again, related_to=first, actor_id=lead)
    _refund(desk, first, "4000", role="team_lead")
    shown = approvals.ticket_authority(env, ticket_id=again, actor_id=lead)
    refund = next(a for a in shown.actions if a.action == "refund")
    assert (refund.limit, refund.granted, refund.remaining) == (
        Decimal(10000),
        Decimal(4000),
        Decimal(6000),
    )
    assert refund.approver == "supervisor" and refund.alone
    with pytest.raises(ApprovalRequired):
        _refund(desk, again, "6000.01", role="team_lead")
    _refund(desk, again, "6000", role="team_lead")
    request = approvals.request_approval(
        env, ticket_id=first, actor_id=lead, action="refund", amount="100",
        justification="one more",
    )  # fmt: skip
    for role in ("team_lead", "supervisor", "manager"):
        view = approvals.ticket_authority(env, ticket_id=again, actor_id=desk.user[role])
        assert [a.id for a in view.pending] == [request.id]
        inbox = [a.id for a in approvals.pending_approvals(env, actor_id=desk.user[role])]
        assert (request.id in view.may_decide) is (request.id in inbox) is (role != "team_lead")


@pytest.mark.rule("R-AUTH-2")
def test_complimentary_value_has_its_own_running_total(desk: StoreDesk) -> None:
    ticket = _verified(desk)
    env, lead = desk.env, desk.user["team_lead"]
    _refund(desk, ticket, "9000", role="team_lead")
    comp = {"ticket_id": ticket, "actor_id": lead, "action": "complimentary"}
    approvals.apply_action(env, amount="1000", **comp)  # type: ignore[arg-type]
    with pytest.raises(ApprovalRequired) as refused:
        approvals.apply_action(env, amount="600", **comp)  # type: ignore[arg-type]
    assert refused.value.data["granted_before"] == "1000"
    assert refused.value.data["required_role"] == "supervisor"


@pytest.mark.rule("R-AUTH-2")
@pytest.mark.rule("R-ESC-3")
def test_an_approved_amount_covers_exactly_that_amount_once(desk: StoreDesk) -> None:
    ticket = _verified(desk)
    env, u = desk.env, desk.user
    _refund(desk, ticket, "450")
    request = approvals.request_approval(
        env,
        ticket_id=ticket,
        actor_id=u["agent_l1"],
        action="refund",
        amount="450",
        justification="parcel lost twice",
    )
    assert request.required_role == "agent_l2"
    approvals.approve(env, approval_id=request.id, actor_id=u["agent_l2"])
    with pytest.raises(ApprovalRequired):
        _refund(desk, ticket, "400", approval_id=request.id)  # not the approved amount
    _refund(desk, ticket, "450", approval_id=request.id)
    with pytest.raises(ApprovalRequired):
        _refund(desk, ticket, "450", approval_id=request.id)  # used up
    with desk.env.uow() as uow:
        assert sum(a.amount or 0 for a in uow.actions.for_ticket(ticket)) == Decimal("900")


@pytest.mark.rule("R-AUTH-2")
@pytest.mark.rule("R-AUTH-3")
def test_every_decider_role_against_every_required_role(desk: StoreDesk) -> None:
    ticket = _verified(desk)
    ladder = desk.env.rules.authority.ladder
    requester = desk.user["qa"]  # off the ladder: never a decider, so never deciding their own
    outcomes = {}
    for required in ladder:
        for decider in ROLES:
            approval = ApprovalRecord(
                id=f"a_{required}_{decider}",
                ticket_id=ticket,
                action="refund",
                amount=Decimal("100"),
                unit="money",
                currency="TWD",
                requested_by=requester,
                requested_role="agent_l1",
                required_role=required,
                justification="test",
                created_at=desk.clock.now(),
            )
            with desk.env.uow() as uow:
                uow.approvals.add(approval)
                uow.commit()
            try:
                approvals.approve(desk.env, approval_id=approval.id, actor_id=desk.user[decider])
                outcomes[required, decider] = True
            except (InsufficientAuthority, Forbidden):
                outcomes[required, decider] = False
    expected = {
        (r, d): d in ladder and ladder.index(d) >= ladder.index(r) for r in ladder for d in ROLES
    }
    assert outcomes == expected


@pytest.mark.rule("R-AUTH-3")
def test_an_exception_needing_a_manager_is_not_decided_by_a_supervisor(desk: StoreDesk) -> None:
    ticket = _verified(desk)
    env, u = desk.env, desk.user
    request = ApprovalRecord(
        id="a_exception",
        ticket_id=ticket,
        action="exception",
        amount=None,
        unit="flag",
        currency=None,
        requested_by=u["agent_l2"],
        requested_role="agent_l2",
        required_role="manager",
        justification="ship outside the return window",
        created_at=desk.clock.now(),
    )
    with env.uow() as uow:
        uow.approvals.add(request)
        uow.commit()
    with pytest.raises(InsufficientAuthority) as refused:
        approvals.approve(env, approval_id=request.id, actor_id=u["supervisor"])
    assert refused.value.data["required_role"] == "manager"
    assert approvals.pending_approvals(env, actor_id=u["supervisor"]) == []
    assert [a.id for a in approvals.pending_approvals(env, actor_id=u["manager"])] == [request.id]
    approvals.approve(env, approval_id=request.id, actor_id=u["manager"])


def test_an_action_retried_with_its_idempotency_key_is_applied_once(desk: StoreDesk) -> None:
    ticket = _verified(desk)
    first = _refund(desk, ticket, "300", idempotency_key="k-1")
    again = _refund(desk, ticket, "300", idempotency_key="k-1")
    assert (again.replayed, again.action) == (True, first.action)
    with pytest.raises(IdempotencyKeyReused):
        _refund(desk, ticket, "200", idempotency_key="k-1")
    with desk.env.uow() as uow:
        assert len(uow.actions.for_ticket(ticket)) == 1
    assert desk.kinds(ticket).count("action_applied") == 1


# --- the L1 time box (R-ESC-1) -------------------------------------------------------------------


@pytest.mark.rule("R-ESC-1")
def test_the_l1_time_box_counts_l1_work_from_when_it_was_taken(desk: StoreDesk) -> None:
    ticket = desk.open().id
    l1 = desk.user["agent_l1"]
    desk.clock.advance(timedelta(minutes=60))  # waiting in the L1 queue: first-response time
    assert sweep(desk.env).escalations == 0
    lifecycle.assign(desk.env, ticket_id=ticket, actor_id=l1, assignee_id=l1)
    desk.clock.advance(timedelta(minutes=5))
    conversation.set_pending(desk.env, ticket_id=ticket, actor_id=l1, reason="order number?")
    desk.clock.advance(timedelta(minutes=30))
    conversation.customer_message(desk.env, ticket_id=ticket, body="It is #889")
    desk.clock.advance(timedelta(minutes=9))  # 14 minutes of L1 work
    assert sweep(desk.env).escalations == 0
    desk.clock.advance(timedelta(minutes=1))
    assert sweep(desk.env).escalations == 1
    [escalated] = [e for e in desk.events(ticket) if e.kind.value == "escalated"]
    assert "L1 has worked the ticket for 15 minutes of business time" in escalated.reason
    assert "taken at 2025-03-04 11:00 (Asia/Taipei)" in escalated.reason
    assert "not counting 30 minutes waiting on the customer" in escalated.reason


@pytest.mark.rule("R-ESC-1")
def test_an_order_question_on_friday_evening_waits_for_monday(
    uow_factory: Callable[[], UnitOfWork], rules: Rulebook
) -> None:
    desk = make_store_desk(uow_factory, rules)
    desk.clock.set(datetime(2025, 3, 7, 12, 0, tzinfo=UTC))  # Friday 20:00 in Taipei
    ticket = desk.open().id
    l1 = desk.user["agent_l1"]
    conversation.reply(desk.env, ticket_id=ticket, actor_id=l1, body="We will check on Monday.")
    desk.clock.advance(timedelta(minutes=20))
    assert sweep(desk.env).escalations == 0
    assert desk.ticket(ticket).tier == "L1"
    desk.clock.set(datetime(2025, 3, 10, 1, 16, tzinfo=UTC))  # Monday 09:16
    assert sweep(desk.env).escalations == 1
    assert desk.ticket(ticket).tier == "L2"


@pytest.mark.rule("R-ESC-1")
def test_a_tier_on_its_own_24x7_calendar_is_timed_at_night(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    source = source.replace("    team_size: 6\n", "    team_size: 6\n    calendar: 24x7\n", 1)
    loaded = load_text(source, "night.yaml")
    desk = make_store_desk(uow_factory, compile_policy(loaded.policy))
    desk.clock.set(datetime(2025, 3, 7, 12, 0, tzinfo=UTC))  # Friday 20:00 in Taipei
    ticket = desk.open().id
    l1 = desk.user["agent_l1"]
    conversation.reply(desk.env, ticket_id=ticket, actor_id=l1, body="Checking it now.")
    desk.clock.advance(timedelta(minutes=14))
    assert sweep(desk.env).escalations == 0
    desk.clock.advance(timedelta(minutes=1))
    assert sweep(desk.env).escalations == 1
    assert desk.ticket(ticket).tier == "L2"
    [escalated] = [e for e in desk.events(ticket) if e.kind.value == "escalated"]
    assert "on the 24x7 calendar (the L1 tier's)" in escalated.reason
    assert "reached at 2025-03-07 20:15 (Asia/Taipei)" in escalated.reason


# --- the warm-handoff brief (R-ESC-8) ------------------------------------------------------------


@pytest.mark.rule("R-ESC-8")
def test_the_brief_carries_every_input_the_agent_gave_and_each_promise_once(
    desk: StoreDesk,
) -> None:
    ticket = _verified(desk)
    env, l1 = desk.env, desk.user["agent_l1"]
    conversation.reply(
        env, ticket_id=ticket, actor_id=l1, body="We'll send you an update by Friday."
    )
    _refund(desk, ticket, "300")
    approvals.apply_action(env, ticket_id=ticket, actor_id=l1, action="apology")
    approvals.request_approval(
        env,
        ticket_id=ticket,
        actor_id=l1,
        action="refund",
        amount="400",
        justification="second parcel lost",
    )
    escalate(
        env,
        ticket_id=ticket,
        actor_id=l1,
        to_tier="L2",
        reason="carrier claim needs L2",
        tried=["asked the carrier to trace it"],
        mood="frustrated",
        promises=["an update by Friday"],
    )
    with env.uow() as uow:
        [esc] = uow.escalations.for_ticket(ticket)
    brief, text = esc.brief, str(esc.brief["text"])
    assert brief["agent_mood"] == "frustrated" and brief["customer_mood"] == "frustrated"
    assert "Customer mood: frustrated (as the agent judged it" in text
    assert "Escalation reason: carrier claim needs L2" in text
    assert "refund NT$300 (agent_l1)" in text and "apology (agent_l1)" in text
    assert "refund total: NT$300" in text
    assert "refund NT$400: needs agent_l2 (asked by agent_l1: second parcel lost)" in text
    assert "asked the carrier to trace it" in text
    assert [p["text"] for p in brief["promises"]] == ["an update by Friday"]


@pytest.mark.rule("R-ESC-8")
def test_the_brief_names_the_targets_and_the_approvals_waiting_on_linked_tickets(
    desk: StoreDesk,
) -> None:
    env, lead = desk.env, desk.user["team_lead"]
    first = desk.open().id
    lifecycle.verify_identity(env, ticket_id=first, actor_id=lead)
    again = desk.open().id
    if desk.ticket(again).related_to != first:
        lifecycle.link_contact(env, ticket_id=again, related_to=first, actor_id=lead)
    approvals.request_approval(
        env, ticket_id=first, actor_id=lead, action="refund", amount="12000",
        justification="three orders lost",
    )  # fmt: skip
    escalate(
        env,
        ticket_id=again,
        actor_id=lead,
        to_tier="L3",
        reason="carrier fraud suspected",
        targets=["legal"],
        promises=["a call back today", "A call back today."],
    )
    with env.uow() as uow:
        [esc] = uow.escalations.for_ticket(again)
    text = str(esc.brief["text"])
    assert "Escalated to: L3, legal" in text
    assert "refund NT$12,000: needs supervisor (asked by team_lead: three orders lost)" in text
    assert [p["text"] for p in esc.brief["promises"]] == ["a call back today"]
    assert esc.brief["targets"] == ["L3", "legal"]


# --- policy versions keep their checker findings (R-DOC-3, R-TIER-2) -----------------------------


@pytest.mark.rule("R-DOC-3")
@pytest.mark.rule("R-TIER-2")
def test_a_policy_version_stores_its_checker_findings_for_the_approver(desk: StoreDesk) -> None:
    source = VIP_ROUTING + preset_path("cs-sop").read_text(encoding="utf-8")
    env, u = desk.env, desk.user
    version = policies.propose_version(env, source=source, title="VIP", actor_id=u["supervisor"])
    [finding] = version.findings
    assert finding["severity"] == "warning" and "R-TIER-2" in finding["message"]
    assert finding["path"] == "routing.0.when.customer.vip" and finding["line"] == 3
    with env.uow() as uow:
        stored = uow.policies.get(version.id)
    assert stored is not None and stored.findings == version.findings
    assert policies.changes(env, version.id).findings == version.findings
    with pytest.raises(InvalidInput) as refused:
        policies.propose_version(
            env,
            source=source.replace("first_response: 15m", "first_response: ASAP", 1),
            title="bad",
            actor_id=u["supervisor"],
        )
    assert "ASAP" in refused.value.message
