"""GET /api/tickets by due time and "breaching soon" (issue 11): the store's orders, as the
console's queue uses them, across cursor pages."""

from __future__ import annotations

from datetime import timedelta

from web_desk import ORDER, WebDesk

OUTAGE = "Your whole service is down, outage since this morning"  # P1: first response in 15 min


def _ids(desk: WebDesk, **params: object) -> list[str]:
    r = desk.client.get("/api/tickets", params=params, headers=desk.auth("team_lead"))
    assert r.status_code == 200, r.text
    return [t["id"] for t in r.json()["items"]]


def test_due_first_and_breaching_soon(desk: WebDesk) -> None:
    order = desk.open_ticket(ORDER)["id"]
    desk.clock.advance(timedelta(minutes=1))
    outage = desk.open_ticket(OUTAGE, email="wu@example.com")["id"]
    desk.clock.advance(timedelta(minutes=1))
    later = desk.open_ticket(ORDER, email="lin@example.com")["id"]
    assert _ids(desk) == [later, outage, order]  # newest first
    due = _ids(desk, sort="due")
    assert due[0] == outage and set(due) == {order, outage, later}
    assert _ids(desk, breaching_soon="true") == []  # nothing warns yet
    desk.clock.advance(timedelta(minutes=12))  # the outage's 15 minutes are nearly gone
    assert _ids(desk, breaching_soon="true") == [outage]
    first = desk.client.get(
        "/api/tickets", params={"sort": "due", "limit": 1}, headers=desk.auth("team_lead")
    ).json()
    assert [t["id"] for t in first["items"]] == [outage]
    rest = _ids(desk, sort="due", limit=5, cursor=first["next_cursor"])
    assert outage not in rest and set(rest) == {order, later}


def test_an_unknown_sort_is_a_422_naming_the_parameter(desk: WebDesk) -> None:
    r = desk.client.get("/api/tickets", params={"sort": "oldest"}, headers=desk.auth("qa"))
    assert r.status_code == 422 and "sort" in r.text
