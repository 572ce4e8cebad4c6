"""The knowledge base over the API: CRUD, the review workflow with roles enforced on the
server, revisions, search in both languages, suggestions on a ticket and their use, the
deflection counts; Markdown rendered and sanitized."""

from __future__ import annotations

from typing import Any

import pytest
from web_desk import WebDesk

ZH = {
    "category": "returns_refunds",
    "language": "zh-TW",
    "title": "如何申請退款",
    "body": "我想申請退款流程：\n\n1. 登入\n2. 按 **申請退款**\n\n<script>alert(1)</script>",
    "tags": ["refund"],
}


def _create(
    desk: WebDesk, body: dict[str, Any] | None = None, role: str = "agent_l1"
) -> dict[str, Any]:
    r = desk.client.post("/api/kb/articles", json=body or ZH, headers=desk.auth(role))
    assert r.status_code == 201, r.text
    made: dict[str, Any] = r.json()
    return made


def _act(desk: WebDesk, aid: str, lang: str, action: str, role: str, note: str = "") -> Any:
    url = f"/api/kb/articles/{aid}/translations/{lang}/{action}"
    return desk.client.post(url, json={"note": note}, headers=desk.auth(role))


def _published(desk: WebDesk, body: dict[str, Any] | None = None) -> dict[str, Any]:
    made = _create(desk, body)
    aid, lang = made["article"]["id"], made["translations"][0]["translation"]["language"]
    assert _act(desk, aid, lang, "submit", "agent_l1").status_code == 200
    assert _act(desk, aid, lang, "publish", "team_lead").status_code == 200
    return made


def test_an_article_is_written_reviewed_and_published_by_a_named_approver(desk: WebDesk) -> None:
    made = _create(desk)
    aid = made["article"]["id"]
    t = made["translations"][0]
    assert t["translation"]["state"] == "draft"
    assert "<strong>申請退款</strong>" in t["html"] and "<script" not in t["html"]
    assert _act(desk, aid, "zh-TW", "publish", "team_lead").json()["code"] == "invalid_transition"
    assert _act(desk, aid, "zh-TW", "submit", "agent_l1").status_code == 200
    refused = _act(desk, aid, "zh-TW", "publish", "agent_l2")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    done = _act(desk, aid, "zh-TW", "publish", "supervisor", note="looks right")
    assert done.status_code == 200, done.text
    assert done.json()["translation"]["approved_by"] == desk.user["supervisor"]
    assert done.json()["published_html"].startswith("<p>我想申請退款流程")
    got = desk.client.get(f"/api/kb/articles/{aid}", headers=desk.auth("qa")).json()
    assert got["public_url"] == {"zh-TW": f"/help/zh-TW/articles/{got['article']['slug']}"}
    history = desk.client.get(
        f"/api/kb/articles/{aid}/translations/zh-TW/revisions", headers=desk.auth("agent_l1")
    ).json()
    assert [(r["action"], r["author_id"]) for r in history] == [
        ("create", desk.user["agent_l1"]),
        ("submit", desk.user["agent_l1"]),
        ("publish", desk.user["supervisor"]),
    ]


