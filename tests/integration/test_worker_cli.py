"""`tierdesk worker` against real databases: a SQLite file prepared with `tierdesk db upgrade`
(always) and PostgreSQL (TIERDESK_TEST_POSTGRES_URL; skipped without it unless
TIERDESK_REQUIRE_POSTGRES=1, where it fails).

The tickets are opened ten days in the past through the services, so the worker (on the real
clock) finds their SLA clocks and time-in-tier escalations due.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tierdesk import bootstrap
from tierdesk.cli.main import app
from tierdesk.policy import rulebook
from tierdesk.services import lifecycle, sessions, tokens, users
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.records import OutboxRecord, TicketFilter
from tierdesk.services.tickets import open_ticket

ORDER = "Where is my order #12345? It has not arrived yet."  # order_status, L1: R-ESC-1 due
OUTAGE = "Your whole service is down, outage since this morning"  # P1, L3

runner = CliRunner()


def _open_past_tickets(url: str, count: int = 2) -> None:
    """Open `count` tickets (L1 order questions, taken by an L1 agent, and an outage) ten days
    ago."""
    db = bootstrap.open_database(url)
    clock = FakeClock(datetime.now(UTC) - timedelta(days=10))
    env = Env(uow=db.uow, clock=clock, rules=rulebook(preset="cs-sop"))
    try:
        l1 = users.add_user(
            env, username="amy", display_name="Amy", role="agent_l1", actor_id=None
        ).id
        for i in range(count):
            text = OUTAGE if i == 0 else ORDER
            contact = Contact("email", f"c{i}@example.com", name=f"Customer {i}")
            ticket = open_ticket(env, channel="email", text=text, contact=contact).ticket
            if ticket.tier == "L1":
                lifecycle.assign(env, ticket_id=ticket.id, actor_id=l1, assignee_id=l1)
            clock.advance(timedelta(minutes=1))
    finally:
        db.dispose()


def _outbox(url: str) -> list[OutboxRecord]:
    db = bootstrap.open_database(url)
    try:
        with db.uow() as uow:
            tickets = uow.tickets.search(TicketFilter(), limit=1000).items
            return [m for t in tickets for m in uow.outbox.for_ticket(t.id)]
    finally:
        db.dispose()


def _once(url: str, mailbox: Path) -> dict[str, Any]:
    args = ["worker", "--once", "--json", "--database-url", url, "--mailbox", str(mailbox)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _mailbox_keys(mailbox: Path) -> list[str]:
    lines = mailbox.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["dedupe_key"] for line in lines]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'var' / 'tierdesk.db'}"
    result = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 0, result.output
    return url


@pytest.mark.rule("R-ESC-1")
def test_worker_once_sweeps_and_delivers_every_message_exactly_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    _open_past_tickets(sqlite_url, count=3)
    mailbox = tmp_path / "mailbox.jsonl"
    first = _once(sqlite_url, mailbox)
    assert first["sweep"]["escalations"] >= 2  # both L1 tickets were in L1 far over 15 min
    messages = _outbox(sqlite_url)
    assert first["outbox"]["sent"] == len(messages) and all(m.status == "sent" for m in messages)
    assert sorted(_mailbox_keys(mailbox)) == sorted(m.dedupe_key for m in messages)
    again = _once(sqlite_url, mailbox)
    assert again["sweep"]["escalations"] == 0 and again["outbox"]["claimed"] == 0
    assert (
        first["housekeeping"] == again["housekeeping"] == {"sessions": 0, "tokens": 0, "blobs": 0}
    )
    assert len(_mailbox_keys(mailbox)) == len(messages)


def _end_sessions_and_tokens_long_ago(url: str) -> None:
    """A user whose session ended 40 days ago and whose token was revoked 100 days ago (both
    due for deletion), and a live session and token (never deleted)."""
    db = bootstrap.open_database(url)
    clock = FakeClock(datetime.now(UTC) - timedelta(days=100))
    env = Env(uow=db.uow, clock=clock, rules=rulebook(preset="cs-sop"))
    try:
        mei = users.add_user(
            env, username="mei", display_name="Mei", role="agent_l1", actor_id=None
        ).id
        token, _ = tokens.create(env, mei, "CRM sync", 30)
        tokens.revoke(env, mei, token.id)
        tokens.create(env, mei, "live", 3650)
        clock.advance(timedelta(days=60))
        session = sessions.start(env, mei, 3600, None, None)
        sessions.end(env, session.id)
        sessions.start(env, mei, 365 * 86400, None, None)
    finally:
        db.dispose()


def test_worker_once_deletes_sessions_and_tokens_that_ended_long_ago(
    sqlite_url: str, tmp_path: Path
) -> None:
    _end_sessions_and_tokens_long_ago(sqlite_url)
    args = ["worker", "--once", "--database-url", sqlite_url, "--mailbox", str(tmp_path / "m")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "housekeeping: deleted 1 ended session(s), 1 ended API token(s)" in result.stdout
    assert _once(sqlite_url, tmp_path / "m")["housekeeping"] == {
        "sessions": 0,
        "tokens": 0,
        "blobs": 0,
    }
    db = bootstrap.open_database(sqlite_url)
    try:
        with db.uow() as uow:
            mei = uow.users.get_by_username("mei")
            assert mei is not None
            assert [s.revoked_at for s in uow.sessions.for_user(mei.id)] == [None]
            assert [t.name for t in uow.tokens.for_user(mei.id)] == ["live"]
    finally:
        db.dispose()


def test_worker_refuses_a_database_without_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = runner.invoke(app, ["worker", "--once", "--database-url", url])
    assert result.exit_code == 1
    assert "tierdesk db upgrade" in result.output


def test_worker_refuses_an_unusable_url_as_bad_usage() -> None:
    result = runner.invoke(app, ["worker", "--once", "--database-url", "nosuchdb://x"])
    assert result.exit_code == 2 and "nosuchdb" in result.output


def _wait_for_lines(path: Path, count: int, proc: subprocess.Popen[str]) -> None:
    """Wait (bounded) until the worker process wrote `count` lines to `path`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and len(path.read_text(encoding="utf-8").splitlines()) >= count:
            return
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"the worker did not deliver {count} message(s): {proc.communicate()}")


