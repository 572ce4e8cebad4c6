"""Webhooks over real HTTP: a receiver on 127.0.0.1 (http.server in a thread) checks each
signed delivery; the outbox retries a refused one after its backoff and never delivers it
twice. The sender is the one `tierdesk serve` and `tierdesk worker` use
(`bootstrap.outbound_sender`): webhooks over HTTP, everything else to the mailbox file."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tierdesk import bootstrap
from tierdesk.adapters.outbound.webhook_sender import WebhookFailed, WebhookSender
from tierdesk.policy import rulebook
from tierdesk.services import users, webhooks
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.outbox import Sender, backoff, deliver
from tierdesk.services.records import OutboxRecord, WebhookRecord
from tierdesk.services.tickets import open_ticket
from tierdesk.testing.memory import MemoryStore

START = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
SECRET = "receiver-shared-secret-0123456789"


@dataclass
class Receiver:
    """What the receiver saw: every request, and the deliveries it accepted."""

    url: str
    answers: list[int]  # status codes to answer, in turn (then 200)
    requests: list[dict[str, Any]] = field(default_factory=list)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # by delivery id


def _valid(headers: Any, body: bytes, secret: str) -> bool:
    """How a receiver verifies a delivery (docs/api.md shows the same)."""
    stamp = headers["X-Tierdesk-Timestamp"]
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    fresh = abs(time.time() - int(stamp)) < 300
    return fresh and hmac.compare_digest(
        "sha256=" + expected.hexdigest(), headers["X-Tierdesk-Signature"]
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="", answers=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            valid = _valid(self.headers, body, SECRET)
            delivery = self.headers["X-Tierdesk-Delivery"]
            status = state.answers.pop(0) if state.answers else 200
            state.requests.append(
                {"path": self.path, "delivery": delivery, "valid": valid, "status": status}
            )
            if not valid:
                status = 401
            elif status == 200 and delivery not in state.accepted:  # dedupe on the delivery id
                state.accepted[delivery] = {
                    "event": self.headers["X-Tierdesk-Event"],
                    "body": json.loads(body),
                }
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tierdesk"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Desk:
    env: Env
    store: MemoryStore
    clock: FakeClock
    admin: str
    mailbox: Path

    def outbox(self, kind: str) -> list[OutboxRecord]:
        return [m for m in self.store.tables.outbox.values() if m.kind == kind]

    def sender(self) -> Sender:
        # the receiver listens on 127.0.0.1: a private address, allowed here on purpose
        return bootstrap.outbound_sender(self.mailbox, self.env, allow_private_webhooks=True)


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    store, clock = MemoryStore(), FakeClock(START)
    env = Env(uow=store.uow, clock=clock, rules=rulebook(preset="cs-sop"))
    admin = users.add_user(env, username="root", display_name="R", role="admin", actor_id=None)
    return Desk(env, store, clock, admin.id, tmp_path / "mailbox.jsonl")


def _open(desk: Desk) -> str:
    contact = Contact("email", "mei@example.com", name="Mei")
    return open_ticket(
        desk.env, channel="email", text="Where is my order?", contact=contact
    ).ticket.id


def test_a_refused_delivery_is_retried_after_its_backoff_and_accepted_once(
    desk: Desk, receiver: Receiver
) -> None:
    hook, _ = webhooks.add(desk.env, desk.admin, receiver.url, ["opened"], SECRET)
    ticket_id = _open(desk)
    receiver.answers = [500]
    send = desk.sender()

    first = deliver(desk.env, send)
    assert (first.claimed, first.sent, first.retried) == (2, 1, 1)  # the receipt, the webhook
    [message] = desk.outbox("webhook")
    assert message.status == "pending" and message.last_error == (
        f"WebhookFailed: webhook {hook.id}: HTTP 500"
    )
    assert [json.loads(line)["kind"] for line in desk.mailbox.read_text().splitlines()] == [
        "receipt"
    ]
    assert deliver(desk.env, send).claimed == 0  # backing off: nothing is due yet

    desk.clock.advance(backoff(1))
    assert deliver(desk.env, send).sent == 1
    assert deliver(desk.env, send).claimed == 0  # sent: never again

    delivery = f"{ticket_id}:1:webhook:{hook.id}"
    assert [(r["delivery"], r["valid"], r["status"]) for r in receiver.requests] == [
        (delivery, True, 500),
        (delivery, True, 200),
    ]
    assert receiver.requests[0]["path"] == "/hooks/tierdesk"
    [accepted] = receiver.accepted.values()
    assert accepted["event"] == "opened"
    assert accepted["body"]["event"]["kind"] == "opened"
    assert accepted["body"]["event"]["seq"] == 1
    assert accepted["body"]["ticket"]["id"] == ticket_id
    [done] = desk.outbox("webhook")
    assert done.status == "sent" and done.attempts == 2


def test_a_wrong_secret_fails_the_receivers_check(desk: Desk, receiver: Receiver) -> None:
    webhooks.add(desk.env, desk.admin, receiver.url, ["opened"], "another-secret-0123456789")
    _open(desk)
    report = deliver(desk.env, desk.sender())
    assert (report.sent, report.retried) == (1, 1)  # the receipt; the receiver answered 401
    assert [r["valid"] for r in receiver.requests] == [False] and receiver.accepted == {}


def test_a_deactivated_subscription_is_not_called_and_its_message_ends_dead(
    desk: Desk, receiver: Receiver
) -> None:
    hook, _ = webhooks.add(desk.env, desk.admin, receiver.url, ["opened"], SECRET)
    _open(desk)
    webhooks.deactivate(desk.env, desk.admin, hook.id)
    send = desk.sender()
    assert deliver(desk.env, send, max_attempts=2).retried == 1
    desk.clock.advance(backoff(1))
    assert deliver(desk.env, send, max_attempts=2).dead == 1
    [message] = desk.outbox("webhook")
    assert message.status == "dead"
    assert message.last_error == f"WebhookGone: webhook {hook.id} is deactivated; not sent"
    assert receiver.requests == []


def test_a_network_error_is_a_failed_attempt_that_names_no_credentials(desk: Desk) -> None:
    # Port 9 on 127.0.0.1 (discard) is closed on a test machine: connection refused.
    url = "http://alice:hunter2-password@127.0.0.1:9/hook?token=query-secret"
    hook, secret = webhooks.add(desk.env, desk.admin, url, ["opened"])
    _open(desk)
    assert deliver(desk.env, desk.sender()).retried == 1
    [message] = desk.outbox("webhook")
    error = message.last_error or ""
    assert error.startswith(f"WebhookFailed: webhook {hook.id}: ")
    for leaked in ("hunter2", "query-secret", secret):
        assert leaked not in error


def test_a_private_address_is_refused_by_default_before_any_request(
    desk: Desk, receiver: Receiver
) -> None:
    hook, _ = webhooks.add(desk.env, desk.admin, receiver.url, ["opened"], SECRET)
    _open(desk)
    default = bootstrap.outbound_sender(desk.mailbox, desk.env)  # TIERDESK default
    report = deliver(desk.env, default)
    # the receipt is sent; the webhook is refused and dead at once (never retried)
    assert (report.sent, report.retried, report.dead) == (1, 0, 1)
    assert receiver.requests == []
    [message] = desk.outbox("webhook")
    assert message.last_error == (
        f"WebhookRefused: webhook {hook.id}: refused, it resolves to 127.0.0.1, a private or "
        "local address; not sent and not retried (TIERDESK_WEBHOOK_ALLOW_PRIVATE=true allows it)"
    )
    assert message.status == "dead" and message.attempts == 1


@pytest.mark.parametrize(
    ("addresses", "sent"),
    [
        (["93.184.216.34"], True),
        (["2606:2800:220:1:248:1893:25c8:1946"], True),
        (["169.254.169.254"], False),  # a cloud metadata service
        (["10.0.0.8"], False),
        (["93.184.216.34", "192.168.1.9"], False),  # one private answer is enough
        (["::1"], False),
        (["fe80::1%eth0"], False),
        (["224.0.0.251"], False),  # multicast
        (["::ffff:10.1.2.3"], False),  # IPv4-mapped private
    ],
)
def test_only_global_addresses_are_called(addresses: list[str], sent: bool) -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(204)

    hook = WebhookRecord(
        id="wh_1", url="https://hooks.example.com/in", secret=SECRET, events=("*",),
        active=True, created_by="u_1", created_at=START,
    )  # fmt: skip
    sender = WebhookSender(
        lambda _id: hook,
        client=httpx.Client(transport=httpx.MockTransport(answer)),
        resolver=lambda host, port: addresses if (host, port) == ("hooks.example.com", 443) else [],
    )
    message = OutboxRecord(
        id="o_1", dedupe_key="t_1:1:webhook:wh_1", kind="webhook", channel="webhook",
        recipient="wh_1", ticket_id="t_1", payload={"event": {"kind": "opened"}},
        created_at=START, next_attempt_at=START,
    )  # fmt: skip
    if sent:
        sender(message)
        assert calls == ["https://hooks.example.com/in"]
    else:
        with pytest.raises(WebhookFailed, match="a private or local address"):
            sender(message)
        assert calls == []
