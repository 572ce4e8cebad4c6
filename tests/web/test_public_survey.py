"""The customer's survey page /survey/{token}: the policy's CSAT/NPS questions in the ticket's
language, answered once, expiring per the policy, rate-limited (R-PROC-1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from web_desk import WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import lifecycle, tickets
from tierdesk.services.customers import Contact

ZH = "我的訂單 #12345 還沒有到，請幫我查一下。"


def closed_survey(desk: WebDesk, text: str = "Where is my order #12345?", lang: str = "en") -> str:
    opened = tickets.open_ticket(
        desk.env,
        channel="email",
        text=text,
        contact=Contact("email", "mei@example.com", "Mei"),
        language=lang,
    )
    agent = desk.user["agent_l1"]
    lifecycle.resolve(desk.env, ticket_id=opened.ticket.id, actor_id=agent, summary="sent")
    lifecycle.close(desk.env, ticket_id=opened.ticket.id, actor_id=agent)
    [survey] = desk.store.tables.surveys.values()
    return survey.token


@pytest.mark.rule("R-PROC-1")
def test_the_survey_page_asks_the_policys_questions_and_records_the_answer(desk: WebDesk) -> None:
    token = closed_survey(desk)
    page = desk.client.get(f"/survey/{token}")
    assert page.status_code == 200
    assert desk.env.rules.survey.csat_question.get("en") in page.text
    assert desk.env.rules.survey.nps_question.get("en") in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline script
    answered = desk.client.post(f"/survey/{token}", data={"csat": "5", "nps": "9", "comment": "ok"})
    assert answered.status_code == 200 and "Thank you" in answered.text
    [survey] = desk.store.tables.surveys.values()
    assert (survey.csat, survey.nps, survey.comment) == (5, 9, "ok")
    ticket = desk.store.tables.tickets[survey.ticket_id]
    assert (ticket.csat, ticket.nps) == (5, 9)  # what analytics reads


@pytest.mark.rule("R-PROC-1")
def test_a_second_answer_is_refused_kindly_and_changes_nothing(desk: WebDesk) -> None:
    token = closed_survey(desk)
    desk.client.post(f"/survey/{token}", data={"csat": "4"})
    again = desk.client.post(f"/survey/{token}", data={"csat": "1", "nps": "0"})
    assert again.status_code == 409
    assert "already answered" in again.text
    [survey] = desk.store.tables.surveys.values()
    assert (survey.csat, survey.nps) == (4, None)
    assert "already answered" in desk.client.get(f"/survey/{token}").text


def test_the_survey_is_asked_in_the_tickets_language(desk: WebDesk) -> None:
    token = closed_survey(desk, ZH, "zh-TW")
    page = desk.client.get(f"/survey/{token}")
    assert desk.env.rules.survey.csat_question.get("zh-TW") in page.text
    assert 'lang="zh-TW"' in page.text
    assert "送出我的回答" in page.text  # the button, from the zh_TW catalog
    english = desk.client.get(f"/survey/{token}?lang=en")
    assert desk.env.rules.survey.csat_question.get("en") in english.text


def test_an_expired_survey_says_so_and_records_nothing(desk: WebDesk) -> None:
    token = closed_survey(desk)
    desk.clock.advance(desk.env.rules.survey.expires_after + timedelta(seconds=1))
    assert desk.client.get(f"/survey/{token}").status_code == 410
    late = desk.client.post(f"/survey/{token}", data={"csat": "5"})
    assert late.status_code == 410 and "expired" in late.text
    [survey] = desk.store.tables.surveys.values()
    assert survey.answered_at is None


def test_a_wrong_score_is_shown_on_its_field_and_stores_nothing(desk: WebDesk) -> None:
    token = closed_survey(desk)
    bad = desk.client.post(f"/survey/{token}", data={"csat": "7", "nps": "x"})
    assert bad.status_code == 422
    assert 'id="csat-error"' in bad.text and 'id="nps-error"' in bad.text
    empty = desk.client.post(f"/survey/{token}", data={})
    assert empty.status_code == 422 and 'id="csat-error"' in empty.text
    [survey] = desk.store.tables.surveys.values()
    assert survey.answered_at is None


def test_an_unknown_token_is_a_kind_404(desk: WebDesk) -> None:
    page = desk.client.get("/survey/not-a-token")
    assert page.status_code == 404 and "could not find" in page.text


def test_survey_answers_are_rate_limited_like_the_public_intake(rules: Rulebook) -> None:
    with web_desk(rules, public_rate_per_minute=1.0, public_burst=2) as desk:
        token = closed_survey(desk)
        codes = [
            desk.client.post(f"/survey/{token}", data={"csat": "9"}).status_code for _ in range(3)
        ]
        assert codes == [422, 422, 429]
        limited = desk.client.post(f"/survey/{token}", data={"csat": "5"})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
