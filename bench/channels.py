"""Email intake throughput from a real IMAP server, beside raw IMAP FETCH of the same mail;
LINE webhook events per second beside the public intake's rate, on one running server.

    .venv/bin/python bench/channels.py [--n 1000] [--database sqlite|memory] [--line-n 300]

A private Dovecot (tests/integration/mailservers.py) on 127.0.0.1 gets `--n` distinct mails
by IMAP APPEND (plain and HTML alternatives, a quoted history, a third of them replies to an
earlier one). Then:

1. the floor: one connection fetches every message (`BODY.PEEK[]`, batches of 50), nothing
   else: what the network and the server cost;
2. the email poller (`bootstrap.mailboxes` -> `ImapMailbox.poll`): fetch, parse (stdlib
   email, nh3), store the original by hash, take it in (`email_intake.receive`: a ticket with
   triage, routing, clocks and the receipt, or a reply on its ticket), commit, then flag the
   message on the server; into a fresh SQLite file (WAL, synchronous=FULL) by default.

3. LINE beside the public intake, in the same run: a real `tierdesk serve --no-workers`
   process (tests/e2e/serverproc.py) on a fresh SQLite file, with LINE configured against the
   tests' local Messaging API stand-in (profiles are fetched from it). `--line-n` webhook
   requests, one text event each from 100 users (so most events join the user's open LINE
   ticket), signed as LINE signs them (the signature checked with line-bot-sdk's own
   `SignatureValidator` first), then `--line-n` public intakes (`POST /api/intake`), both
   over the same plain asyncio HTTP/1.1 client as bench/intake.py (8 connections). Each
   webhook event is stored in `channel_events` before it is acted on, then opens or joins a
   ticket. Prints events/s, intakes/s and their ratio.

Prints per-second figures and ratios; asserts nothing about time. Bounded: --n mails (at most
5,000) and --line-n requests of each kind (at most 2,000; the default 300 runs in ~10-20 s).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(REPO / "tests" / "integration" / "db"))
sys.path.insert(0, str(REPO / "tests" / "e2e"))
sys.path.insert(0, str(REPO / "bench"))

from imapclient import IMAPClient  # noqa: E402
from line_standin import LineStandIn  # noqa: E402 - the tests' Messaging API stand-in
from linebot.v3.webhook import SignatureValidator  # noqa: E402
from mailservers import Dovecot  # noqa: E402 - the tests' own Dovecot launcher
from serverproc import Server  # noqa: E402 - the crash test's server launcher

from intake import _status as read_status  # noqa: E402
from intake import post_all  # noqa: E402 - bench/intake.py's client
from tierdesk import bootstrap  # noqa: E402
from tierdesk.config import MailboxSettings, Settings  # noqa: E402
from tierdesk.policy import rulebook  # noqa: E402
from tierdesk.services.env import Env  # noqa: E402
from tierdesk.services.fake_clock import FakeClock  # noqa: E402
from tierdesk.services.policies import PolicyInForce  # noqa: E402
from tierdesk.testing.memory import MemoryStore  # noqa: E402

TEXTS = (
    "Where is my order #{i}? It has not arrived and the tracking page shows nothing.",
    "I was charged twice for invoice {i}, please refund the second payment.",
    "我的訂單 #{i} 還沒收到，請幫忙查一下，謝謝。",
    "The app crashes when I open my account page (case {i}).",
)


def mail(i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Customer {i} <customer-{i % 300}@example.com>"
    msg["To"] = "support@desk.example"
    msg["Subject"] = f"Request {i}"
    msg["Message-ID"] = f"<bench-{i}@mail.example.com>"
    if i % 3 == 2 and i >= 3:
        msg["In-Reply-To"] = f"<bench-{i - 2}@mail.example.com>"
    text = TEXTS[i % len(TEXTS)].format(i=i)
    quoted = (
        f"\n\nOn Tue, 4 Mar 2025 at 10:00, Support <support@desk.example> wrote:\n> earlier {i}\n"
    )
    msg.set_content(text + quoted)
    msg.add_alternative(
        f"<html><body><p>{text}</p><blockquote>earlier {i}</blockquote></body></html>",
        subtype="html",
    )
    return msg.as_bytes()


def append_all(server: Dovecot, n: int) -> None:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=30)
    client.login(server.user, server.password)
    for i in range(n):
        client.append("INBOX", mail(i))
    client.logout()


def raw_fetch(server: Dovecot) -> tuple[int, float]:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=30)
    client.login(server.user, server.password)
    started = time.perf_counter()
    client.select_folder("INBOX", readonly=True)
    uids = sorted(client.search(["ALL"]))
    total = 0
    for start in range(0, len(uids), 50):
        fetched = client.fetch(uids[start : start + 50], ["BODY.PEEK[]"])
        total += sum(1 for data in fetched.values() if data.get(b"BODY[]"))
    elapsed = time.perf_counter() - started
    client.logout()
    return total, elapsed


def poll_all(server: Dovecot, folder: Path, database: str) -> tuple[int, float]:
    os.environ["BENCH_IMAP_PASSWORD"] = server.password
    settings = Settings(
        var_dir=folder / "var",
        email_from="Support <support@desk.example>",
        email_hold_per_minute=0,
        email_mailboxes=[
            MailboxSettings(
                name="support",
                host="127.0.0.1",
                port=server.port,
                security="none",
                username=server.user,
                password_env="BENCH_IMAP_PASSWORD",  # noqa: S106 - a variable's name
            )
        ],
    )
    rules = rulebook(preset="cs-sop")
    if database == "memory":
        store = MemoryStore()
        env = Env(uow=store.uow, clock=FakeClock(), rules=rules)
    else:
        url = f"sqlite:///{folder / 'bench.db'}"
        bootstrap.upgrade_database(url)
        db = bootstrap.open_database(url)
        env = Env(uow=db.uow, read=db.reader, clock=bootstrap.system_clock(), rules=rules)
    [mailbox] = bootstrap.mailboxes(settings, PolicyInForce(env))
    taken = 0
    started = time.perf_counter()
    while True:
        n = mailbox.source.poll(lambda raw: mailbox.take("support", raw), limit=5000)
        taken += n
        if not n:
            break
    elapsed = time.perf_counter() - started
    mailbox.source.close()
    return taken, elapsed


LINE_SECRET = "bench-line-channel-secret-0123456789"  # noqa: S105 - a bench's own secret
LINE_TOKEN = "bench-line-access-token"  # noqa: S105
LINE_USERS = [f"U{i:032x}" for i in range(100)]
LINE_TEXTS = ("我的訂單還沒到，可以幫我查嗎？", "Where is my order? It has not arrived.", "謝謝")


def line_signature(body: bytes) -> str:
    """X-Line-Signature as LINE computes it: base64(HMAC-SHA256(channel secret, body))."""
    digest = hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def line_request(host: str, i: int) -> bytes:
    user = LINE_USERS[i % len(LINE_USERS)]
    event = {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": f"BENCH{i:021d}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
        "message": {
            "id": f"{i:014d}",
            "type": "text",
            "text": LINE_TEXTS[i % 3],
            "quoteToken": "q",
        },
    }
    body = json.dumps({"destination": "U" + "0" * 32, "events": [event]}).encode()
    head = (
        f"POST /channels/line/webhook HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\nX-Line-Signature: {line_signature(body)}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def post_line(url: str, n: int, concurrency: int) -> tuple[float, int]:
    """Seconds to get n webhook requests answered 200 over `concurrency` keep-alive
    connections, and the 200 count (bench/intake.py's client, LINE's requests)."""
    host, port = url.removeprefix("http://").split(":")
    requests = [line_request(f"{host}:{port}", i) for i in range(n)]
    todo = iter(range(n))
    codes: list[int] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for i in todo:
                writer.write(requests[i])
                codes.append(await read_status(reader))
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(min(concurrency, n))))
    return time.perf_counter() - start, sum(c == 200 for c in codes)


def line_beside_intake(folder: Path, n: int, concurrency: int = 8) -> None:
    sample = line_request("h:1", 0).split(b"\r\n\r\n", 1)[1]
    assert SignatureValidator(LINE_SECRET).validate(sample.decode(), line_signature(sample))
    standin = LineStandIn.start(
        token=LINE_TOKEN,
        profiles={
            u: {"displayName": f"User {i}", "language": "zh-TW"} for i, u in enumerate(LINE_USERS)
        },
    )
    url = f"sqlite:///{folder / 'line.db'}"
    bootstrap.upgrade_database(url)
    os.environ.update(
        TIERDESK_PUBLIC_RATE_PER_MINUTE="100000000",  # one client address here
        TIERDESK_LINE_CHANNEL_SECRET=LINE_SECRET,
        TIERDESK_LINE_CHANNEL_ACCESS_TOKEN=LINE_TOKEN,
        TIERDESK_LINE_API_URL=standin.url,
    )
    server = Server(url, folder, extra=("--no-workers",)).start()
    try:
        asyncio.run(post_all(server.url, 20, concurrency, "warm"))  # not counted
        line_s, line_ok = asyncio.run(post_line(server.url, n, concurrency))
        intake_s, intake_ok = asyncio.run(post_all(server.url, n, concurrency, "run"))
    finally:
        server.stop()
        standin.stop()
    events, intakes = line_ok / line_s, intake_ok / intake_s
    print(
        f"LINE webhook (signed, 1 event a request, {len(LINE_USERS)} users): {line_ok}/{n} "
        f"answered 200 in {line_s:.2f} s = {events:.1f} events/s"
    )
    print(
        f"public intake POST /api/intake: {intake_ok}/{n} acknowledged 201 in {intake_s:.2f} s"
        f" = {intakes:.1f} tickets/s"
    )
    print(
        f"LINE events / public intakes: {events / intakes:.2f} ({concurrency} connections, SQLite)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--database", choices=("sqlite", "memory"), default="sqlite")
    parser.add_argument("--line-n", type=int, default=300)
    parser.add_argument("--skip-email", action="store_true", help="Only the LINE section.")
    args = parser.parse_args()
    n = max(1, min(args.n, 5000))
    with tempfile.TemporaryDirectory(prefix="tierdesk-bench-") as tmp:
        if args.line_n > 0:
            line_beside_intake(Path(tmp), max(1, min(args.line_n, 2000)))
        if args.skip_email:
            return
        with Dovecot() as server:
            append_all(server, n)
            fetched, fetch_s = raw_fetch(server)
            taken, poll_s = poll_all(server, Path(tmp), args.database)
    floor = fetched / fetch_s
    rate = taken / poll_s
    print(f"raw IMAP FETCH (floor): {fetched} mails in {fetch_s:.2f} s = {floor:.1f} mails/s")
    print(
        f"email poller -> tickets ({args.database}): {taken} mails in {poll_s:.2f} s"
        f" = {rate:.1f} mails/s"
    )
    print(
        f"poller / raw fetch: {rate / floor:.4f} (each mail parsed, taken in, committed, flagged)"
    )


if __name__ == "__main__":
    main()
