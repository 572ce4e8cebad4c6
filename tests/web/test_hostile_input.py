"""Hostile input at the HTTP boundary (issue 9): control characters in any text field, query
or path value are a 422 naming the field; unknown query parameters are refused."""

from __future__ import annotations

from typing import Any

import pytest
from web_desk import ORDER, WebDesk

INTAKE = {"name": "Mei", "email": "mei@example.com", "body": ORDER}
CONTROL = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x0b"]


@pytest.mark.parametrize("char", CONTROL, ids=[f"U+{ord(c):04X}" for c in CONTROL])
@pytest.mark.parametrize("field", ["body", "name", "subject", "email"])
def test_intake_refuses_control_characters_in_every_text_field(
    desk: WebDesk, field: str, char: str
) -> None:
    form = {**INTAKE, field: f"a{char}b"}
    r = desk.client.post("/api/intake", json=form)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_request"
    assert r.json()["errors"][0]["path"] == f"body.{field}"
    assert "\x00" not in r.text and char not in r.text  # never echoed back


def test_tab_newline_and_crlf_are_text_but_names_and_subjects_are_one_line(
    desk: WebDesk,
) -> None:
    ok = desk.client.post("/api/intake", json={**INTAKE, "body": "line 1\r\nline 2\tend\n"})
    assert ok.status_code == 201, ok.text
    for field in ("name", "subject"):
        for brk in ("\n", "\r"):
            r = desk.client.post("/api/intake", json={**INTAKE, field: f"Mei{brk}Bcc: x@evil"})
            assert r.status_code == 422 and r.json()["errors"][0]["path"] == f"body.{field}"
    tabbed = desk.client.post("/api/intake", json={**INTAKE, "name": "Mei\tChen"})
    assert tabbed.status_code == 201


@pytest.mark.parametrize(
    ("role", "url", "body"),
    [
        (
            "agent_l1",
            "/api/tickets",
            {
                "channel": "phone",
                "text": "a\x00b",
                "contact": {"kind": "phone", "value": "0912345678"},
            },
        ),
        (
            "agent_l1",
            "/api/tickets",
            {
                "channel": "phone",
                "text": "ok",
                "contact": {"kind": "phone", "value": "0912\x00345678"},
            },
        ),
        ("admin", "/api/users", {"username": "x\x00y", "role": "qa", "password": "12345678"}),
        ("admin", "/api/webhooks", {"url": "https://hooks.example.com/\x00", "events": ["*"]}),
        ("supervisor", "/api/policy-versions", {"title": "v", "source": "a: b\x00"}),
        ("agent_l1", "/api/auth/tokens", {"name": "tok\x00"}),
    ],
    ids=["ticket-text", "contact-value", "username", "webhook-url", "policy", "token-name"],
)
def test_signed_in_writes_refuse_control_characters(
    desk: WebDesk, role: str, url: str, body: dict[str, Any]
) -> None:
    r = desk.client.post(url, json=body, headers=desk.auth(role))
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_request"


def test_ticket_commands_refuse_control_characters(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    url = f"/api/tickets/{ticket['id']}/notes"
    r = desk.client.post(url, json={"body": "x\x00"}, headers=desk.auth("agent_l1"))
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "body.body"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/customers?q=a%00b", "query.q"),
        ("/api/tickets?q=%1b", "query.q"),
        ("/api/tickets/t_%00", "path.ticket_id"),
        ("/api/customers/c_%07", "path.customer_id"),
    ],
)
def test_query_and_path_values_refuse_control_characters(
    desk: WebDesk, url: str, path: str
) -> None:
    r = desk.client.get(url, headers=desk.auth("agent_l1"))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["path"] == path


@pytest.mark.parametrize(
    "url",
    [
        "/api/tickets?order_by=due",
        "/api/tickets?assignee_id=me",
        "/api/customers?query=mei",
        "/api/approvals?x=1",
        "/api/auth/me?debug=1",
    ],
)
def test_unknown_query_parameters_are_refused(desk: WebDesk, url: str) -> None:
    r = desk.client.get(url, headers=desk.auth("agent_l1"))
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert error["path"] == "query." + url.split("?")[1].split("=")[0]
    assert "unknown query parameter" in error["message"]


def test_declared_query_parameters_still_work(desk: WebDesk) -> None:
    desk.open_ticket()
    r = desk.client.get(
        "/api/tickets", params={"status": ["new", "open"], "limit": 5}, headers=desk.auth("qa")
    )
    assert r.status_code == 200, r.text
    assert desk.client.get("/api/customers?q=mei", headers=desk.auth("qa")).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 5000 + b"1" + b"}" * 5000, b'{"body":"\xff"}'],
    ids=["deep-array", "deep-object", "not-utf-8"],
)
def test_deep_or_undecodable_json_is_400_malformed_json(desk: WebDesk, raw: bytes) -> None:
    r = desk.client.post("/api/intake", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "malformed_json"
    assert r.json()["errors"][0]["path"] == "body"