@pytest.mark.slow
def test_a_worker_process_delivers_and_stops_gracefully_on_sigterm(
    sqlite_url: str, tmp_path: Path
) -> None:
    _open_past_tickets(sqlite_url, count=1)
    receipts = len(_outbox(sqlite_url))
    mailbox = tmp_path / "mailbox.jsonl"
    cmd = [sys.executable, "-m", "tierdesk", "worker", "--database-url", sqlite_url]
    proc = subprocess.Popen(
        [*cmd, "--mailbox", str(mailbox), "--outbox-interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_lines(mailbox, receipts, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "workers stopped" in err


# --- PostgreSQL: several worker processes at once ---------------------------------------------


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A private, migrated schema on the test server (dropped afterwards)."""
    server = os.environ.get("TIERDESK_TEST_POSTGRES_URL", "").strip()
    if not server:
        if os.environ.get("TIERDESK_REQUIRE_POSTGRES") == "1":
            pytest.fail("TIERDESK_TEST_POSTGRES_URL is not set, but TIERDESK_REQUIRE_POSTGRES=1")
        pytest.skip("TIERDESK_TEST_POSTGRES_URL is not set")
    schema = f"w_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(sa.make_url(server).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = (
        sa.make_url(server)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        bootstrap.upgrade_database(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
@pytest.mark.rule("R-ESC-1")
@pytest.mark.slow
def test_two_worker_processes_at_once_escalate_and_send_each_thing_once(
    postgres_url: str, tmp_path: Path
) -> None:
    _open_past_tickets(postgres_url, count=12)
    mailbox = tmp_path / "mailbox.jsonl"
    cmd = [sys.executable, "-m", "tierdesk", "worker", "--once", "--json"]
    args = [*cmd, "--database-url", postgres_url, "--mailbox", str(mailbox)]
    procs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    assert sum(r["sweep"]["escalations"] for r in reports) == 11  # one per L1 ticket
    messages = _outbox(postgres_url)
    keys = _mailbox_keys(mailbox)
    sent = [m.dedupe_key for m in messages if m.status == "sent"]
    assert sorted(keys) == sorted(sent) and len(set(keys)) == len(keys)


def test_a_worker_process_writes_the_same_absolute_links_as_the_server(tmp_path: Path) -> None:
    """The worker's poller writes receipts and its sweeper may close tickets: their customer
    page and survey links are absolute from TIERDESK_PUBLIC_URL, as `serve`'s are."""
    from tierdesk.cli.worker_cmd import _open
    from tierdesk.config import Settings
    from tierdesk.services.policies import current

    url = f"sqlite:///{tmp_path / 'tierdesk.db'}"
    bootstrap.upgrade_database(url)
    settings = Settings(var_dir=tmp_path / "var", public_url="https://help.example.com/")  # type: ignore[call-arg]
    env = current(_open(url, rulebook(preset="cs-sop"), settings))
    assert env.survey_url == "https://help.example.com/survey/{token}"
    assert env.customer_link is not None
    assert env.customer_link("c_1").startswith("https://help.example.com/my/")
