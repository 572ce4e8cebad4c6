"""What leaves the helpdesk (issue 9): webhook URLs reaching the internal network are refused
at registration (`422 unsafe_url`), whatever the spelling of the address."""

from __future__ import annotations

import pytest
from web_desk import WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook

UNSAFE = [
    "http://127.0.0.1:8200/hook",
    "http://localhost/hook",
    "http://app.localhost/hook",
    "http://2130706433/hook",  # 127.0.0.1 as a decimal number
    "http://0x7f000001/hook",  # ... in hex
    "http://0177.0.0.1/hook",  # ... in octal
    "http://127.1/hook",  # ... shortened
    "http://0/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://169.254.169.254/latest/meta-data",  # cloud metadata
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://0xa9fea9fe/",  # 169.254.169.254 in hex
    "http://224.0.0.1/hook",  # multicast
    "http://239.255.255.250:1900/",
    "http://100.64.0.1/hook",  # carrier-grade NAT
]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_webhook_urls_are_refused_at_registration(desk: WebDesk, url: str) -> None:
    r = desk.client.post(
        "/api/webhooks", json={"url": url, "events": ["*"]}, headers=desk.auth("admin")
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "unsafe_url"
    assert r.json()["errors"][0]["field"] == "url"
    assert desk.client.get("/api/webhooks", headers=desk.auth("admin")).json() == []


@pytest.mark.parametrize("url", ["https://93.184.216.34/in", "https://hooks.example.com/in"])
def test_public_addresses_and_names_are_accepted(desk: WebDesk, url: str) -> None:
    r = desk.client.post(
        "/api/webhooks", json={"url": url, "events": ["*"]}, headers=desk.auth("admin")
    )
    assert r.status_code == 201, r.text


def test_allow_private_still_opts_out(rules: Rulebook) -> None:
    with web_desk(rules, webhook_allow_private=True) as desk:
        r = desk.client.post(
            "/api/webhooks",
            json={"url": "http://2130706433/hook", "events": ["*"]},
            headers=desk.auth("admin"),
        )
        assert r.status_code == 201, r.text


MARKUP_NAME = '<a href="https://evil.example/pay">Mei</a><script>x()</script>'


def _receipt(desk: WebDesk, ticket_id: str) -> str:
    with desk.env.uow() as uow:
        [receipt] = [m for m in uow.outbox.for_ticket(ticket_id) if m.kind == "receipt"]
    return str(receipt.payload["text"])


def test_a_submitted_name_fills_the_receipt_as_plain_text(desk: WebDesk) -> None:
    form = {"name": MARKUP_NAME, "email": "victim@example.com", "body": "Where is my order?"}
    r = desk.client.post("/api/intake", json=form)
    assert r.status_code == 201, r.text
    text = _receipt(desk, r.json()["ticket_id"])
    assert "Mei" in text
    for markup in ("<a", "href", "<script", "</"):
        assert markup not in text


@pytest.mark.parametrize(
    "name", ["M" * 201, "Mei\nBcc: all@example.com", "Mei\r\n<b>x</b>"], ids=["201", "lf", "crlf"]
)
def test_a_name_too_long_or_with_line_breaks_is_refused(desk: WebDesk, name: str) -> None:
    form = {"name": name, "email": "mei@example.com", "body": "Where is my order?"}
    r = desk.client.post("/api/intake", json=form)
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "body.name"


def test_html_mail_escapes_the_text_and_plain_values_have_no_markup() -> None:
    from datetime import UTC, datetime

    from tierdesk.adapters.email.compose import compose
    from tierdesk.domain.templates import plain_name, render
    from tierdesk.services.records import OutboxRecord

    text = render("Hi {name}, thanks.", {"name": "<b>Mei</b>\n<i>Chen</i>"})
    assert text == "Hi Mei Chen, thanks."
    assert plain_name("x" * 300 + "<b>") == "x" * 200
    at = datetime(2025, 3, 4, tzinfo=UTC)
    message = OutboxRecord(
        id="o_1", dedupe_key="t_1:1:reply", kind="reply", channel="email",
        recipient="mei@example.com", ticket_id="t_1", created_at=at, next_attempt_at=at,
        payload={"text": "Agent wrote <img src=x onerror=alert(1)>", "ticket_id": "t_1"},
    )  # fmt: skip
    mail = compose(message, "Support <s@desk.example>", "desk.example")
    html_part = mail.get_body(preferencelist=("html",))
    assert html_part is not None
    body = html_part.get_content()
    assert "<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


@pytest.mark.parametrize(
    ("started_at", "status"),
    [
        ("9999-12-31T23:59:00Z", 422),
        ("2025-03-04T02:06:00Z", 422),  # 6 minutes ahead of the server (START is 02:00)
        ("2025-03-04T02:04:00Z", 200),  # within the clock skew
        ("2025-03-04T01:30:00Z", 200),
    ],
)
def test_a_call_log_dated_in_the_future_is_refused(
    desk: WebDesk, started_at: str, status: int
) -> None:
    ticket = desk.open_ticket()
    r = desk.client.post(
        f"/api/tickets/{ticket['id']}/calls",
        json={"started_at": started_at, "duration_seconds": 120},
        headers=desk.auth("agent_l1"),
    )
    assert r.status_code == status, r.text
    if status == 422:
        assert r.json()["errors"][0]["field"] == "started_at"
