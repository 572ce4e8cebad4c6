"""The console's triage models page (issue 12): the versions learned from the store with their
held-out figures, and a manager's approval that puts one in force."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from console_client import signed_in
from english import english_words
from test_model_versions_api import NOISY, DefectModel, _draft
from web_desk import WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import model_versions


@pytest.fixture
def desk(rules: Rulebook) -> Iterator[WebDesk]:
    with web_desk(rules, load_model={b"m1": DefectModel()}.__getitem__) as d:
        yield d


def test_leads_see_each_version_beside_what_it_was_weighed_against(desk: WebDesk) -> None:
    version_id = _draft(desk)
    lead = signed_in(desk, "team_lead")
    listed = lead.get("/models")
    assert listed.status_code == 200, listed.text
    row = re.search(r'<tr data-model="1" data-status="draft">.*?</tr>', listed.text, re.S)
    assert row is not None and "100.0%" in row[0] and "the phrases alone: 25.0%" in row[0]
    assert 'href="/models"' in lead.get("/queue").text  # in the nav
    page = lead.get(f"/models/{version_id}").text
    defect = re.search(r'<tr data-category="product_defect">(.*?)</tr>', page, re.S)
    assert defect is not None and re.findall(r"<td>([^<]*)</td>", defect[1])[1:4] == [
        "3",
        "100.0%",
        "0.0%",
    ]
    assert "Approve" not in page  # a lead does not decide; the server refuses it too
    forged = lead.post(f"/models/{version_id}/approve", {"note": "me"})
    assert forged.status_code == 403
    assert model_versions.get(desk.env, version_id).status == "draft"


def test_agents_have_no_models_page(desk: WebDesk) -> None:
    agent = signed_in(desk, "agent_l1")
    assert agent.get("/models").status_code == 403
    assert 'href="/models"' not in agent.get("/queue").text


def test_a_manager_approves_and_new_tickets_are_triaged_with_the_model(desk: WebDesk) -> None:
    version_id = _draft(desk)
    manager = signed_in(desk, "manager")
    assert desk.open_ticket(NOISY)["category"] != "product_defect"
    page = manager.get(f"/models/{version_id}").text
    assert "Approve: triage with this model" in page
    done = manager.post(f"/models/{version_id}/approve", {"note": "better on defects"})
    assert done.status_code == 200 and "New tickets are triaged with this model" in done.text
    assert desk.open_ticket(NOISY)["category"] == "product_defect"
    again = manager.post(f"/models/{version_id}/reject", {"note": "late"})
    assert again.status_code == 409 and "already decided" in again.text


def test_a_rejection_without_a_reason_is_refused_on_the_page(desk: WebDesk) -> None:
    version_id = _draft(desk)
    manager = signed_in(desk, "manager")
    blank = manager.post(f"/models/{version_id}/reject", {"note": "  "})
    assert blank.status_code == 422 and "Say why the model is rejected" in blank.text
    assert model_versions.get(desk.env, version_id).status == "draft"


def test_the_zh_tw_pages_show_no_english(desk: WebDesk) -> None:
    version_id = _draft(desk)
    manager = signed_in(desk, "manager")
    manager.post("/language", {"language": "zh-TW"})
    for url in ("/models", f"/models/{version_id}"):
        html = manager.get(url).text
        assert "分流模型" in html
        body = html.split("<main", 1)[1].split(">", 1)[1]
        text = re.sub(r"<[^>]+>", " ", body)
        assert not english_words(text), (url, english_words(text))
