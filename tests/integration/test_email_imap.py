"""Email in from a real IMAP server: a private Dovecot on 127.0.0.1 (started and stopped by
the test), mail delivered by IMAP APPEND, polled through the configured mailbox
(`bootstrap.mailboxes`) into a SQLite store. Each mail is acknowledged only after its ticket
or reply is committed; a server restart mid-poll loses nothing and takes nothing twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient
from mailservers import Dovecot

from tierdesk import bootstrap
from tierdesk.config import MailboxSettings, Settings
from tierdesk.policy import rulebook
from tierdesk.services.email_intake import Mailbox, Received
from tierdesk.services.env import Env
from tierdesk.services.policies import PolicyInForce
from tierdesk.workers.email import run_mailbox

CORPUS = Path(__file__).parents[1] / "data" / "mail"
PASSWORD_ENV = "TIERDESK_TEST_IMAP_PASSWORD"
KEYWORD = b"$Tierdesk"

pytestmark = pytest.mark.slow


@pytest.fixture
def dovecot(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dovecot]:
    server = Dovecot()
    monkeypatch.setenv(PASSWORD_ENV, server.password)
    with server:
        yield server


def _client(server: Dovecot) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10)
    client.login(server.user, server.password)
    return client


def _append(server: Dovecot, *raws: bytes) -> None:
    client = _client(server)
    for raw in raws:
        client.append("INBOX", raw)
    client.logout()


def _flags(server: Dovecot, folder: str = "INBOX") -> list[tuple[bytes, ...]]:
    client = _client(server)
    client.select_folder(folder, readonly=True)
    uids = client.search(["ALL"])
    flags = [tuple(sorted(f)) for f in client.get_flags(uids).values()] if uids else []
    client.logout()
    return flags


class Desk:
    def __init__(self, server: Dovecot, tmp_path: Path, **mailbox: object) -> None:
        values: dict[str, object] = {
            "name": "support",
            "host": "127.0.0.1",
            "port": server.port,
            "security": "none",
            "username": server.user,
            "password_env": PASSWORD_ENV,
            "address": "support@desk.example",
            "poll_seconds": 1.0,
            "timeout": 5.0,
        }
        values.update(mailbox)
        self.settings = Settings(
            var_dir=tmp_path / "var",
            email_mailboxes=[MailboxSettings(**values)],  # type: ignore[arg-type]
            email_from="Support <support@desk.example>",
        )
        url = f"sqlite:///{tmp_path / 'tierdesk.db'}"
        bootstrap.upgrade_database(url)
        self.db = bootstrap.open_database(url)
        env = Env(
            uow=self.db.uow,
            read=self.db.reader,
            clock=bootstrap.system_clock(),
            rules=rulebook(preset="cs-sop"),
        )
        self.env = PolicyInForce(env)
        [self.mailbox] = bootstrap.mailboxes(self.settings, self.env)

    def count(self, table: str) -> int:
        import sqlalchemy as sa

        with self.db.engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608

    def outcomes(self) -> dict[str, int]:
        import sqlalchemy as sa

        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT outcome, count(*) FROM inbound_mail GROUP BY 1"))
            return {str(o): int(n) for o, n in rows}


def _corpus(ticket_id: str = "t_" + "0" * 32) -> list[bytes]:
    return [
        p.read_bytes().replace(b"t_" + b"0" * 32, ticket_id.encode())
        for p in sorted(CORPUS.glob("*.eml"))
    ]


def test_the_corpus_becomes_tickets_and_every_mail_is_flagged_once_committed(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    desk = Desk(dovecot, tmp_path)
    _append(dovecot, *_corpus())
    got: list[Received] = []
    source = desk.mailbox.source

    def take(raw: bytes) -> None:
        got.append(desk.mailbox.take("support", raw))

    assert source.poll(take) == 13
    assert source.poll(take) == 0  # all acknowledged: nothing is read twice
    source.close()
    assert desk.outcomes() == {"ticket": 9, "auto_reply": 2, "bounce": 1, "loop": 1}
    assert desk.count("tickets") == 9
    assert all(KEYWORD in f and b"\\Seen" in f for f in _flags(dovecot))


def test_a_mail_is_not_acknowledged_when_its_intake_fails(dovecot: Dovecot, tmp_path: Path) -> None:
    desk = Desk(dovecot, tmp_path)
    _append(dovecot, *_corpus()[:3])
    source = desk.mailbox.source
    calls = 0

    def flaky(raw: bytes) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionError("database restarting")
        desk.mailbox.take("support", raw)

    with pytest.raises(ConnectionError):
        source.poll(flaky)
    assert sum(KEYWORD in f for f in _flags(dovecot)) == 1  # only the committed one
    assert source.poll(flaky) == 2  # the rest, on the next pass
    assert desk.outcomes() == {"ticket": 2, "bounce": 1}  # big5, bounce, broken_mime
    source.close()


def test_a_server_restart_mid_poll_loses_nothing_and_takes_nothing_twice(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    desk = Desk(dovecot, tmp_path)
    raws = _corpus()
    _append(dovecot, *raws)
    source = desk.mailbox.source
    taken = 0

    def take_then_crash(raw: bytes) -> None:
        nonlocal taken
        desk.mailbox.take("support", raw)  # committed ...
        taken += 1
        if taken == 5:
            dovecot.stop()  # ... and the server goes away before the acknowledgement

    with pytest.raises(Exception):  # noqa: B017 - whatever the dropped socket raises
        source.poll(take_then_crash)
    dovecot.start()
    while source.poll(take_then_crash) == 0 and taken < len(raws):  # pragma: no cover
        break
    while source.poll(take_then_crash):
        pass
    source.close()
    assert desk.count("inbound_mail") == len(raws)  # every mail, once
    assert desk.count("tickets") == 9
    assert len(_flags(dovecot)) == len(raws)
    assert all(KEYWORD in f for f in _flags(dovecot))


def test_move_and_delete_acknowledge_by_moving_or_expunging(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    moved = Desk(dovecot, tmp_path / "a", ack="move", move_to="Processed")
    _append(dovecot, *_corpus()[:2])
    assert moved.mailbox.source.poll(lambda raw: moved.mailbox.take("support", raw)) == 2
    moved.mailbox.source.close()
    assert _flags(dovecot) == [] and len(_flags(dovecot, "Processed")) == 2
    deleted = Desk(dovecot, tmp_path / "b", ack="delete")
    _append(dovecot, *_corpus()[2:4])
    assert deleted.mailbox.source.poll(lambda raw: deleted.mailbox.take("support", raw)) == 2
    deleted.mailbox.source.close()
    assert _flags(dovecot) == []


def test_the_worker_idles_and_takes_new_mail_within_seconds_and_survives_a_restart(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    desk = Desk(dovecot, tmp_path, poll_seconds=30.0)  # IDLE, not the 30 s poll, wakes it
    stop = threading.Event()
    worker = Mailbox(desk.mailbox.source, desk.mailbox.take, interval=0.2)
    thread = threading.Thread(target=run_mailbox, args=(worker, stop), kwargs={"max_pause": 0.5})
    thread.start()
    try:
        time.sleep(0.5)  # the worker is idling now
        _append(dovecot, _corpus()[0])
        _wait_for(lambda: desk.count("tickets") == 1, 20)
        dovecot.restart()  # the worker's IDLE connection dies with it
        _append(dovecot, (CORPUS / "plain_utf8.eml").read_bytes())
        _wait_for(lambda: desk.count("tickets") == 2, 40)
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive()
    assert desk.count("inbound_mail") == 2


def _wait_for(condition: object, seconds: float) -> None:
    assert callable(condition)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


def test_each_mailbox_routes_its_new_tickets_to_its_team_and_records_its_brand(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    client = _client(dovecot)
    client.create_folder("Billing")
    client.create_folder("Press")
    order = (CORPUS / "plain_utf8.eml").read_bytes()  # an order question: L1's by category
    client.append("INBOX", order)
    for folder, who in (("Billing", b"wen"), ("Press", b"reporter")):  # other customers
        client.append(folder, order.replace(b"plain-1@", who + b"-1@").replace(b"mei@", who + b"@"))
    client.logout()
    base: dict[str, object] = {
        "host": "127.0.0.1",
        "port": dovecot.port,
        "security": "none",
        "username": dovecot.user,
        "password_env": PASSWORD_ENV,
        "timeout": 5.0,
    }
    boxes = [
        MailboxSettings(name="support", **base),  # type: ignore[arg-type]
        MailboxSettings(
            name="billing",
            folder="Billing",
            team="L2",
            brand="acme-pay",
            **base,  # type: ignore[arg-type]
        ),
        MailboxSettings(name="press", folder="Press", team="pr", **base),  # type: ignore[arg-type]
    ]
    desk = Desk(dovecot, tmp_path)
    desk.settings = desk.settings.model_copy(update={"email_mailboxes": boxes})
    mailboxes = bootstrap.mailboxes(desk.settings, desk.env)
    got: dict[str, Received] = {}
    for mailbox in mailboxes:

        def take(raw: bytes, m: Mailbox = mailbox) -> None:
            got[m.source.name] = m.take(m.source.name, raw)

        mailbox.source.poll(take)
        mailbox.source.close()
    assert {name: r.outcome for name, r in got.items()} == dict.fromkeys(
        ("support", "billing", "press"), "ticket"
    )
    with desk.db.uow() as uow:
        tickets = {n: uow.tickets.get(r.ticket_id or "") for n, r in got.items()}
        opened = {n: uow.events.for_ticket(r.ticket_id or "")[0] for n, r in got.items()}
    routing = {n: (t.tier, t.queue) for n, t in tickets.items() if t is not None}
    assert routing == {"support": ("L1", "L1"), "billing": ("L2", "L2"), "press": ("L1", "pr")}
    assert opened["billing"].get("brand") == "acme-pay" and opened["support"].get("brand") is None


def test_worker_once_takes_the_waiting_mail_and_sends_its_receipt_in_the_same_run(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """Cron deployments run `tierdesk worker --once`: the mail waiting in the mailbox becomes
    a ticket, is acknowledged, and its receipt is delivered by the same pass."""
    from tierdesk.adapters.outbound.file_sender import FileSender
    from tierdesk.workers.run import run_once

    desk = Desk(dovecot, tmp_path)
    _append(dovecot, *_corpus()[:1])
    outbox_file = tmp_path / "mailbox.jsonl"
    report = run_once(desk.env, FileSender(outbox_file), mailboxes=[desk.mailbox])
    assert report.mail == {"ticket": 1}
    assert desk.count("tickets") == 1
    assert all(KEYWORD in f for f in _flags(dovecot))  # acknowledged only after the commit
    assert report.delivery.sent >= 1 and "receipt" in outbox_file.read_text(encoding="utf-8")
    again = run_once(desk.env, FileSender(outbox_file), mailboxes=[desk.mailbox])
    assert again.mail == {} and desk.count("tickets") == 1  # nothing is taken twice
