"""/api/incidents: roles on the server, the timeline, link/unlink and the bulk reply."""

from __future__ import annotations

from web_desk import WebDesk

BODY = {"title": "Checkout is down", "severity": "P1", "description": "502 since 09:40"}


def test_incidents_need_a_signed_in_user(desk: WebDesk) -> None:
    assert desk.client.get("/api/incidents").status_code == 401
    assert desk.client.post("/api/incidents", json=BODY).status_code == 401


def test_declare_link_resolve_with_roles(desk: WebDesk) -> None:
    a, b = desk.open_ticket(), desk.open_ticket(email="kai@example.com")
    r = desk.client.post(
        "/api/incidents", json={**BODY, "ticket_ids": [a["id"]]}, headers=desk.auth("agent_l1")
    )
    assert r.status_code == 201, r.text
    incident = r.json()
    assert [e["kind"] for e in incident["timeline"]] == ["opened", "linked", "notified"]
    assert sorted(incident["timeline"][-1]["data"]["users"]) == ["manager", "supervisor"]
    path = f"/api/incidents/{incident['id']}"
    # QA reads but may not declare or link
    assert desk.client.get(path, headers=desk.auth("qa")).status_code == 200
    assert desk.client.post("/api/incidents", json=BODY, headers=desk.auth("qa")).status_code == 403
    link = {"ticket_id": b["id"]}
    assert (
        desk.client.post(f"{path}/tickets", json=link, headers=desk.auth("qa")).status_code == 403
    )
    r = desk.client.post(f"{path}/tickets", json=link, headers=desk.auth("team_lead"))
    assert r.json() == {"linked": True}
    r = desk.client.post(f"{path}/tickets", json=link, headers=desk.auth("team_lead"))
    assert r.json() == {"linked": False}
    r = desk.client.delete(f"{path}/tickets/{a['id']}", headers=desk.auth("team_lead"))
    assert r.status_code == 204
    r = desk.client.delete(f"{path}/tickets/{a['id']}", headers=desk.auth("team_lead"))
    assert r.status_code == 404
    r = desk.client.post(
        f"{path}/notes", json={"text": "Rolled back"}, headers=desk.auth("agent_l1")
    )
    assert r.status_code == 204
    # an agent may not resolve; a supervisor may, and the linked ticket gets the reply
    resolution = {"resolution": "we rolled back the release"}
    r = desk.client.post(f"{path}/resolve", json=resolution, headers=desk.auth("agent_l1"))
    assert r.status_code == 403
    r = desk.client.post(f"{path}/resolve", json=resolution, headers=desk.auth("supervisor"))
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["incident"]["status"] == "resolved"
    assert done["replied"] == [b["id"]] and done["skipped"] == []
    r = desk.client.post(f"{path}/resolve", json=resolution, headers=desk.auth("manager"))
    assert r.status_code == 409
    listed = desk.client.get("/api/incidents?status=resolved", headers=desk.auth("qa")).json()
    assert [i["id"] for i in listed] == [incident["id"]]
    kinds = [e["kind"] for e in desk.client.get(path, headers=desk.auth("qa")).json()["timeline"]]
    assert kinds[-3:] == ["note", "resolved", "replied"]


def test_bad_input_is_named_and_changes_nothing(desk: WebDesk) -> None:
    auth = desk.auth("agent_l1")
    for body, field in (
        ({**BODY, "severity": "P9"}, "severity"),
        ({**BODY, "kind": "fire"}, "kind"),
        ({**BODY, "title": ""}, "title"),
        ({**BODY, "ticket_ids": ["t_nope"]}, "ticket"),
    ):
        r = desk.client.post("/api/incidents", json=body, headers=auth)
        assert r.status_code in (404, 422), r.text
        assert field in r.text
    assert desk.client.get("/api/incidents", headers=auth).json() == []
    assert desk.client.get("/api/incidents/inc_nope", headers=auth).status_code == 404
