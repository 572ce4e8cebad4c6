"""Webhook subscriptions over HTTP (admin only): the secret is shown once, never listed."""

from __future__ import annotations

from typing import Any

import pytest
from web_desk import WebDesk

URL = "https://hooks.example.com/tierdesk"


def _add(desk: WebDesk, body: dict[str, Any], role: str = "admin") -> Any:
    return desk.client.post("/api/webhooks", json=body, headers=desk.auth(role))


def test_an_admin_adds_lists_and_deactivates_a_webhook(desk: WebDesk) -> None:
    r = _add(desk, {"url": URL, "events": ["opened", "escalated", "resolved"]})
    assert r.status_code == 201, r.text
    made = r.json()
    secret = made["secret"]
    assert len(secret) >= 43 and made["url"] == URL and made["active"] is True
    assert made["events"] == ["opened", "escalated", "resolved"]
    assert made["created_by"] == desk.user["admin"]

    listed = desk.client.get("/api/webhooks", headers=desk.auth("admin"))
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["id"] == made["id"] and "secret" not in row
    assert secret not in listed.text

    ticket = desk.open_ticket()
    queued = [m for m in desk.store.tables.outbox.values() if m.kind == "webhook"]
    assert [(m.recipient, m.ticket_id, m.payload["event"]["kind"]) for m in queued] == [
        (made["id"], ticket["id"], "opened")
    ]

    gone = desk.client.delete(f"/api/webhooks/{made['id']}", headers=desk.auth("admin"))
    assert gone.status_code == 204
    again = desk.client.delete(f"/api/webhooks/{made['id']}", headers=desk.auth("admin"))
    assert again.status_code == 204  # idempotent
    [row] = desk.client.get("/api/webhooks", headers=desk.auth("admin")).json()
    assert row["active"] is False
    desk.open_ticket(email="kai@example.com")
    assert len([m for m in desk.store.tables.outbox.values() if m.kind == "webhook"]) == 1


def test_a_given_secret_is_kept_and_shown_only_once(desk: WebDesk) -> None:
    r = _add(desk, {"url": URL, "events": ["*"], "secret": "my-shared-secret-42"})
    assert r.status_code == 201 and r.json()["secret"] == "my-shared-secret-42"
    listed = desk.client.get("/api/webhooks", headers=desk.auth("admin"))
    assert "my-shared-secret-42" not in listed.text


@pytest.mark.parametrize("role", ["supervisor", "manager", "agent_l1"])
def test_only_admins_manage_webhooks(desk: WebDesk, role: str) -> None:
    r = _add(desk, {"url": URL, "events": ["*"]}, role)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert desk.client.get("/api/webhooks", headers=desk.auth(role)).status_code == 403
    r = desk.client.delete("/api/webhooks/wh_x", headers=desk.auth(role))
    assert r.status_code == 403
    assert desk.client.get("/api/webhooks").status_code == 401
    assert desk.store.tables.webhooks == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://files.example.com/x", "events": ["*"]}, "url"),
        ({"url": "https://", "events": ["*"]}, "url"),
        ({"url": "http://[::1", "events": ["*"]}, "url"),
        ({"url": URL, "events": ["openned"]}, "events"),
        ({"url": URL, "events": []}, "events"),
        ({"url": URL, "events": ["*"], "secret": "tiny-s3cret"}, "secret"),
        ({"url": URL, "events": ["*"], "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    desk: WebDesk, body: dict[str, Any], field: str
) -> None:
    r = _add(desk, body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    fields = {problem.get("data", {}).get("field")} | {
        e.get("field") for e in problem.get("errors", [])
    }
    assert field in fields, problem
    assert "tiny-s3cret" not in r.text  # a secret is never echoed
    assert desk.store.tables.webhooks == {}


def test_deactivating_an_unknown_webhook_is_a_404(desk: WebDesk) -> None:
    r = desk.client.delete("/api/webhooks/wh_missing", headers=desk.auth("admin"))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
