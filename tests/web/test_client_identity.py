"""Who the client is (issue 9): forwarded headers are believed only from the proxies
TIERDESK_FORWARDED_ALLOW_IPS names (serve passes it to uvicorn explicitly); failed sign-ins
are limited per address across usernames (password spraying); an Idempotency-Key sent again
with a different request is 422 `idempotency_key_reused` and the first ticket stays as it was."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from web_desk import ORDER, PASSWORD, WebDesk, settings, web_desk

from tierdesk.cli.serve_cmd import uvicorn_options
from tierdesk.domain.rulebook import Rulebook


def test_password_spraying_from_one_address_is_limited_across_usernames(
    rules: Rulebook,
) -> None:
    with web_desk(rules, login_failures_burst=5, login_failures_per_minute=1.0) as desk:
        answers = [
            desk.client.post("/api/auth/login", json={"username": f"user{n}", "password": "x"})
            for n in range(30)
        ]
        statuses = [a.status_code for a in answers]
        assert statuses[:5] == [401] * 5
        assert statuses[5:] == [429] * 25
        assert int(answers[-1].headers["Retry-After"]) >= 1
        # The address is held back, the right password included, until the bucket refills.
        real = desk.client.post("/api/auth/login", json={"username": "qa", "password": PASSWORD})
        assert real.status_code == 429


def test_successful_sign_ins_do_not_use_up_the_address_limit(rules: Rulebook) -> None:
    with web_desk(rules, login_failures_burst=2, login_failures_per_minute=1.0) as desk:
        for role in ("qa", "agent-l1", "agent-l2", "manager", "admin"):
            r = desk.client.post("/api/auth/login", json={"username": role, "password": PASSWORD})
            assert r.status_code == 200


def test_serve_ignores_forwarded_headers_unless_proxies_are_named() -> None:
    plain = uvicorn_options(settings())
    assert (plain["proxy_headers"], plain["forwarded_allow_ips"]) == (False, "")
    proxied = uvicorn_options(settings(forwarded_allow_ips="10.0.0.2, 10.0.0.3"))
    assert proxied["proxy_headers"] is True
    assert proxied["forwarded_allow_ips"] == "10.0.0.2, 10.0.0.3"


@contextmanager
def _served(desk: WebDesk, **overrides: object) -> Iterator[str]:
    """The desk's app behind a real uvicorn on a free port, run with serve's options."""
    options = uvicorn_options(settings(port=1, **overrides))
    options.update(port=0, log_level="warning")
    server = uvicorn.Server(uvicorn.Config(desk.app, lifespan="off", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


def _spray(base: str) -> list[int]:
    with httpx.Client(base_url=base) as client:
        return [
            client.post(
                "/api/auth/login",
                json={"username": "qa", "password": "wrong"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(12)
        ]


@pytest.mark.parametrize(
    ("proxies", "limited"), [(None, True), ("10.9.9.9", True), ("127.0.0.1", False)]
)
def test_a_rotating_x_forwarded_for_from_an_untrusted_peer_does_not_lift_the_limit(
    rules: Rulebook, proxies: str | None, limited: bool
) -> None:
    with (
        web_desk(rules, login_burst=5, login_rate_per_minute=1.0) as desk,
        _served(desk, forwarded_allow_ips=proxies) as base,
    ):
        statuses = _spray(base)
    assert (429 in statuses) is limited, statuses


INTAKE = {"name": "Mei", "email": "mei@example.com", "body": ORDER}


def test_the_same_idempotency_key_with_another_body_is_refused_and_nothing_is_lost(
    desk: WebDesk,
) -> None:
    key = {"Idempotency-Key": "form-1"}
    first = desk.client.post("/api/intake", json=INTAKE, headers=key)
    assert first.status_code == 201
    again = desk.client.post("/api/intake", json=INTAKE, headers=key)
    assert again.status_code == 200 and again.json()["ticket_id"] == first.json()["ticket_id"]
    other = desk.client.post(
        "/api/intake", json={**INTAKE, "body": "My card was charged twice"}, headers=key
    )
    assert other.status_code == 422, other.text
    assert other.json()["code"] == "idempotency_key_reused"
    assert "charged twice" not in other.text
    ticket = desk.client.get(
        f"/api/tickets/{first.json()['ticket_id']}", headers=desk.auth("qa")
    ).json()
    assert [m["body"] for m in ticket["messages"] if m["kind"] == "customer"] == [ORDER]
    fresh = desk.client.post(
        "/api/intake",
        json={**INTAKE, "body": "My card was charged twice"},
        headers={"Idempotency-Key": "form-2"},
    )
    assert fresh.status_code == 201


def test_an_agent_reusing_a_key_for_another_call_is_refused(desk: WebDesk) -> None:
    body = {"channel": "phone", "text": ORDER, "contact": {"kind": "phone", "value": "0912345678"}}
    key = {**desk.auth("agent_l1"), "Idempotency-Key": "call-7"}
    assert desk.client.post("/api/tickets", json=body, headers=key).status_code == 201
    assert desk.client.post("/api/tickets", json=body, headers=key).status_code == 200
    changed = {**body, "contact": {"kind": "phone", "value": "0987654321"}}
    r = desk.client.post("/api/tickets", json=changed, headers=key)
    assert (r.status_code, r.json()["code"]) == (422, "idempotency_key_reused")
