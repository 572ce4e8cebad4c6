"""`tierdesk import` on the in-memory fakes, SQLite and PostgreSQL: the fixture exports of
tests/data/import/ stored as tickets whose events the metrics read (FCR, CSAT), once however
often the file is imported, and nothing at all from a file with a bad row unless --skip-bad.

tickets.csv (cs-sop; P3 on the Taipei business calendar): c1 closed, one reply, CSAT 5;
c2 resolved (no category: triaged to order_status), one reply, CSAT 4; c3 resolved after three
replies, CSAT 2; c4 still open. FCR = 2 of 3 resolved; CSAT mean (5 + 4 + 2) / 3, 2 of 3
satisfied (4 or 5).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from db_desk import make_store_desk
from db_records import BACKENDS
from typer.testing import CliRunner

from tierdesk import analytics, bootstrap
from tierdesk.cli.main import app as cli
from tierdesk.policy import rulebook
from tierdesk.services import exporting, importing, qa
from tierdesk.services.env import Env
from tierdesk.testing.memory import MemoryStore

DATA = Path(__file__).parents[2] / "data" / "import"
SINCE = datetime(2025, 3, 1, tzinfo=UTC)
UNTIL = datetime(2025, 3, 8, tzinfo=UTC)
NOW = datetime(2025, 3, 10, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def env(request: pytest.FixtureRequest) -> Env:
    rules = rulebook(preset="cs-sop")
    if request.param == "memory":
        store = MemoryStore()
        desk = make_store_desk(store.uow, rules)
        desk.clock.set(NOW)
        return replace(desk.env, store=store)
    db = request.getfixturevalue(f"{request.param}_db")
    desk = make_store_desk(db.uow, rules)
    desk.clock.set(NOW)
    return replace(desk.env, store=db)


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def metric(report: analytics.Report, metric_id: str) -> float | None:
    return next(m.value for m in report.metrics if m.id == metric_id)


def test_csv_history_is_stored_once_and_measured(env: Env) -> None:
    first = importing.import_text(env, "csv", "tickets.csv", text("tickets.csv"))
    assert first.stored and first.imported == ["c1", "c2", "c3", "c4"] and not first.bad
    again = importing.import_text(env, "csv", "tickets.csv", text("tickets.csv"))
    assert again.imported == [] and again.already == ["c1", "c2", "c3", "c4"]
    with env.uow() as uow:
        c1 = uow.tickets.find_by_idempotency_key("import:csv:c1")
        c2 = uow.tickets.find_by_idempotency_key("import:csv:c2")
        assert c1 is not None and c2 is not None
        kinds = [e.kind.value for e in uow.events.for_ticket(c1.id)]
        messages = uow.messages.for_ticket(c1.id)
    assert kinds == [
        "opened",
        "message_added",
        "triaged",
        "routed",
        "message_added",
        "resolved",
        "closed",
        "survey_answered",
    ]
    assert [m.kind for m in messages] == ["customer", "reply"]
    assert c1.created_at == datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
    assert c1.first_response_at == datetime(2025, 3, 4, 2, 10, tzinfo=UTC)
    assert (c1.status, c1.csat, c1.nps) == ("closed", 5, 10)
    assert (c2.category, c2.channel, c2.status) == ("order_status", "web", "resolved")
    report = bootstrap.measure(env, analytics.Scope(SINCE, UNTIL))
    assert metric(report, "fcr") == pytest.approx(2 / 3)
    assert metric(report, "csat") == pytest.approx(11 / 3)
    assert metric(report, "csat_satisfied") == pytest.approx(2 / 3)


def test_a_file_with_a_bad_row_imports_nothing_unless_skip_bad(env: Env) -> None:
    held = importing.import_text(env, "csv", "bad_rows.csv", text("bad_rows.csv"))
    assert not held.stored
    assert [str(b) for b in held.bad] == [
        "bad_rows.csv line 3: created_at: 'yesterday' is not an ISO 8601 time",
        "bad_rows.csv line 4: channel: 'fax' is not one of email, line, web, chat, phone, api",
        "bad_rows.csv line 5: csat: 7 is not 1-5",
    ]
    with env.uow() as uow:
        assert uow.tickets.find_by_idempotency_key("import:csv:b1") is None
    dry = importing.import_text(env, "csv", "bad_rows.csv", text("bad_rows.csv"), dry_run=True)
    assert dry.imported == ["b1"] and not dry.stored
    done = importing.import_text(env, "csv", "bad_rows.csv", text("bad_rows.csv"), skip_bad=True)
    assert done.stored and done.imported == ["b1"] and len(done.bad) == 3
    with env.uow() as uow:
        assert uow.tickets.find_by_idempotency_key("import:csv:b1") is not None


def test_zendesk_and_freshdesk_exports(env: Env) -> None:
    zd = importing.import_text(env, "zendesk", "zendesk.json", text("zendesk_tickets.json"))
    assert zd.stored and zd.imported == ["35436", "35437", "35438"]
    fd = importing.import_text(
        env, "freshdesk", "fd.json", text("freshdesk_tickets.json"), skip_bad=True
    )
    assert [str(b) for b in fd.bad] == [
        "fd.json record 3 (id 22): status: 9 is not one of 2, 3, 4, 5"
    ]
    with env.uow() as uow:
        get = uow.tickets.find_by_idempotency_key
        closed, solved, new = (get(f"import:zendesk:{n}") for n in (35436, 35437, 35438))
        fd_closed, fd_pending = get("import:freshdesk:20"), get("import:freshdesk:21")
    assert closed is not None and solved is not None and new is not None
    assert (closed.status, closed.priority, closed.csat, closed.reply_count) == (
        "closed",
        "P3",
        5,
        1,
    )
    assert closed.resolved_at == datetime(2025, 3, 4, 2, 20, tzinfo=UTC)
    assert (solved.status, solved.priority, solved.csat, solved.reply_count) == (
        "resolved",
        "P4",
        1,
        2,
    )
    assert solved.first_response_at == datetime(2025, 3, 4, 2, 30, tzinfo=UTC)
    assert (new.status, new.channel, new.first_response_at) == ("new", "phone", None)
    assert fd_closed is not None and fd_pending is not None
    assert (fd_closed.status, fd_closed.priority, fd_closed.csat) == ("closed", "P4", 5)
    assert (fd_pending.status, fd_pending.priority, fd_pending.channel) == (
        "pending_customer",
        "P1",
        "chat",
    )


@pytest.mark.slow
def test_cli_import_then_report(sqlite_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--database-url", sqlite_url]
    bad = runner.invoke(cli, ["import", str(DATA / "bad_rows.csv"), *args])
    assert bad.exit_code == 1
    assert "bad_rows.csv line 3: created_at" in bad.output
    assert "nothing imported" in bad.output
    dry = runner.invoke(cli, ["import", str(DATA / "tickets.csv"), "--dry-run", *args])
    assert dry.exit_code == 0, dry.output
    assert "would import 4 ticket(s)" in dry.output
    done = runner.invoke(cli, ["import", str(DATA / "tickets.csv"), "--json", *args])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)[0]["imported"] == 4
    again = runner.invoke(cli, ["import", str(DATA / "tickets.csv"), *args])
    assert "imported 0 ticket(s), 4 already imported" in again.output
    out = runner.invoke(
        cli,
        ["report", "--since", "2025-03-01", "--until", "2025-03-08", "--format", "json", *args],
    )
    assert out.exit_code == 0, out.output
    metrics = {m["id"]: m["value"] for m in json.loads(out.stdout)["metrics"]}
    assert metrics["fcr"] == pytest.approx(2 / 3)
    assert metrics["csat"] == pytest.approx(11 / 3)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_imports_back(env: Env, fmt: str) -> None:
    importing.import_text(env, "csv", "tickets.csv", text("tickets.csv"))
    importing.import_text(env, "zendesk", "zendesk.json", text("zendesk_tickets.json"))
    records = list(exporting.rows(env))
    assert len(records) == 7
    by_id = {r["id"]: r for r in records}
    assert by_id["c1"]["customer_email"] == "ann@example.com"
    assert (by_id["c1"]["status"], by_id["c1"]["csat"], by_id["c3"]["replies"]) == (
        "closed",
        "5",
        "3",
    )
    written = "".join(
        exporting.to_csv(iter(records)) if fmt == "csv" else exporting.to_jsonl(iter(records))
    )
    same = importing.import_text(env, fmt, f"export.{fmt}", written)
    assert same.imported == [] and len(same.already) == 7 and not same.bad
    fresh = MemoryStore()
    other = replace(env, store=fresh, uow=fresh.uow, read=None)
    moved = importing.import_text(other, fmt, f"export.{fmt}", written)
    assert len(moved.imported) == 7 and not moved.bad, moved.bad
    assert {k: v for k, v in by_id["c3"].items() if k != "id"} == {
        k: v
        for k, v in next(r for r in exporting.rows(other) if r["id"] == "c3").items()
        if k != "id"
    }
    again = list(exporting.rows(other))
    report = bootstrap.measure(other, analytics.Scope(SINCE, UNTIL))
    assert len(again) == 7
    assert metric(report, "fcr") == pytest.approx(3 / 5)  # c1, c2, zendesk 35436 of 5


def test_cli_export(sqlite_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--database-url", sqlite_url]
    runner.invoke(cli, ["import", str(DATA / "tickets.csv"), *args])
    out = tmp_path / "t.jsonl"
    done = runner.invoke(cli, ["export", "--format", "jsonl", "-o", str(out), *args])
    assert done.exit_code == 0, done.output
    assert "4 ticket(s)" in done.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in lines) == ["c1", "c2", "c3", "c4"]
    csv_out = runner.invoke(cli, ["export", "--status", "closed", *args])
    assert csv_out.stdout.splitlines()[0].startswith("id,created_at,channel")
    assert len(csv_out.stdout.splitlines()) == 2
    bad = runner.invoke(cli, ["export", "--format", "parquet", *args])
    assert bad.exit_code == 2


def test_one_customer_with_several_tickets_in_one_file(env: Env) -> None:
    text = (
        "id,created_at,customer_email,body\n"
        "r1,2025-03-04T02:00Z,same@example.com,Where is my order #1?\n"
        "r2,2025-03-04T03:00Z,Same@Example.com,Where is my order #2?\n"
    )
    done = importing.import_text(env, "csv", "same.csv", text)
    assert done.stored and done.imported == ["r1", "r2"]
    with env.uow() as uow:
        one = uow.tickets.find_by_idempotency_key("import:csv:r1")
        two = uow.tickets.find_by_idempotency_key("import:csv:r2")
    assert one is not None and two is not None and one.customer_id == two.customer_id


def test_conversations_become_messages(env: Env) -> None:
    zd = importing.import_text(env, "zendesk", "zc.json", text("zendesk_comments.json"))
    assert zd.stored and not zd.bad
    fd = importing.import_text(env, "freshdesk", "fc.json", text("freshdesk_conversations.json"))
    assert [str(b) for b in fd.bad] == [
        "fc.json record 1 (id 300): conversations[4].created_at: 2025-03-03T02:40:00+00:00 "
        "is before created_at"
    ]
    fixed = text("freshdesk_conversations.json").replace("2025-03-03T02:40", "2025-03-04T02:50")
    fd = importing.import_text(env, "freshdesk", "fc.json", fixed)
    assert fd.stored and not fd.bad
    with env.uow() as uow:
        zt = uow.tickets.find_by_idempotency_key("import:zendesk:900")
        ft = uow.tickets.find_by_idempotency_key("import:freshdesk:300")
        assert zt is not None and ft is not None
        z_msgs = [(m.kind, m.body) for m in uow.messages.for_ticket(zt.id)]
        f_msgs = [m.kind for m in uow.messages.for_ticket(ft.id)]
    assert z_msgs == [
        ("customer", "Where is my order #12345? It has not arrived yet."),
        ("reply", "It is with the carrier; it arrives Friday."),
        ("customer", "Can it come sooner?"),
        ("reply", "Thursday, by express."),
    ]
    assert zt.first_response_at == datetime(2025, 3, 4, 2, 15, tzinfo=UTC)
    assert (zt.reply_count, zt.status) == (2, "resolved")
    assert f_msgs == ["customer", "reply", "customer", "customer"]
    assert (ft.reply_count, ft.status, ft.priority) == (1, "open", "P3")
    report = bootstrap.measure(env, analytics.Scope(SINCE, UNTIL))
    assert metric(report, "next_reply_time") is not None


def test_an_imported_history_is_qa_scored_once_batch_by_batch(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    importing.import_text(env, "csv", "tickets.csv", text("tickets.csv"))
    with env.reader() as uow:
        pending = uow.qa.unscored(100)
    assert len(pending) == 3  # c1 closed, c2 and c3 resolved; c4 is still open
    monkeypatch.setattr(qa, "SCORE_BATCH", 2)
    batches: list[int] = []
    assert qa.score_all(env, progress=batches.append) == 3
    assert batches == [2, 1]
    with env.reader() as uow:
        assert uow.qa.unscored(100) == []
        reviews = [uow.qa.get_review(ticket_id) for ticket_id in pending]
    assert all(r is not None and r.reviewed_at is None for r in reviews)
    assert qa.score_all(env) == 0  # each once


def test_cli_qa_score_after_an_import(sqlite_url: str) -> None:
    runner = CliRunner()
    args = ["--database-url", sqlite_url]
    assert runner.invoke(cli, ["import", str(DATA / "tickets.csv"), *args]).exit_code == 0
    first = runner.invoke(cli, ["qa", "score", "--quiet", *args])
    assert first.exit_code == 0, first.output
    assert "scored 3 conversation(s)" in first.output
    again = runner.invoke(cli, ["qa", "score", *args])
    assert again.exit_code == 0 and "scored 0 conversation(s)" in again.output
