"""The public pages' services on the in-memory fakes, SQLite and PostgreSQL: the survey
answered once and not after it expires, the magic link mailed only to a customer's address
(once per request), the customer's tickets without internal notes, and a customer's reply
taken once per key and only on their own ticket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from db_desk import ORDER, StoreDesk, make_store_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook
from tierdesk.services import conversation, customer_pages, lifecycle
from tierdesk.services.errors import NotFound, SurveyAnswered, SurveyExpired
from tierdesk.services.ports import UnitOfWork


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return rulebook(preset="cs-sop")


@pytest.fixture
def desk(uow_factory: Callable[[], UnitOfWork], rules: Rulebook) -> StoreDesk:
    return make_store_desk(uow_factory, rules)


def _closed(desk: StoreDesk) -> str:
    ticket = desk.open(ORDER)
    l1 = desk.user["agent_l1"]
    lifecycle.resolve(desk.env, ticket_id=ticket.id, actor_id=l1, summary="re-shipped")
    lifecycle.close(desk.env, ticket_id=ticket.id, actor_id=l1)
    with desk.env.uow() as uow:
        [survey] = uow.surveys.for_ticket(ticket.id)
    return survey.token


@pytest.mark.rule("R-PROC-1")
def test_a_survey_is_answered_once(desk: StoreDesk) -> None:
    token = _closed(desk)
    page = lifecycle.survey_page(desk.env, token=token)
    assert page.open and page.csat_question.get("zh-TW")
    lifecycle.answer_survey(desk.env, token=token, csat=5, nps=10)
    with pytest.raises(SurveyAnswered):
        lifecycle.answer_survey(desk.env, token=token, csat=1)
    page = lifecycle.survey_page(desk.env, token=token)
    assert (page.survey.csat, page.survey.nps, page.open) == (5, 10, False)
    assert desk.ticket(page.ticket_id).csat == 5


@pytest.mark.rule("R-PROC-1")
def test_a_survey_expires_per_the_policy(desk: StoreDesk) -> None:
    token = _closed(desk)
    desk.clock.advance(desk.env.rules.survey.expires_after)
    assert lifecycle.survey_page(desk.env, token=token).expired
    with pytest.raises(SurveyExpired):
        lifecycle.answer_survey(desk.env, token=token, csat=4)
    assert lifecycle.survey_page(desk.env, token=token).survey.answered_at is None


def test_a_magic_link_is_mailed_only_to_a_customer_and_once_per_request(desk: StoreDesk) -> None:
    ticket = desk.open()

    def link_for(customer_id: str) -> tuple[str, str]:
        return f"https://help.example.com/my/{customer_id}", "tomorrow"

    def ask(email: str, key: str) -> bool:
        return customer_pages.request_link(
            desk.env, email=email, language="zh-TW", link_for=link_for, request_key=key
        )

    assert ask("MEI@example.com", "k1") is True
    assert ask("mei@example.com", "k1") is False  # the same form again: no second mail
    assert ask("nobody@example.com", "k2") is False
    with desk.env.uow() as uow:
        claimed = uow.outbox.claim_batch(desk.clock.now(), 10, timedelta(minutes=1))
        uow.commit()
    [mail] = [m for m in claimed if m.kind == "customer_link"]
    assert mail.kind == "customer_link" and mail.recipient == "mei@example.com"
    assert f"/my/{ticket.customer_id}" in mail.payload["text"]
    assert mail.payload["language"] == "zh-TW"


def test_a_customer_sees_their_tickets_and_replies_once_per_key(desk: StoreDesk) -> None:
    mine, theirs = desk.open(), desk.open(email="other@example.com")
    l1 = desk.user["agent_l1"]
    conversation.add_note(desk.env, ticket_id=mine.id, actor_id=l1, body="internal only")
    conversation.reply(desk.env, ticket_id=mine.id, actor_id=l1, body="Shipping today.")
    [thread] = customer_pages.customer_tickets(desk.env, customer_id=mine.customer_id)
    assert thread.ticket.id == mine.id
    assert [m.kind for m in thread.messages] == ["customer", "reply"]
    for _ in range(2):
        customer_pages.customer_reply(
            desk.env, customer_id=mine.customer_id, ticket_id=mine.id, body="Thanks!",
            channel="web", message_key="form-1",
        )  # fmt: skip
    thread = customer_pages.customer_thread(
        desk.env, customer_id=mine.customer_id, ticket_id=mine.id
    )
    assert [m.body for m in thread.messages].count("Thanks!") == 1
    with pytest.raises(NotFound):
        customer_pages.customer_reply(
            desk.env, customer_id=mine.customer_id, ticket_id=theirs.id, body="hi",
            channel="web", message_key="form-2",
        )  # fmt: skip
    with pytest.raises(NotFound):
        customer_pages.customer_thread(desk.env, customer_id=mine.customer_id, ticket_id=theirs.id)
