"""The reply box ticks the policy's LAST steps as the draft covers them (R-TPL-2): the
endpoint its script calls answers with QA's own detection (domain.quality.coverage), in the
ticket's language, and nothing on a ticket no complaint framework guides."""

from __future__ import annotations

import pytest
from console_client import signed_in
from web_desk import WebDesk

COMPLAINT_EN = "This is unacceptable, I want to complain about your rude staff."
COMPLAINT_ZH = "我要投訴，你們的客服態度非常差，完全無法接受！"


def _covered(answer: list[dict[str, object]]) -> set[str]:
    return {str(s["step"]) for s in answer if s["covered"]}


@pytest.mark.rule("R-TPL-2")
def test_an_english_draft_ticks_the_steps_it_covers(desk: WebDesk) -> None:
    agent = signed_in(desk, "agent_l1")
    t = desk.open_ticket(COMPLAINT_EN)
    url = f"/tickets/{t['id']}/coverage"
    page = agent.get(f"/tickets/{t['id']}").text
    assert f'data-coverage-url="{url}"' in page and "/static/reply-coverage.js" in page
    assert agent.post(url, {"body": ""}).json() == [
        {"framework": "LAST", "step": step, "covered": False, "evidence": ""}
        for step in ("Listen", "Apologize", "Solve", "Thank")
    ]
    answer = agent.post(url, {"body": "Hi Mei, I’m so sorry about how you were treated."}).json()
    assert _covered(answer) == {"Apologize"}
    apology = next(s for s in answer if s["step"] == "Apologize")
    assert apology["evidence"] == "Hi Mei, I’m so sorry about how you were treated."
    draft = (
        "Hi Mei, I'm so sorry about how you were treated, I understand how frustrating it was. "
        "I’ve escalated it to the team lead, who will call you within 2 hours. "
        "Thanks for bringing this to our attention."
    )
    assert _covered(agent.post(url, {"body": draft}).json()) == {
        "Listen", "Apologize", "Solve", "Thank",
    }  # fmt: skip


@pytest.mark.rule("R-TPL-2")
def test_a_zh_tw_draft_ticks_the_steps_it_covers(desk: WebDesk) -> None:
    agent = signed_in(desk, "agent_l1")
    t = desk.open_ticket(COMPLAINT_ZH, "lin@example.com")
    assert t["category"] == "general_complaint" and t["language"] == "zh-TW"
    url = f"/tickets/{t['id']}/coverage"
    assert _covered(agent.post(url, {"body": "林先生您好，非常抱歉讓您有不好的經驗。"}).json()) == {
        "Apologize"
    }
    draft = (
        "林先生您好，非常抱歉讓您有不好的經驗，理解您的心情。"
        "我們會在 2 個工作天內回覆您。感謝您反映。"
    )
    assert _covered(agent.post(url, {"body": draft}).json()) == {
        "Listen", "Apologize", "Solve", "Thank",
    }  # fmt: skip


def test_nothing_is_ticked_on_a_ticket_that_is_not_a_complaint(desk: WebDesk) -> None:
    agent = signed_in(desk, "agent_l1")
    t = desk.open_ticket()  # where is my order
    assert t["category"] != "general_complaint"
    assert "data-coverage-url" not in agent.get(f"/tickets/{t['id']}").text
    r = agent.post(f"/tickets/{t['id']}/coverage", {"body": "I'm so sorry, we will fix it today."})
    assert r.status_code == 200 and r.json() == []


def test_the_endpoint_needs_the_csrf_token_and_a_known_ticket(desk: WebDesk) -> None:
    agent = signed_in(desk, "agent_l1")
    t = desk.open_ticket(COMPLAINT_EN)
    forged = agent.client.post(f"/tickets/{t['id']}/coverage", data={"body": "sorry"})
    assert forged.status_code == 403
    missing = agent.post("/tickets/t_nope/coverage", {"body": "sorry"})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