def test_translations_edits_and_stale_revisions(desk: WebDesk) -> None:
    aid = _published(desk)["article"]["id"]
    en = {"language": "en", "title": "How to get a refund", "body": "Sign in, then *Refund*."}
    url = f"/api/kb/articles/{aid}/translations"
    assert desk.client.post(url, json=en, headers=desk.auth("agent_l2")).status_code == 201
    assert desk.client.post(url, json=en, headers=desk.auth("agent_l2")).status_code == 409
    edit = desk.client.patch(
        f"{url}/zh-TW", json={"body": "新版本", "revision": 3}, headers=desk.auth("agent_l2")
    )
    assert edit.status_code == 200, edit.text
    assert edit.json()["translation"]["state"] == "draft"
    assert edit.json()["published_html"].startswith("<p>我想申請退款流程")  # still live
    stale = desk.client.patch(
        f"{url}/zh-TW", json={"body": "x", "revision": 3}, headers=desk.auth("agent_l1")
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_revision")
    listed = desk.client.get(
        "/api/kb/articles", params={"state": "draft", "language": "en"}, headers=desk.auth("qa")
    )
    assert [a["article"]["id"] for a in listed.json()] == [aid]


def test_bad_input_is_a_422_naming_the_field(desk: WebDesk) -> None:
    bad = desk.client.post(
        "/api/kb/articles", json={**ZH, "category": "nope"}, headers=desk.auth("agent_l1")
    )
    assert bad.status_code == 422 and bad.json()["data"]["field"] == "category"
    lang = desk.client.post(
        "/api/kb/articles", json={**ZH, "language": "fr"}, headers=desk.auth("agent_l1")
    )
    assert lang.status_code == 422
    assert desk.client.get("/api/kb/articles").status_code == 401
    assert desk.store.tables.kb_articles == {}


def test_search_in_both_languages_and_internal_articles(desk: WebDesk) -> None:
    zh = _published(desk)["article"]["id"]
    en = _published(
        desk,
        {
            "category": "order_status",
            "language": "en",
            "title": "Track an order",
            "body": "Open *My orders*.",
            "audience": "internal",
        },
    )["article"]["id"]
    l1 = desk.auth("agent_l1")
    hits = desk.client.get("/api/kb/search", params={"q": "退款"}, headers=l1).json()
    assert [(h["article_id"], h["url"] is not None) for h in hits] == [(zh, True)]
    hits = desk.client.get("/api/kb/search", params={"q": "trac"}, headers=l1).json()
    assert [(h["article_id"], h["url"], h["audience"]) for h in hits] == [(en, None, "internal")]
    assert (
        desk.client.get("/api/kb/search", params={"q": "x", "sort": "1"}, headers=l1).status_code
        == 422
    )


def test_a_ticket_gets_suggestions_and_their_use_is_counted(desk: WebDesk) -> None:
    aid = _published(desk)["article"]["id"]
    ticket = desk.open_ticket("我想申請退款，東西壞了", email="lin@example.com")
    l1 = desk.auth("agent_l1")
    got = desk.client.get(f"/api/tickets/{ticket['id']}/kb-suggestions", headers=l1)
    assert got.status_code == 200, got.text
    assert [h["article_id"] for h in got.json()] == [aid]
    assert got.json()[0]["body"].startswith("我想申請退款流程")
    used = desk.client.post(
        f"/api/tickets/{ticket['id']}/kb-suggestions/used",
        json={"article_id": aid, "language": "zh-TW", "how": "link"},
        headers=l1,
    )
    assert used.status_code == 201, used.text
    until = {"until": "2025-03-04T03:00:00Z"}  # an hour after the desk's clock
    counts = desk.client.get("/api/kb/deflection", params=until, headers=desk.auth("team_lead"))
    assert counts.status_code == 200, counts.text
    assert counts.json()["used_in_replies"] == 1
    assert desk.client.get("/api/kb/deflection", headers=l1).status_code == 403


def test_delete_archives_every_translation(desk: WebDesk) -> None:
    aid = _published(desk)["article"]["id"]
    assert (
        desk.client.delete(f"/api/kb/articles/{aid}", headers=desk.auth("agent_l1")).status_code
        == 403
    )
    gone = desk.client.delete(f"/api/kb/articles/{aid}", headers=desk.auth("team_lead"))
    assert [t["translation"]["state"] for t in gone.json()["translations"]] == ["archived"]
    hits = desk.client.get("/api/kb/search", params={"q": "退款"}, headers=desk.auth("agent_l1"))
    assert hits.json() == []


@pytest.mark.rule("R-MET-2")
def test_top_contact_reasons_say_whether_an_article_is_available(desk: WebDesk) -> None:
    _published(desk)  # returns_refunds
    desk.open_ticket("我想申請退款，東西壞了", email="lin@example.com")
    desk.open_ticket(email="wu@example.com")  # order_status, no article
    params = {"since": "2025-03-01T00:00:00Z", "until": "2025-03-05T00:00:00Z"}
    got = desk.client.get("/api/metrics", params=params, headers=desk.auth("team_lead"))
    assert got.status_code == 200, got.text
    article = {r["category"]: r["article"] for r in got.json()["top_reasons"]}
    assert article == {"returns_refunds": True, "order_status": False}
