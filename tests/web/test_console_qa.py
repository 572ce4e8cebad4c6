"""The console's QA pages (issue 14): /qa (what to review), /qa/tickets/{id} (a review with its
evidence and the override form), /qa/scorecards; for QA, leads and admins, in English and
Traditional Chinese; agents refused."""

from __future__ import annotations

import re

import pytest
from console_client import Agent, signed_in
from english import english_words
from qa_desk import GOOD_EN, GOOD_ZH, KETTLE, ORDER_ZH, worked
from web_desk import WebDesk

from tierdesk.web import i18n
from tierdesk.web.console.qa import EXTRA_ITEMS, REASONS

AGENTS = ["agent_l1", "agent_l2", "agent_l3"]
REVIEWERS = ["qa", "team_lead", "supervisor", "manager", "admin"]


def _zh(agent: Agent) -> None:
    assert agent.post("/language", {"language": "zh-TW"}).status_code == 204


def _visible_text(html: str) -> str:
    """The page's words a reader sees, less what is in English on purpose (lang="en"), the
    conversation's own words and people's names."""
    body = html.split("<main", 1)[1].split(">", 1)[1]
    body = re.sub(r'<(\w+)[^>]*\slang="en"[^>]*>.*?</\1>', " ", body, flags=re.S)
    body = re.sub(r"<(\w+)[^>]*\sdata-people[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_qa_role_lands_on_its_queue_lowest_score_first(desk: WebDesk) -> None:
    good = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    bad = worked(desk, KETTLE, "ok.", agent="agent_l2", email="b@example.com")
    qa = signed_in(desk, "qa")
    assert qa.get("/", follow_redirects=False).headers["location"] == "/qa"
    html = qa.get("/qa").text
    rows = re.findall(r'data-review="([^"]+)"', html)
    assert rows == [bad, good]
    assert 'data-failed="greeting"' in html and ">33%<" in html
    assert 'href="/qa" aria-current="page"' in html


@pytest.mark.parametrize("role", REVIEWERS)
def test_reviewers_see_the_pages_and_the_nav_link(desk: WebDesk, role: str) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    agent = signed_in(desk, role)
    for url in ("/qa", f"/qa/tickets/{ticket_id}", "/qa/scorecards"):
        r = agent.get(url)
        assert r.status_code == 200, (url, r.text)
        assert 'href="/qa"' in r.text


@pytest.mark.parametrize("role", AGENTS)
def test_agents_are_refused_and_not_offered_the_pages(desk: WebDesk, role: str) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    agent = signed_in(desk, role)
    for url in ("/qa", f"/qa/tickets/{ticket_id}", "/qa/scorecards"):
        r = agent.get(url)
        assert r.status_code == 403, url
        assert 'data-code="forbidden"' in r.text and "data-item=" not in r.text
    r = agent.post(f"/qa/tickets/{ticket_id}/items/tone", {"verdict": "fail", "comment": "mine"})
    assert r.status_code == 403 and desk.store.tables.qa_overrides == {}
    assert 'href="/qa"' not in agent.get("/queue").text


def test_a_review_shows_each_item_its_evidence_and_the_framework(desk: WebDesk) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    html = signed_in(desk, "qa").get(f"/qa/tickets/{ticket_id}").text
    assert 'data-item="greeting" data-passed="true"' in html
    assert 'data-item="privacy" data-passed="none"' in html
    assert "Hello Mei, my name is Ann from Example Co." in html
    assert "We will send a replacement within 2 business days." in html
    assert 'data-step="Listen" data-covered="false"' in html
    assert 'data-step="Thank" data-covered="true"' in html
    assert "Let the customer express fully without interrupting" in html  # the step, as written
    assert html.count('data-override-form="') == 11  # every item, first_response too
    assert "The text cannot show this: a QA specialist decides." in html


def test_an_override_from_the_page_shows_who_made_it_and_the_new_score(desk: WebDesk) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    qa = signed_in(desk, "qa")
    r = qa.post(f"/qa/tickets/{ticket_id}/items/tone", {"verdict": "fail", "comment": "Sarcastic."})
    assert r.status_code == 200, r.text
    assert 'data-item="tone" data-passed="false"' in r.text
    assert 'data-override="tone"' in r.text and "Sarcastic." in r.text
    assert 'id="qa-score" data-score="0.833333333"' in r.text
    assert 'id="qa-reviewed"' in r.text and "Reviewed by qa" in r.text
    assert 'data-history="tone"' in r.text
    assert re.findall(r'data-review="([^"]+)"', qa.get("/qa").text) == []


def test_an_override_without_a_comment_is_refused_in_the_page(desk: WebDesk) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    r = signed_in(desk, "qa").post(
        f"/qa/tickets/{ticket_id}/items/tone", {"verdict": "fail", "comment": " "}
    )
    assert r.status_code == 422 and 'data-code="invalid_input"' in r.text
    assert 'data-item="tone" data-passed="true"' in r.text  # unchanged
    assert desk.store.tables.qa_overrides == {}


def test_confirm_from_the_page_takes_the_review_out_of_the_queue(desk: WebDesk) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    lead = signed_in(desk, "team_lead")
    r = lead.post(f"/qa/tickets/{ticket_id}/confirm")
    assert r.status_code == 200 and "Reviewed by team_lead" in r.text
    assert 'id="qa-confirm"' not in r.text
    assert ticket_id not in lead.get("/qa").text


def test_the_scorecards_page_reads_the_service_figures(desk: WebDesk) -> None:
    worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    worked(desk, KETTLE, "ok.", agent="agent_l2", email="b@example.com")
    worked(desk, ORDER_ZH, GOOD_ZH, agent="agent_l1", email="c@example.com")
    html = signed_in(desk, "manager").get("/qa/scorecards").text
    l2 = desk.user["agent_l2"]
    row = html.split(f'data-agent="{l2}"', 1)[1].split("</tr>", 1)[0]
    mean = re.search(r'data-mean="([^"]+)"', row)
    assert mean is not None and float(mean.group(1)) == pytest.approx((1 + 2 / 6) / 2)
    assert re.findall(r"<td>(\d+)</td>", row)[:2] == ["2", "0"]  # scored, reviewed
    assert 'data-week="2025-03-03"' in row
    greeting = html.split('data-rate-item="greeting"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'data-rate="([^"]*)"', greeting) == ["1.0", "0.5", "0.6666666666666666"]
    assert 'data-agent="everyone"' in html


