"""The QA API (issue 14): /api/qa/queue, /api/qa/tickets/{id} (+ item overrides and
confirm), /api/qa/scorecards; server-side roles and problem answers naming what and where."""

from __future__ import annotations

import httpx
import pytest
from qa_desk import GOOD_EN, GOOD_ZH, KETTLE, ORDER_ZH, worked
from web_desk import WebDesk

AGENTS = ["agent_l1", "agent_l2", "agent_l3"]


def _put(
    desk: WebDesk, ticket_id: str, item: str, body: object, role: str = "qa"
) -> httpx.Response:
    return desk.client.put(
        f"/api/qa/tickets/{ticket_id}/items/{item}", json=body, headers=desk.auth(role)
    )


def test_the_queue_lists_resolved_tickets_lowest_score_first(desk: WebDesk) -> None:
    good = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    bad = worked(desk, KETTLE, "ok.", agent="agent_l2", email="b@example.com")
    desk.open_ticket(email="c@example.com")  # open: not reviewed yet
    r = desk.client.get("/api/qa/queue", headers=desk.auth("qa"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["ticket_id"] for i in items] == [bad, good]
    assert (
        items[0]["failed"]
        == [
            "greeting",
            "accurate_solution",
            "tone",
            "closing",
        ]
        and items[0]["agent"] == "agent_l2"
    )
    assert items[1]["auto_score"] == 1.0
    page = desk.client.get("/api/qa/queue", params={"limit": 1}, headers=desk.auth("qa")).json()
    assert [i["ticket_id"] for i in page["items"]] == [bad]
    rest = desk.client.get(
        "/api/qa/queue", params={"cursor": page["next_cursor"]}, headers=desk.auth("qa")
    ).json()
    assert [i["ticket_id"] for i in rest["items"]] == [good] and rest["next_cursor"] is None


def test_a_review_shows_each_item_with_its_evidence(desk: WebDesk) -> None:
    ticket_id = worked(desk, ORDER_ZH, GOOD_ZH, agent="agent_l1", email="wang@example.com")
    r = desk.client.get(f"/api/qa/tickets/{ticket_id}", headers=desk.auth("team_lead"))
    assert r.status_code == 200, r.text
    body = r.json()
    items = {i["id"]: i for i in body["items"]}
    assert body["stored"] is True and body["score"] == 1.0 and body["language"] == "zh-TW"
    assert items["greeting"]["evidence"] == "您好，我是 Example Co. 的客服專員。"
    assert items["greeting"]["text"]["zh-TW"] == "適當問候並說明公司與自身姓名"
    assert items["privacy"]["passed"] is None and items["privacy"]["override"] is None


def test_an_override_is_answered_with_the_new_score_and_who_made_it(desk: WebDesk) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    r = _put(desk, ticket_id, "tone", {"passed": False, "comment": "Sarcastic."})
    assert r.status_code == 200, r.text
    body = r.json()
    tone = next(i for i in body["items"] if i["id"] == "tone")
    assert (tone["auto"], tone["passed"]) == (True, False)
    assert tone["override"]["comment"] == "Sarcastic." and tone["override"]["reviewer"] == "qa"
    assert body["score"] == pytest.approx(5 / 6) and body["auto_score"] == 1.0
    assert body["reviewed_by"] == desk.user["qa"]
    queue = desk.client.get("/api/qa/queue", headers=desk.auth("qa")).json()
    assert queue["items"] == []


def test_an_unknown_item_is_a_422_naming_it_and_the_valid_ones(desk: WebDesk) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    r = _put(desk, ticket_id, "smile", {"passed": True, "comment": "x"})
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "unknown_qa_item"
    assert problem["data"]["item_id"] == "smile" and "greeting" in problem["data"]["valid"]
    assert problem["data"]["field"] == "item_id"


def test_an_override_without_a_comment_is_a_422_naming_the_field(desk: WebDesk) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    r = _put(desk, ticket_id, "tone", {"passed": False})
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == "body.comment"
    r = _put(desk, ticket_id, "tone", {"passed": False, "comment": "   "})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "comment"


@pytest.mark.parametrize("role", AGENTS)
def test_agents_are_refused_every_qa_route(desk: WebDesk, role: str) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    headers = desk.auth(role)
    answers = [
        desk.client.get("/api/qa/queue", headers=headers),
        desk.client.get(f"/api/qa/tickets/{ticket_id}", headers=headers),
        _put(desk, ticket_id, "tone", {"passed": False, "comment": "x"}, role=role),
        desk.client.post(f"/api/qa/tickets/{ticket_id}/confirm", headers=headers),
        desk.client.get("/api/qa/scorecards", headers=headers),
    ]
    for r in answers:
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "forbidden"


def test_unknown_and_open_tickets_are_told_apart(desk: WebDesk) -> None:
    r = desk.client.get("/api/qa/tickets/t_nope", headers=desk.auth("qa"))
    assert r.status_code == 404 and r.json()["data"] == {"what": "ticket", "id": "t_nope"}
    open_id = desk.open_ticket()["id"]
    r = desk.client.get(f"/api/qa/tickets/{open_id}", headers=desk.auth("qa"))
    assert r.status_code == 200 and r.json()["stored"] is False
    r = _put(desk, open_id, "tone", {"passed": True, "comment": "x"})
    assert r.status_code == 409


def test_confirm_takes_a_review_out_of_the_queue(desk: WebDesk) -> None:
    ticket_id = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    r = desk.client.post(f"/api/qa/tickets/{ticket_id}/confirm", headers=desk.auth("qa"))
    assert r.status_code == 200 and r.json()["reviewed_by"] == desk.user["qa"]
    assert desk.client.get("/api/qa/queue", headers=desk.auth("qa")).json()["items"] == []


def test_scorecards_per_agent(desk: WebDesk) -> None:
    worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    worked(desk, KETTLE, "ok.", agent="agent_l2", email="b@example.com")
    worked(desk, ORDER_ZH, GOOD_ZH, agent="agent_l1", email="c@example.com")
    r = desk.client.get("/api/qa/scorecards", headers=desk.auth("supervisor"))
    assert r.status_code == 200, r.text
    body = r.json()
    cards = {c["agent"]: c for c in body["agents"]}
    assert cards["agent_l2"]["scored"] == 2 and cards["agent_l2"]["reviewed"] == 0
    assert cards["agent_l2"]["mean_score"] == pytest.approx((1 + 2 / 6) / 2)
    greeting = next(i for i in cards["agent_l2"]["items"] if i["id"] == "greeting")
    assert (greeting["passed"], greeting["decided"], greeting["rate"]) == (1, 2, 0.5)
    assert cards["agent_l2"]["weeks"] == [
        {"week": "2025-03-03", "scored": 2, "mean_score": pytest.approx((1 + 2 / 6) / 2)}
    ]
    assert body["everyone"]["scored"] == 3
    one = desk.client.get(
        "/api/qa/scorecards", params={"agent": desk.user["agent_l1"]}, headers=desk.auth("qa")
    ).json()
    assert [c["agent"] for c in one["agents"]] == ["agent_l1"]


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"since": "2025-03-01T00:00:00"}, "query.since"),  # no offset
        ({"until": "0001-01-01T00:00:00Z"}, "query.until"),
        ({"since": "2025-03-05T00:00:00Z", "until": "2025-03-01T00:00:00Z"}, "until"),
    ],
)
def test_a_bad_scorecard_range_is_a_422_naming_it(
    desk: WebDesk, params: dict[str, str], path: str
) -> None:
    r = desk.client.get("/api/qa/scorecards", params=params, headers=desk.auth("qa"))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["path"] == path
