"""The worker loops: the SLA sweeper, the outbox sender and housekeeping, on the in-memory
fakes."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from service_desk import OUTAGE, Desk

from tierdesk.bootstrap import file_sender
from tierdesk.services import sessions
from tierdesk.services.housekeeping import PurgeReport, purge
from tierdesk.services.lifecycle import assign
from tierdesk.services.policies import PolicyInForce
from tierdesk.services.records import OutboxRecord
from tierdesk.services.sweep import SweepReport, sweep
from tierdesk.workers.housekeeping import describe_purge, housekeeping_step, run_housekeeping
from tierdesk.workers.loop import failure_pause
from tierdesk.workers.outbox import run_outbox
from tierdesk.workers.run import OnceReport, run_once, start_background, stop_background
from tierdesk.workers.sweeper import describe_sweep, run_sweeper


def test_the_sweeper_loop_ends_when_the_stop_event_is_set_mid_pause(desk: Desk) -> None:
    stop = threading.Event()
    swept = threading.Event()

    def one_sweep(env: Any, **kw: Any) -> SweepReport:
        swept.set()
        return SweepReport()

    thread = threading.Thread(
        target=run_sweeper, args=(desk.env, stop), kwargs={"interval": 3600, "sweep_fn": one_sweep}
    )
    thread.start()
    assert swept.wait(10)
    stop.set()  # the loop now waits an hour; the event must cut that short
    thread.join(10)
    assert not thread.is_alive()


def test_the_sweeper_survives_a_failing_sweep_and_sweeps_again(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()
    calls: list[str] = []

    def flaky(env: Any, **kw: Any) -> SweepReport:
        calls.append("call")
        if len(calls) == 1:
            raise ConnectionError("database restarting")
        if len(calls) == 3:
            stop.set()
        return sweep(env, **kw)

    with caplog.at_level("ERROR", logger="tierdesk.workers"):
        runs = run_sweeper(desk.env, stop, interval=0, sweep_fn=flaky)
    assert runs == 3 and len(calls) == 3
    assert "database restarting" in caplog.text


def test_a_sweep_that_escalates_is_logged_in_one_line(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    ticket = desk.open().id  # an L1 order question: R-ESC-1 escalates it after 15 minutes
    l1 = desk.user["agent_l1"]
    assign(desk.env, ticket_id=ticket, actor_id=l1, assignee_id=l1)  # of L1 work
    desk.clock.advance(timedelta(hours=2))
    stop = threading.Event()

    def once(env: Any, **kw: Any) -> SweepReport:
        stop.set()
        return sweep(env, **kw)

    with caplog.at_level("INFO", logger="tierdesk.workers"):
        run_sweeper(desk.env, stop, interval=0, sweep_fn=once)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sla-sweeper")]
    assert "1 escalation(s)" in line and "\n" not in line


def test_an_idle_sweep_says_nothing() -> None:
    assert describe_sweep(SweepReport(looked=0)) is None


def test_the_pause_after_failures_grows_and_is_capped() -> None:
    pauses = [failure_pause(15, n, 300) for n in range(1, 8)]
    assert pauses == sorted(pauses) and pauses[0] == 15 and pauses[-1] == 300


def test_the_outbox_loop_delivers_each_message_once_even_when_run_twice(
    desk: Desk, tmp_path: Path
) -> None:
    first, second = desk.open(OUTAGE), desk.open(email="lin@example.com")
    mailbox = tmp_path / "mail" / "mailbox.jsonl"
    send = file_sender(mailbox)
    for _ in range(2):  # a second worker run finds nothing left to send
        _run_outbox_until_all_sent(desk, send)
    run_once(desk.env, send)
    lines = [json.loads(line) for line in mailbox.read_text(encoding="utf-8").splitlines()]
    assert sorted(m["dedupe_key"] for m in lines) == sorted(
        m.dedupe_key for m in desk.store.tables.outbox.values()
    )
    assert len({m["dedupe_key"] for m in lines}) == len(lines)
    assert {m["ticket_id"] for m in lines} >= {first.id, second.id}
    assert all(m.status == "sent" for m in desk.store.tables.outbox.values())


def _run_outbox_until_all_sent(desk: Desk, send: Any) -> None:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_outbox, args=(desk.env, send, stop), kwargs={"interval": 0.01}
    )
    thread.start()
    try:
        for _ in range(1000):
            if all(m.status == "sent" for m in desk.store.tables.outbox.values()):
                break
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_the_file_sender_writes_one_valid_json_line_per_message(desk: Desk, tmp_path: Path) -> None:
    ticket = desk.open("我的訂單到哪裡了？還沒收到貨", email="mei@example.tw")
    mailbox = tmp_path / "mailbox.jsonl"
    [receipt] = desk.outbox(ticket.id)
    file_sender(mailbox)(receipt)
    [raw] = mailbox.read_text(encoding="utf-8").splitlines()
    line = json.loads(raw)
    assert line["dedupe_key"] == receipt.dedupe_key
    assert line["recipient"] == "mei@example.tw" and line["kind"] == "receipt"
    assert line["payload"]["text"] == receipt.payload["text"] and "您好" in raw


def test_the_file_sender_skips_a_message_another_sender_already_wrote(
    desk: Desk, tmp_path: Path
) -> None:
    ticket = desk.open(OUTAGE)
    [receipt] = desk.outbox(ticket.id)
    mailbox = tmp_path / "mailbox.jsonl"
    file_sender(mailbox)(receipt)
    file_sender(mailbox)(receipt)  # a second process, e.g. after a crash before mark_sent
    assert len(mailbox.read_text(encoding="utf-8").splitlines()) == 1


def test_the_file_sender_keeps_lines_valid_after_a_torn_write(desk: Desk, tmp_path: Path) -> None:
    ticket = desk.open(OUTAGE)
    [receipt] = desk.outbox(ticket.id)
    mailbox = tmp_path / "mailbox.jsonl"
    mailbox.write_text('{"dedupe_key": "x", "kind": "rec', encoding="utf-8")
    file_sender(mailbox)(receipt)
    last = mailbox.read_text(encoding="utf-8").splitlines()[-1]
    assert json.loads(last)["dedupe_key"] == receipt.dedupe_key


def test_background_workers_deliver_and_stop(desk: Desk, tmp_path: Path) -> None:
    ticket = desk.open(OUTAGE)
    mailbox = tmp_path / "mailbox.jsonl"
    stop, delivered = threading.Event(), threading.Event()
    send = file_sender(mailbox)

    def sender(message: OutboxRecord) -> None:
        send(message)
        delivered.set()

    threads = start_background(desk.env, sender, stop, sweep_interval=3600, outbox_interval=3600)
    assert delivered.wait(10)
    assert stop_background(threads, stop, timeout=10)
    [line] = [json.loads(x) for x in mailbox.read_text(encoding="utf-8").splitlines()]
    assert line["ticket_id"] == ticket.id


def _ended_long_ago(desk: Desk) -> str:
    """A session of agent_l1, signed out 31 days ago (by the desk's clock): due for deletion."""
    session = sessions.start(desk.env, desk.user["agent_l1"], 3600, None, None)
    sessions.end(desk.env, session.id)
    desk.clock.advance(timedelta(days=31))
    return session.id


def test_a_housekeeping_step_says_what_it_deleted_and_nothing_when_idle(desk: Desk) -> None:
    ended = _ended_long_ago(desk)
    live = sessions.start(desk.env, desk.user["agent_l2"], 3600, None, None)
    env = PolicyInForce(desk.env)  # the workers' env: the policy in force, followed
    first = housekeeping_step(env)
    assert first.summary == "deleted 1 ended session(s), 0 ended API token(s)"
    assert not first.more
    assert set(desk.store.tables.sessions) == {live.id} and ended not in desk.store.tables.sessions
    assert housekeeping_step(env).summary is None
    assert describe_purge(PurgeReport()) is None


def test_the_housekeeping_loop_survives_a_failing_purge_and_logs_one_line(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    ended = _ended_long_ago(desk)
    stop = threading.Event()
    calls: list[str] = []

    def flaky(env: Any, **kw: Any) -> PurgeReport:
        calls.append("call")
        if len(calls) == 1:
            raise ConnectionError("database restarting")
        stop.set()
        return purge(env, **kw)

    with caplog.at_level("INFO", logger="tierdesk.workers"):
        runs = run_housekeeping(desk.env, stop, interval=0, purge_fn=flaky)
    assert runs == 2 and ended not in desk.store.tables.sessions
    assert "database restarting" in caplog.text
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("housekeeping:")]
    assert "1 ended session(s)" in line and "\n" not in line


def test_run_once_also_purges_and_reports_it(desk: Desk, tmp_path: Path) -> None:
    ended = _ended_long_ago(desk)
    report = run_once(desk.env, file_sender(tmp_path / "mailbox.jsonl"))
    assert isinstance(report, OnceReport)
    assert report.housekeeping == PurgeReport(sessions=1, tokens=0)
    assert ended not in desk.store.tables.sessions
    assert run_once(desk.env, file_sender(tmp_path / "mailbox.jsonl")).housekeeping == (
        PurgeReport()
    )


def test_background_workers_include_housekeeping(desk: Desk, tmp_path: Path) -> None:
    ended = _ended_long_ago(desk)
    stop = threading.Event()
    threads = start_background(
        PolicyInForce(desk.env), file_sender(tmp_path / "mailbox.jsonl"), stop
    )
    try:
        assert "tierdesk-housekeeping" in {t.name for t in threads}
        for _ in range(1000):  # the first purge runs as the thread starts
            if ended not in desk.store.tables.sessions:
                break
            stop.wait(0.01)
        assert ended not in desk.store.tables.sessions
    finally:
        assert stop_background(threads, stop, timeout=10)