def test_a_scorecard_range_that_ends_before_it_starts_is_said(desk: WebDesk) -> None:
    r = signed_in(desk, "qa").get(
        "/qa/scorecards", params={"since": "2025-03-05", "until": "2025-03-01"}
    )
    assert r.status_code == 422 and 'data-code="invalid_input"' in r.text
    assert "data-rate-item" not in r.text


def test_the_zh_tw_qa_pages_show_no_english(desk: WebDesk) -> None:
    ticket_id = worked(desk, ORDER_ZH, "已處理。", agent="agent_l1", email="wang@example.com")
    qa = signed_in(desk, "qa")
    _zh(qa)
    try:
        qa.post(f"/qa/tickets/{ticket_id}/items/privacy", {"verdict": "pass", "comment": "有遮罩"})
        pages = [qa.get(url).text for url in ("/qa", f"/qa/tickets/{ticket_id}", "/qa/scorecards")]
    finally:
        qa.post("/language", {"language": "en"})
    assert "品質審核" in pages[0] and "適當問候並說明公司與自身姓名" in pages[1]
    assert "第一則回覆缺少問候。" in pages[1] and "品質成績單" in pages[2]
    allowed = {"LINE", "SLA", "Example"}
    for html in pages:
        text = _visible_text(html)
        assert not english_words(text, allowed=allowed), english_words(text, allowed=allowed)


def test_every_reason_and_extra_item_has_a_zh_tw_translation() -> None:
    zh = i18n.translations("zh-TW").gettext
    for msgid in [*REASONS.values(), *EXTRA_ITEMS.values()]:
        assert zh(msgid) != msgid, msgid
