"""Email intake throughput from a real IMAP server, beside raw IMAP FETCH of the same mail.

    .venv/bin/python bench/channels.py [--n 1000] [--database sqlite|memory]

A private Dovecot (tests/integration/mailservers.py) on 127.0.0.1 gets `--n` distinct mails
by IMAP APPEND (plain and HTML alternatives, a quoted history, a third of them replies to an
earlier one). Then:

1. the floor: one connection fetches every message (`BODY.PEEK[]`, batches of 50), nothing
   else: what the network and the server cost;
2. the email poller (`bootstrap.mailboxes` -> `ImapMailbox.poll`): fetch, parse (stdlib
   email, nh3), store the original by hash, take it in (`email_intake.receive`: a ticket with
   triage, routing, clocks and the receipt, or a reply on its ticket), commit, then flag the
   message on the server; into a fresh SQLite file (WAL, synchronous=FULL) by default.

Prints mails per second for both and their ratio; asserts nothing about time. Bounded: --n
mails (at most 5,000).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from imapclient import IMAPClient  # noqa: E402
from mailservers import Dovecot  # noqa: E402 - the tests' own Dovecot launcher

from tierdesk import bootstrap  # noqa: E402
from tierdesk.config import MailboxSettings, Settings  # noqa: E402
from tierdesk.policy import rulebook  # noqa: E402
from tierdesk.services.env import Env  # noqa: E402
from tierdesk.services.memory import FakeClock, MemoryStore  # noqa: E402
from tierdesk.services.policies import PolicyInForce  # noqa: E402

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
    import os

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--database", choices=("sqlite", "memory"), default="sqlite")
    args = parser.parse_args()
    n = max(1, min(args.n, 5000))
    with tempfile.TemporaryDirectory(prefix="tierdesk-bench-") as tmp, Dovecot() as server:
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
