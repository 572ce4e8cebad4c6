"""GET/POST /api/notices and /api/notices/settings: each user's own notices and settings."""

from __future__ import annotations

from web_desk import WebDesk

OUTAGE = "Your whole service is down, outage since this morning"


def test_notices_need_a_signed_in_user(desk: WebDesk) -> None:
    assert desk.client.get("/api/notices").status_code == 401
    assert desk.client.post("/api/notices/read", json={}).status_code == 401
    assert desk.client.put("/api/notices/settings", json={}).status_code == 401


def test_a_p1_ticket_shows_in_the_managers_notices_only(desk: WebDesk) -> None:
    ticket = desk.open_ticket(OUTAGE)
    mine = desk.client.get("/api/notices", headers=desk.auth("manager")).json()
    assert mine["unread"] == 1
    [notice] = mine["items"]
    assert (notice["kind"], notice["ticket_id"], notice["urgent"]) == (
        "ticket_priority",
        ticket["id"],
        True,
    )
    assert notice["rule_ids"] == ["N-PRI-1"] and notice["count"] == 1
    other = desk.client.get("/api/notices", headers=desk.auth("agent_l1")).json()
    assert other == {"unread": 0, "items": []}
    # another user cannot mark the manager's notice read
    r = desk.client.post(
        "/api/notices/read", json={"ids": [notice["id"]]}, headers=desk.auth("agent_l1")
    )
    assert r.json() == {"marked": 0, "unread": 0}
    r = desk.client.post("/api/notices/read", json={}, headers=desk.auth("manager"))
    assert r.json() == {"marked": 1, "unread": 0}
    unread = desk.client.get("/api/notices?unread=true", headers=desk.auth("manager")).json()
    assert unread == {"unread": 0, "items": []}


def test_settings_round_trip_and_bad_values_are_named(desk: WebDesk) -> None:
    auth = desk.auth("supervisor")
    default = desk.client.get("/api/notices/settings", headers=auth).json()
    assert default["channels"] == [] and default["timezone"] == "Asia/Taipei"
    body = {
        "channels": ["email"],
        "email": "eve@desk.example",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
    }
    r = desk.client.put("/api/notices/settings", json=body, headers=auth)
    assert r.status_code == 200, r.text
    assert desk.client.get("/api/notices/settings", headers=auth).json() == r.json()
    for bad, field in (
        ({"channels": ["sms"]}, "channels"),
        ({"quiet_start": "7pm", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"channels": ["line"]}, "line_user_id"),
    ):
        r = desk.client.put("/api/notices/settings", json=bad, headers=auth)
        assert r.status_code == 422, (bad, r.text)
        assert field in r.text
    assert desk.client.get("/api/notices/settings", headers=auth).json()["channels"] == ["email"]
