"""The console's notifications panel, notice settings and incident pages (TestClient)."""

from __future__ import annotations

from console_client import signed_in
from web_desk import WebDesk

OUTAGE = "Your whole service is down, outage since this morning"


def test_the_nav_polls_the_unread_count_and_the_panel_lists_notices(desk: WebDesk) -> None:
    manager = signed_in(desk, "manager")
    page = manager.get("/notices").text
    assert 'hx-get="/notices/count"' in page and 'hx-trigger="load, every 20s"' in page
    assert "No notifications." in page
    assert manager.get("/notices/count").text.strip() == ""
    ticket = desk.open_ticket(OUTAGE)
    assert 'data-unread="1"' in manager.get("/notices/count").text
    listed = manager.get("/notices/list").text
    assert 'hx-trigger="every 10s"' in listed
    assert f'href="/tickets/{ticket["id"]}"' in listed and "unread urgent" in listed
    agent = signed_in(desk, "agent_l1")
    assert "No notifications." in agent.get("/notices/list").text
    marked = manager.post("/notices/read").text
    assert 'data-unread="0"' in marked and "Mark read" not in marked
    assert manager.get("/notices/count").text.strip() == ""


def test_notice_settings_page_saves_and_shows_refusals(desk: WebDesk) -> None:
    lead = signed_in(desk, "team_lead")
    assert "Quiet hours" in lead.get("/notices/settings").text
    r = lead.post("/notices/settings", {"line_channel": "1"})
    assert r.status_code == 422 and 'data-code="invalid_input"' in r.text
    data = {
        "line_channel": "1",
        "line_user_id": "U123",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
    }
    r = lead.post("/notices/settings", data)
    assert r.status_code == 200 and "Saved." in r.text
    assert 'value="U123"' in r.text and 'value="22:00"' in r.text


def test_incident_pages_declare_link_note_and_resolve(desk: WebDesk) -> None:
    a, b = desk.open_ticket(), desk.open_ticket(email="kai@example.com")
    agent = signed_in(desk, "agent_l1")
    assert "Declare an incident" in agent.get("/incidents").text
    r = agent.post(
        "/incidents", {"title": "Checkout down", "severity": "P1", "ticket_ids": a["id"]}
    )
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith("/incidents/inc_")
    path = r.headers["HX-Redirect"]
    page = agent.get(path).text
    assert f'data-linked="{a["id"]}"' in page and 'data-entry="notified"' in page
    assert "Resolve incident" not in page  # an agent does not resolve
    assert 'data-linked="' + b["id"] in agent.post(f"{path}/tickets", {"ticket_id": b["id"]}).text
    assert 'data-entry="note"' in agent.post(f"{path}/notes", {"text": "Rolled back"}).text
    refused = agent.post(f"{path}/resolve", {"resolution_en": "fixed", "reply": "1"})
    assert refused.status_code == 403
    sup = signed_in(desk, "supervisor")
    page = sup.post(f"{path}/resolve", {"resolution_en": "we rolled back", "reply": "1"}).text
    assert 'data-status="resolved"' in page and page.count('data-entry="replied"') == 2
    qa = signed_in(desk, "qa")
    listed = qa.get("/incidents").text
    assert "Checkout down" in listed and "Declare an incident" not in listed
