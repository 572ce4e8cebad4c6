"""QA reviews (issue 14, R-QA-1): resolved conversations scored against the policy's checklist
with evidence, overrides with a comment, the review queue and agent scorecards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from service_desk import Desk

from tierdesk.services import approvals, conversation, lifecycle, qa, templates
from tierdesk.services.errors import Forbidden, InvalidInput, InvalidTransition
from tierdesk.services.records import TicketRecord

KETTLE = "My new kettle arrived broken and leaks water, I am very disappointed"  # product_defect
ORDER_ZH = "我的訂單 #12345 還沒到，已經一週了"  # order_status, zh-TW
GOOD_EN = (
    "Hello Mei, my name is Ann from Example Co. I'm sorry your kettle arrived broken. "
    "We will send a replacement within 2 business days. Thank you for letting us know. "
    "Is there anything else I can help with?"
)
GOOD_ZH = (
    "您好，我是 Example Co. 的客服專員。很抱歉讓您久等了。"
    "我們會在 2 個工作天內為您補寄商品。請問還有什麼需要協助的嗎？"
)
# items the text can show, on a conversation without an account action: greeting,
# accurate_solution, tone, resolved_or_escalated, closing and first_response (weights 1)
SCORED = 6


def _worked(
    desk: Desk, text: str, reply: str, *, agent: str, email: str = "mei@example.com"
) -> TicketRecord:
    ticket = desk.open(text, email=email)
    lifecycle.assign(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["team_lead"], assignee_id=desk.user[agent]
    )
    desk.clock.advance(timedelta(minutes=20))
    conversation.reply(desk.env, ticket_id=ticket.id, actor_id=desk.user[agent], body=reply)
    return lifecycle.resolve(
        desk.env, ticket_id=ticket.id, actor_id=desk.user[agent], summary="done"
    )


def _items(review: qa.Review) -> dict[str, bool | None]:
    return {i.id: i.passed for i in review.items}


def test_a_good_english_complaint_passes_each_item_it_shows_with_the_sentence(
    desk: Desk,
) -> None:
    ticket = _worked(desk, KETTLE, GOOD_EN, agent="agent_l2")
    review = qa.review(desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"])
    assert review.stored and review.auto_score == 1.0 and review.score == 1.0
    evidence = {i.id: i.evidence for i in review.items}
    assert evidence["greeting"] == "Hello Mei, my name is Ann from Example Co."
    assert evidence["accurate_solution"] == "We will send a replacement within 2 business days."
    assert evidence["tone"] == "I'm sorry your kettle arrived broken."
    assert evidence["closing"] == "Is there anything else I can help with?"
    verdicts = _items(review)
    assert [k for k, v in verdicts.items() if v is True] == [
        "greeting",
        "accurate_solution",
        "tone",
        "resolved_or_escalated",
        "closing",
        "first_response",
    ]
    assert verdicts["active_listening"] is None and verdicts["privacy"] is None
    # a complaint: LAST, each step with the sentence that covers it (Listen is not shown)
    steps = {c.step: (c.covered, c.evidence) for c in review.coverage}
    assert steps == {
        "Listen": (False, ""),
        "Apologize": (True, "I'm sorry your kettle arrived broken."),
        "Solve": (True, "We will send a replacement within 2 business days."),
        "Thank": (True, "Thank you for letting us know."),
    }
    assert review.agent_id == desk.user["agent_l2"]
    assert desk.store.tables.qa_reviews[ticket.id].auto_score == 1.0  # kept


def test_a_curt_late_reply_fails_with_the_reasons(desk: Desk) -> None:
    ticket = desk.open(KETTLE)
    desk.clock.advance(timedelta(days=3))  # past the first-response target
    conversation.reply(desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l2"], body="ok.")
    lifecycle.resolve(desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l2"], summary="x")
    review = qa.review(desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"])
    verdicts = _items(review)
    failed = [k for k, v in verdicts.items() if v is False]
    assert failed == ["greeting", "accurate_solution", "tone", "closing", "first_response"]
    assert review.auto_score == pytest.approx(1 / SCORED)  # only resolved_or_escalated
    reasons = {i.id: i.reason for i in review.items}
    assert reasons["accurate_solution"] == "no concrete action with a timeline"
    assert reasons["first_response"] == "first response missed its SLA"
    assert not any(c.covered for c in review.coverage)
    assert review.agent_id == desk.user["agent_l2"]  # unassigned: whoever replied last


def test_a_good_traditional_chinese_reply_passes_with_chinese_evidence(desk: Desk) -> None:
    ticket = _worked(desk, ORDER_ZH, GOOD_ZH, agent="agent_l1", email="wang@example.com")
    assert ticket.language == "zh-TW"
    review = qa.review(desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"])
    evidence = {i.id: i.evidence for i in review.items}
    assert review.auto_score == 1.0
    assert evidence["greeting"] == "您好，我是 Example Co. 的客服專員。"
    assert evidence["accurate_solution"] == "我們會在 2 個工作天內為您補寄商品。"
    assert evidence["tone"] == "很抱歉讓您久等了。"
    assert evidence["closing"] == "請問還有什麼需要協助的嗎？"
    assert review.coverage == ()  # not a complaint


def test_a_bare_traditional_chinese_reply_fails(desk: Desk) -> None:
    ticket = _worked(desk, ORDER_ZH, "已處理。", agent="agent_l1", email="wang@example.com")
    review = qa.review(desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"])
    verdicts = _items(review)
    assert [k for k, v in verdicts.items() if v is False] == [
        "greeting",
        "accurate_solution",
        "tone",
        "closing",
    ]
    assert review.auto_score == pytest.approx(2 / SCORED)  # resolved, answered in time


def test_identity_verified_before_a_refund_passes(desk: Desk) -> None:
    ticket = desk.open("My card was charged twice, please refund")  # billing, L2
    agent = desk.user["agent_l2"]
    lifecycle.verify_identity(desk.env, ticket_id=ticket.id, actor_id=agent)
    approvals.apply_action(
        desk.env, ticket_id=ticket.id, actor_id=agent, action="refund", amount="100"
    )
    conversation.reply(desk.env, ticket_id=ticket.id, actor_id=agent, body=GOOD_EN)
    lifecycle.resolve(desk.env, ticket_id=ticket.id, actor_id=agent, summary="refunded")
    review = qa.review(desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"])
    assert _items(review)["identity_verified"] is True


def test_a_reply_sent_as_the_unedited_template_is_flagged(desk: Desk) -> None:
    ticket = desk.open()
    agent = desk.user["agent_l1"]
    filled = templates.fill(
        desk.env, ticket_id=ticket.id, template_id="resolution_confirm", actor_id=agent
    )
    conversation.reply(
        desk.env,
        ticket_id=ticket.id,
        actor_id=agent,
        body=filled.body,
        template_id="resolution_confirm",
    )
    lifecycle.resolve(desk.env, ticket_id=ticket.id, actor_id=agent, summary="asked")
    review = qa.review(desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"])
    assert review.unedited == (filled.body.split(".")[0] + ".",)


def test_an_open_ticket_is_scored_as_it_stands_and_nothing_is_kept(desk: Desk) -> None:
    ticket = desk.open(KETTLE)
    conversation.reply(desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l2"], body=GOOD_EN)
    review = qa.review(desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"])
    assert not review.stored and _items(review)["resolved_or_escalated"] is False
    assert desk.store.tables.qa_reviews == {}
    with pytest.raises(InvalidTransition):
        qa.override(
            desk.env,
            ticket_id=ticket.id,
            item_id="tone",
            passed=True,
            comment="fine",
            actor_id=desk.user["qa"],
        )


def test_an_override_changes_the_score_and_is_kept_with_its_comment(desk: Desk) -> None:
    ticket = _worked(desk, KETTLE, "ok.", agent="agent_l2")  # greeting ... closing fail
    desk.clock.advance(timedelta(hours=1))
    review = qa.override(
        desk.env,
        ticket_id=ticket.id,
        item_id="active_listening",
        passed=True,
        comment="The agent read back the order number on the call.",
        actor_id=desk.user["qa"],
    )
    # decided now: 7 items (6 scored + active_listening), passed: resolved, first response
    # and the override
    assert review.auto_score == pytest.approx(2 / SCORED)
    assert review.score == pytest.approx(3 / 7)
    item = next(i for i in review.items if i.id == "active_listening")
    assert (item.auto, item.passed) == (None, True)
    assert item.override is not None and item.override.comment.startswith("The agent read")
    assert review.names[item.override.reviewer_id] == "qa"
    assert (review.reviewed_by, review.reviewed_at) == (desk.user["qa"], desk.clock.now())
    again = qa.override(
        desk.env,
        ticket_id=ticket.id,
        item_id="active_listening",
        passed=None,
        comment="Not on the recording after all.",
        actor_id=desk.user["team_lead"],
    )
    assert again.score == pytest.approx(2 / SCORED)
    assert [o.passed for o in again.overrides] == [True, None]  # the history stays
    assert qa.queue(desk.env, actor_id=desk.user["qa"]).items == ()  # reviewed


@pytest.mark.parametrize("role", ["agent_l1", "agent_l2", "agent_l3"])
def test_agents_may_not_override_or_read_reviews(desk: Desk, role: str) -> None:
    ticket = _worked(desk, KETTLE, GOOD_EN, agent="agent_l2")
    with pytest.raises(Forbidden):
        qa.override(
            desk.env,
            ticket_id=ticket.id,
            item_id="tone",
            passed=False,
            comment="no",
            actor_id=desk.user[role],
        )
    with pytest.raises(Forbidden):
        qa.review(desk.env, ticket_id=ticket.id, actor_id=desk.user[role])
    with pytest.raises(Forbidden):
        qa.queue(desk.env, actor_id=desk.user[role])


@pytest.mark.parametrize("role", ["qa", "team_lead", "supervisor", "manager", "admin"])
def test_qa_leads_and_admins_may_override(desk: Desk, role: str) -> None:
    ticket = _worked(desk, KETTLE, GOOD_EN, agent="agent_l2")
    review = qa.override(
        desk.env,
        ticket_id=ticket.id,
        item_id="tone",
        passed=False,
        comment="Too casual for a complaint.",
        actor_id=desk.user[role],
    )
    assert review.score == pytest.approx(5 / SCORED)


def test_an_unknown_item_is_refused_naming_the_valid_ones(desk: Desk) -> None:
    ticket = _worked(desk, KETTLE, GOOD_EN, agent="agent_l2")
    with pytest.raises(qa.UnknownQaItem) as err:
        qa.override(
            desk.env,
            ticket_id=ticket.id,
            item_id="smile",
            passed=True,
            comment="x",
            actor_id=desk.user["qa"],
        )
    assert err.value.data["item_id"] == "smile"
    assert "greeting" in err.value.data["valid"] and "first_response" in err.value.data["valid"]
    assert "'smile'" in err.value.message and "greeting" in err.value.message
    assert desk.store.tables.qa_overrides == {}


def test_an_override_needs_a_comment(desk: Desk) -> None:
    ticket = _worked(desk, KETTLE, GOOD_EN, agent="agent_l2")
    with pytest.raises(InvalidInput) as err:
        qa.override(
            desk.env,
            ticket_id=ticket.id,
            item_id="tone",
            passed=False,
            comment="   ",
            actor_id=desk.user["qa"],
        )
    assert err.value.data["field"] == "comment"


def test_nobody_overrides_their_own_conversation(desk: Desk) -> None:
    ticket = _worked(desk, KETTLE, "ok.", agent="team_lead")
    with pytest.raises(Forbidden):
        qa.override(
            desk.env,
            ticket_id=ticket.id,
            item_id="tone",
            passed=True,
            comment="I was polite.",
            actor_id=desk.user["team_lead"],
        )


def test_the_queue_is_lowest_score_first_paged_and_loses_reviewed_tickets(desk: Desk) -> None:
    good = _worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    bad = _worked(desk, KETTLE, "ok.", agent="agent_l2", email="b@example.com")
    # 2/6 (bad) < 3/6 (zh: the apology passes tone) < 1 (good)
    zh = _worked(desk, ORDER_ZH, "很抱歉，已處理。", agent="agent_l1", email="c@example.com")
    desk.open(KETTLE, email="d@example.com")  # open: not in the queue
    qa_id = desk.user["qa"]
    first = qa.queue(desk.env, actor_id=qa_id, limit=2)
    assert [e.review.ticket_id for e in first.items] == [bad.id, zh.id]
    assert first.items[0].failed == ("greeting", "accurate_solution", "tone", "closing")
    assert first.next_cursor is not None
    rest = qa.queue(desk.env, actor_id=qa_id, limit=2, cursor=first.next_cursor)
    assert [e.review.ticket_id for e in rest.items] == [good.id] and rest.next_cursor is None
    mine = qa.queue(desk.env, actor_id=qa_id, agent_id=desk.user["agent_l1"])
    assert [e.review.ticket_id for e in mine.items] == [zh.id]
    qa.confirm(desk.env, ticket_id=bad.id, actor_id=qa_id)
    after = qa.queue(desk.env, actor_id=qa_id)
    assert [e.review.ticket_id for e in after.items] == [zh.id, good.id]
    with pytest.raises(InvalidInput):
        qa.queue(desk.env, actor_id=qa_id, cursor="nonsense")


def test_a_ticket_that_changed_before_review_is_scored_again(desk: Desk) -> None:
    ticket = _worked(desk, KETTLE, "ok.", agent="agent_l2")
    agent, qa_id = desk.user["agent_l2"], desk.user["qa"]
    assert qa.queue(desk.env, actor_id=qa_id).items[0].review.auto_score == pytest.approx(
        2 / SCORED
    )
    lifecycle.reopen(desk.env, ticket_id=ticket.id, actor_id=agent, reason="not fixed")
    assert qa.queue(desk.env, actor_id=qa_id).items == ()  # open again: not in the queue
    conversation.reply(desk.env, ticket_id=ticket.id, actor_id=agent, body=GOOD_EN)
    lifecycle.resolve(desk.env, ticket_id=ticket.id, actor_id=agent, summary="sent")
    (entry,) = qa.queue(desk.env, actor_id=qa_id).items
    assert entry.review.ticket_version == desk.ticket(ticket.id).version
    # the second reply solves, apologizes and closes; the greeting is the first reply's
    assert entry.failed == ("greeting",)


def test_scorecards_count_per_agent_with_the_overrides_in_force(desk: Desk) -> None:
    l1, l2, qa_id = desk.user["agent_l1"], desk.user["agent_l2"], desk.user["qa"]
    good = _worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    _worked(desk, KETTLE, "ok.", agent="agent_l2", email="b@example.com")
    _worked(desk, ORDER_ZH, GOOD_ZH, agent="agent_l1", email="c@example.com")
    qa.override(
        desk.env,
        ticket_id=good.id,
        item_id="tone",
        passed=False,
        comment="Sarcastic.",
        actor_id=qa_id,
    )
    since = datetime(2025, 3, 1, tzinfo=UTC)
    cards = qa.scorecards(desk.env, actor_id=qa_id, since=since, until=since + timedelta(days=7))
    by_agent = {c.agent_id: c for c in cards.agents}
    assert set(by_agent) == {l1, l2}
    two = by_agent[l2]
    assert (two.scored, two.reviewed) == (2, 1)
    assert two.mean_score == pytest.approx((5 / SCORED + 2 / SCORED) / 2)
    tone = next(i for i in two.items if i.id == "tone")
    assert (tone.passed, tone.decided, tone.rate) == (0, 2, 0.0)
    greeting = next(i for i in two.items if i.id == "greeting")
    assert (greeting.passed, greeting.decided) == (1, 2)
    assert next(i for i in two.items if i.id == "privacy").rate is None  # nobody decided it
    assert [(w.week.isoformat(), w.scored) for w in two.weeks] == [("2025-03-03", 2)]
    assert by_agent[l1].mean_score == 1.0 and by_agent[l1].name == "agent_l1"
    assert cards.everyone.scored == 3
    assert cards.items[: len(desk.env.rules.qa_checklist)] == tuple(
        q.id for q in desk.env.rules.qa_checklist
    )
    only = qa.scorecards(
        desk.env, actor_id=qa_id, since=since, until=since + timedelta(7), agent_id=l1
    )
    assert [c.agent_id for c in only.agents] == [l1]
    with pytest.raises(InvalidInput):
        qa.scorecards(desk.env, actor_id=qa_id, since=since, until=since)
    with pytest.raises(Forbidden):
        qa.scorecards(desk.env, actor_id=l1, since=since, until=since + timedelta(days=7))
