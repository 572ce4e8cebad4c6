"""Triage corrections over HTTP: POST and GET /api/tickets/{id}/triage-corrections."""

from __future__ import annotations

from web_desk import ORDER, WebDesk


def test_an_agent_corrects_the_triage_and_the_ticket_shows_who_and_why(desk: WebDesk) -> None:
    ticket = desk.open_ticket(ORDER)
    url = f"/api/tickets/{ticket['id']}/triage-corrections"
    body = {"category": "product_defect", "priority": "P2", "reason": "arrived broken"}
    r = desk.client.post(
        url, json=body, headers={**desk.auth("agent_l1"), "If-Match": f'"{ticket["version"]}"'}
    )
    assert r.status_code == 200, r.text
    fixed = r.json()
    assert (fixed["category"], fixed["priority"]) == ("product_defect", "P2")
    assert r.headers["etag"] == f'"{fixed["version"]}"'
    listed = desk.client.get(url, headers=desk.auth("qa")).json()
    assert listed == [
        {
            "ticket_id": ticket["id"],
            "seq": fixed["version"],
            "at": listed[0]["at"],
            "actor_id": listed[0]["actor_id"],
            "category": ["order_status", "product_defect"],
            "priority": ["P3", "P2"],
            "reason": "arrived broken",
        }
    ]
    view = desk.client.get(f"/api/tickets/{ticket['id']}", headers=desk.auth("qa")).json()
    assert view["events"][-1]["kind"] == "triage_corrected"


def test_bad_corrections_are_422_and_qa_may_not_correct(desk: WebDesk) -> None:
    ticket = desk.open_ticket(ORDER)
    url = f"/api/tickets/{ticket['id']}/triage-corrections"
    unknown = desk.client.post(
        url, json={"category": "nope", "reason": "r"}, headers=desk.auth("agent_l1")
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_input"
    no_reason = desk.client.post(url, json={"priority": "P1"}, headers=desk.auth("agent_l1"))
    assert no_reason.status_code == 422
    qa = desk.client.post(url, json={"priority": "P1", "reason": "r"}, headers=desk.auth("qa"))
    assert qa.status_code == 403
    stale = desk.client.post(
        url, json={"priority": "P1", "reason": "r", "version": 0}, headers=desk.auth("agent_l1")
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    after = desk.client.get(f"/api/tickets/{ticket['id']}", headers=desk.auth("qa")).json()
    assert after["ticket"]["version"] == ticket["version"]
