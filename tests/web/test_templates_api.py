"""Templates over the API (R-TPL-1): the list, one filled in for a ticket, and a reply still
holding a placeholder refused with 422 `unfilled_placeholders`."""

from __future__ import annotations

import pytest
from web_desk import WebDesk


@pytest.mark.rule("R-TPL-1")
def test_the_templates_list_every_template_in_both_languages(desk: WebDesk) -> None:
    r = desk.client.get("/api/templates", headers=desk.auth("agent_l1"))
    assert r.status_code == 200, r.text
    listed = {t["id"]: t for t in r.json()}
    assert set(listed) == {t.id for t in desk.env.rules.templates}
    for t in listed.values():
        assert set(t["body"]) == {"en", "zh-TW"} and set(t["name"]) == {"en", "zh-TW"}
    assert "{action}" in listed["acknowledge_reply"]["body"]["en"]
    assert desk.client.get("/api/templates").status_code == 401


@pytest.mark.rule("R-TPL-1")
def test_a_template_filled_for_a_ticket_then_sent_once_written(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    l1 = desk.auth("agent_l1")
    url = f"/api/tickets/{ticket['id']}/templates/acknowledge_reply"
    filled = desk.client.get(url, headers=l1)
    assert filled.status_code == 200, filled.text
    body = filled.json()
    assert body["language"] == "en" and body["body"].startswith("Hi Mei,")
    assert body["to_write"] == ["issue", "action", "timeline", "next_steps"]
    refused = desk.client.post(
        f"/api/tickets/{ticket['id']}/replies",
        json={"body": body["body"], "template_id": "acknowledge_reply"},
        headers=l1,
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "unfilled_placeholders"
    assert problem["data"]["placeholders"] == ["issue", "action", "timeline", "next_steps"]
    assert "{issue}" in problem["detail"]
    written = body["body"]
    for key, text in {
        "issue": "a late parcel",
        "action": "I asked the carrier to trace it",
        "timeline": "You will hear from us by tomorrow noon",
        "next_steps": "",
    }.items():
        written = written.replace("{" + key + "}", text)
    sent = desk.client.post(
        f"/api/tickets/{ticket['id']}/replies",
        json={"body": written, "template_id": "acknowledge_reply"},
        headers=l1,
    )
    assert sent.status_code == 200, sent.text
    outbox = [m for m in desk.store.tables.outbox.values() if m.kind == "reply"]
    assert [m.payload["text"] for m in outbox] == [written.strip()]


def test_an_unknown_template_or_language_is_refused(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    l1 = desk.auth("agent_l1")
    base = f"/api/tickets/{ticket['id']}/templates"
    assert desk.client.get(f"{base}/nope", headers=l1).status_code == 404
    r = desk.client.get(f"{base}/receipt", params={"language": "fr"}, headers=l1)
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    zh = desk.client.get(f"{base}/receipt", params={"language": "zh-TW"}, headers=l1)
    assert zh.status_code == 200 and zh.json()["body"].startswith("Mei 您好")
