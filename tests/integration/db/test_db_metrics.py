"""The metric definitions (tierdesk.analytics, docs/metrics.md) on SQLite and PostgreSQL, on a
small history driven through the real services and computed by hand below.

cs-sop policy: P3 runs on the Taipei business calendar (Mon-Fri 09:00-12:00, 13:00-18:00, Taiwan
holidays), first response 4 h, resolution 40 h; P1 on 24x7, first response 15 min, resolution 4 h.
Times below are Taipei local (UTC+8).

- A (holiday): P3 opened Thu 27 Feb 17:00, first reply Mon 3 Mar 10:00. Fri 28 Feb is Peace
  Memorial Day: 1 h Thursday + 0 + 1 h Monday = 7200 s. Left open.
- B (paused): P3 opened Tue 4 Mar 10:00, reply 10:30 asking for the address, pending from 10:30,
  the customer answers 14:00 (resumes), reply 14:45, resolved 15:00. First response 1800 s;
  resolution 30 min + (paused 10:30-14:00 left out) + 1 h = 5400 s; next reply 14:00-14:45
  = 2700 s. Two replies: not first-contact.
- C (reopened): P3 opened Tue 10:00, reply 11:00, resolved 11:30; the customer writes Wed 5 Mar
  10:00 (reopens), reply 10:20, resolved 11:00. First response 3600 s; resolution 1 h 30 + 1 h
  = 9000 s (resolved-until-reopened left out); next reply 1200 s. Closed, CSAT 5, NPS 10.
- D (first contact): P3 opened Tue 10:00, reply 10:10, resolved 10:20: 600 s / 1200 s; closed,
  CSAT 2, NPS 3.
- E (outage): P1 opened Tue 10:00, reply 10:30: 1800 s against 15 min, breached; still open on
  Wed 11:00, 25 h against 4 h: resolution breached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from db_desk import ORDER, StoreDesk, make_store_desk
from db_records import SQL_BACKENDS
from typer.testing import CliRunner, Result

from tierdesk import analytics, bootstrap
from tierdesk.adapters.db import Database
from tierdesk.adapters.db.tables import metadata
from tierdesk.analytics.present import as_data
from tierdesk.cli.main import app as cli
from tierdesk.policy import rulebook
from tierdesk.services import conversation, lifecycle
from tierdesk.services.customers import Contact
from tierdesk.services.tickets import open_ticket

TAIPEI = ZoneInfo("Asia/Taipei")
OUTAGE = "Your whole service is down, outage since this morning"


def taipei(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TAIPEI).astimezone(UTC)


class History:
    def __init__(self, db: Database) -> None:
        self.desk: StoreDesk = make_store_desk(db.uow, rulebook(preset="cs-sop"))
        self.desk.env = replace(self.desk.env, store=db)
        self.agent = self.desk.user["team_lead"]  # leads may work every tier
        self.ids: dict[str, str] = {}
        self.url = db.url if db.dialect == "sqlite" else ""

    def at(self, when: datetime) -> None:
        self.desk.clock.set(when)

    def open(self, name: str, when: datetime, text: str = ORDER) -> str:
        self.at(when)
        contact = Contact("email", f"{name}@example.com", name=name)
        ticket = open_ticket(self.desk.env, channel="email", text=text, contact=contact).ticket
        self.ids[name] = ticket.id
        return ticket.id

    def reply(self, name: str, when: datetime, body: str = "We will ship it by Friday.") -> None:
        self.at(when)
        conversation.reply(self.desk.env, ticket_id=self.ids[name], actor_id=self.agent, body=body)

    def customer(self, name: str, when: datetime, body: str = "Any news?") -> None:
        self.at(when)
        conversation.customer_message(self.desk.env, ticket_id=self.ids[name], body=body)

    def resolve(self, name: str, when: datetime) -> None:
        self.at(when)
        lifecycle.resolve(
            self.desk.env, ticket_id=self.ids[name], actor_id=self.agent, summary="ok"
        )

    def close_with_survey(self, name: str, csat: int, nps: int) -> None:
        env = self.desk.env
        lifecycle.close(env, ticket_id=self.ids[name], actor_id=self.agent)
        with env.uow() as uow:
            (survey,) = uow.surveys.for_ticket(self.ids[name])
        lifecycle.answer_survey(env, token=survey.token, csat=csat, nps=nps)


@pytest.fixture(scope="module", params=SQL_BACKENDS)
def history(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[History]:
    """The history above, built once per database for the module's tests (they only read)."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('metrics') / 'desk.db'}"
        bootstrap.upgrade_database(url)
    db = bootstrap.open_database(url)
    with db.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    try:
        yield _build(History(db))
    finally:
        db.dispose()


def _build(h: History) -> History:
    h.open("a", taipei(27, 17, month=2))
    h.reply("a", taipei(3, 10))
    for name in ("b", "c", "d", "e"):
        h.open(name, taipei(4, 10), OUTAGE if name == "e" else ORDER)
    h.reply("d", taipei(4, 10, 10))
    h.resolve("d", taipei(4, 10, 20))
    h.close_with_survey("d", csat=2, nps=3)
    h.reply("b", taipei(4, 10, 30), "Please send us your address.")
    h.at(taipei(4, 10, 30))
    conversation.set_pending(
        h.desk.env, ticket_id=h.ids["b"], actor_id=h.agent, reason="need the address"
    )
    h.reply("e", taipei(4, 10, 30), "Engineers are on it; next update at 11:00.")
    h.reply("c", taipei(4, 11))
    h.resolve("c", taipei(4, 11, 30))
    h.customer("b", taipei(4, 14), "Taipei, Xinyi Road 5")
    h.reply("b", taipei(4, 14, 45))
    h.resolve("b", taipei(4, 15))
    h.customer("c", taipei(5, 10), "It still has not arrived.")
    h.reply("c", taipei(5, 10, 20))
    h.resolve("c", taipei(5, 11))
    h.close_with_survey("c", csat=5, nps=10)
    return h


def report(h: History, **filters: tuple[str, ...]) -> analytics.Report:
    scope = analytics.Scope(taipei(24, 0, month=2), taipei(6, 0), **filters)
    return bootstrap.measure(h.desk.env, scope)


def value(r: analytics.Report, metric: str) -> float | None:
    return r.metric(metric).value


def test_business_durations_skip_holidays_pauses_and_the_time_a_ticket_was_resolved(
    history: History,
) -> None:
    r = report(history)
    assert value(r, "first_response_time") == pytest.approx((7200 + 1800 + 3600 + 600 + 1800) / 5)
    assert value(r, "resolution_time") == pytest.approx((5400 + 9000 + 1200) / 3)
    assert value(r, "next_reply_time") == pytest.approx((2700 + 1200) / 2)


def test_holiday_ticket_alone_is_two_business_hours_to_first_response(history: History) -> None:
    r = report(history, channel=("email",), category=("order_status",))
    a_only = analytics.Scope(taipei(27, 0, month=2), taipei(28, 0, month=2))
    alone = bootstrap.measure(history.desk.env, a_only)
    assert value(alone, "first_response_time") == pytest.approx(7200)
    assert value(r, "volume") == 4  # the outage is another category


def test_rates_and_survey_scores(history: History) -> None:
    r = report(history)
    assert value(r, "volume") == 5
    assert value(r, "fcr") == pytest.approx(1 / 3)  # D of B, C, D
    assert value(r, "reopen_rate") == pytest.approx(1 / 3)  # C
    assert value(r, "csat") == pytest.approx(3.5)
    assert value(r, "csat_satisfied") == pytest.approx(0.5)
    assert value(r, "nps") == pytest.approx(0.0)  # one promoter, one detractor
    assert value(r, "backlog") == 2  # A and E


def test_targets_flag_action_and_trend_compares_the_previous_period(history: History) -> None:
    r = report(history)
    fcr = r.metric("fcr")
    assert (fcr.target, fcr.on_target, fcr.action_required) == ("> 70%", False, True)
    nps = r.metric("nps")
    assert nps.action_required is True and nps.previous is None and nps.trend is None
    volume = r.metric("volume")
    assert (volume.previous, volume.change) == (0, 5)
    assert "fcr" in r.action_required


def test_sla_attainment_per_priority_and_clock(history: History) -> None:
    rows = {(s.priority, s.clock): (s.met, s.breached) for s in report(history).sla}
    assert rows[("P3", "first_response")] == (4, 0)
    assert rows[("P3", "resolution")] == (3, 0)  # A is still within 40 business hours
    assert rows[("P3", "next_reply")] == (2, 0)
    assert rows[("P1", "first_response")] == (0, 1)
    assert rows[("P1", "resolution")] == (0, 1)  # owed, 25 h on the 24x7 clock


@pytest.mark.rule("R-TIER-3")
def test_tier_mix_is_reported_against_its_expected_band(history: History) -> None:
    mix = {t.tier: t for t in report(history).tier_mix}
    assert mix["L1"].tickets == 4 and mix["L1"].share == pytest.approx(0.8)
    assert mix["L1"].expected == (0.7, 0.8) and not mix["L1"].action_required
    assert mix["L3"].share == pytest.approx(0.2) and mix["L3"].action_required
    assert mix["L2"].share == 0 and mix["L2"].action_required  # below 15%


def test_filters_narrow_every_metric(history: History) -> None:
    r = report(history, tier=("L3",))
    assert value(r, "volume") == 1
    assert value(r, "first_response_time") == pytest.approx(1800)
    assert value(r, "fcr") is None  # nothing resolved: no value, no action
    assert r.metric("fcr").action_required is False
    # L3 is all of a report narrowed to L3: the mix is the filter's, not the team's to act on
    mix = {t.tier: t for t in r.tier_mix}
    assert mix["L3"].share == 1 and not any(t.action_required for t in r.tier_mix)
    assert "tier_mix:L3" in report(history).action_required


def test_top_reasons_have_volume_share_resolving_tier_and_template(history: History) -> None:
    (first, second) = report(history).top_reasons
    assert (first.category, first.tickets, first.share) == ("order_status", 4, 0.8)
    assert first.resolving_tier == "L1" and first.template is True
    assert (second.tickets, second.resolving_tier) == (1, "L3")


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(analytics.ScopeError, match="must be after"):
        analytics.Scope(taipei(6, 0), taipei(1, 0))


def _cli(h: History, *args: str) -> Result:
    if not h.url:
        pytest.skip("the CLI is exercised on the SQLite file")
    period = ["--since", "2025-02-24", "--until", "2025-03-06", "--database-url", h.url]
    return CliRunner().invoke(cli, ["report", *period, *args])


@pytest.mark.slow
def test_report_json_has_each_metric_with_target_trend_and_action(history: History) -> None:
    r = _cli(history, "--format", "json")
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    fcr = next(m for m in body["metrics"] if m["id"] == "fcr")
    assert fcr["value"] == pytest.approx(1 / 3) and fcr["action_required"] is True
    assert "fcr" in body["action_required"] and "tier_mix:L3" in body["action_required"]


@pytest.mark.slow
def test_report_markdown_and_html_with_svg_charts_and_nothing_fetched(history: History) -> None:
    md = _cli(history, "--tier", "L1")
    assert md.exit_code == 0, md.output
    assert "| First contact resolution | > 70% | 33.3% |" in md.stdout
    assert "Filters: tier: L1." in md.stdout
    html = _cli(history, "--format", "html")
    assert html.exit_code == 0, html.output
    page = html.stdout
    assert page.count("<svg") >= 4  # trend lines, tier mix, SLA attainment, top reasons
    assert "Tier mix against the expected band" in page and "<circle" in page
    assert not re.search(r"(src|href)=\"https?:", page)


@pytest.mark.slow
def test_report_pdf_goes_through_the_sop_pdf_path(history: History, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    r = _cli(history, "--format", "pdf", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF")


def test_report_refuses_a_bad_date_and_an_unknown_format(history: History) -> None:
    bad = _cli(history, "--since", "yesterday")
    assert bad.exit_code == 2 and "--since" in bad.output
    assert _cli(history, "--format", "xls").exit_code == 2


@pytest.mark.slow
def test_sop_render_with_data_fills_reasons_and_metric_columns(history: History) -> None:
    if not history.url:
        pytest.skip("the CLI is exercised on the SQLite file")
    args = ["sop", "render", "--with-data", "--database-url", history.url]
    r = CliRunner().invoke(cli, [*args, "--since", "2025-02-24", "--until", "2025-03-06"])
    assert r.exit_code == 0, r.output
    assert "| First Contact Resolution | > 70% | 33.3% | — | Yes |" in r.stdout
    assert "| 1 | Order status / order error | 80% | L1 | Y |" in r.stdout


def _agree(store: object, export: object, path: str = "report") -> None:
    """Equal, except floats within a millionth (SQLite reads times to the millisecond)."""
    if isinstance(store, dict) and isinstance(export, dict):
        assert store.keys() == export.keys(), path
        for key in store:
            _agree(store[key], export[key], f"{path}.{key}")
    elif isinstance(store, list) and isinstance(export, list):
        assert len(store) == len(export), path
        for i, (a, b) in enumerate(zip(store, export, strict=True)):
            _agree(a, b, f"{path}[{i}]")
    elif isinstance(store, float) and isinstance(export, float):
        assert export == pytest.approx(store, rel=1e-6, abs=1e-6), path
    else:
        assert store == export, path


@pytest.fixture(scope="module")
def exported(history: History, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("parquet")
    history.at(taipei(6, 0))
    counts = bootstrap.export_parquet(history.desk.env, directory)
    assert counts["tickets"] == 5 and counts["ticket_events"] > 20
    return directory


@pytest.mark.parametrize(
    "filters",
    [{}, {"tier": ("L1",)}, {"channel": ("email",), "category": ("order_status",)}],
    ids=["all", "tier", "channel+category"],
)
def test_the_parquet_export_measured_by_duckdb_agrees_with_the_store(
    history: History, exported: Path, filters: dict[str, tuple[str, ...]]
) -> None:
    scope = analytics.Scope(taipei(24, 0, month=2), taipei(6, 0), **filters)
    history.at(bootstrap.exported_at(exported))  # both as of the export
    store = bootstrap.measure(history.desk.env, scope, trend_buckets=3)
    export = bootstrap.measure_export(exported, history.desk.env.rules, scope, trend_buckets=3)
    _agree(as_data(store), as_data(export))
    if not filters:  # and the hand-computed figures hold on the export
        assert value(export, "first_response_time") == pytest.approx(
            (7200 + 1800 + 3600 + 600 + 1800) / 5
        )
        assert value(export, "resolution_time") == pytest.approx((5400 + 9000 + 1200) / 3)


def test_report_from_parquet_prints_what_the_store_report_prints(
    history: History, exported: Path, tmp_path: Path
) -> None:
    if not history.url:
        pytest.skip("the CLI is exercised on the SQLite file")
    written = CliRunner().invoke(
        cli, ["export", "--format", "parquet", "-o", str(tmp_path), "--database-url", history.url]
    )
    assert written.exit_code == 0, written.output
    assert "tickets 5" in written.stderr
    period = ["report", "--since", "2025-02-24", "--until", "2025-03-06", "--format", "json"]
    from_export = CliRunner().invoke(cli, [*period, "--from-parquet", str(tmp_path)])
    assert from_export.exit_code == 0, from_export.output
    body = json.loads(from_export.stdout)
    fcr = next(m for m in body["metrics"] if m["id"] == "fcr")
    assert fcr["value"] == pytest.approx(1 / 3) and fcr["action_required"] is True


def test_a_directory_without_an_export_is_refused_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "tickets.parquet").write_bytes(b"PAR1")
    r = CliRunner().invoke(cli, ["report", "--from-parquet", str(tmp_path)])
    assert r.exit_code != 0 and "not a tierdesk Parquet export" in r.output
    assert "tierdesk-export.json" in r.output
    bad = CliRunner().invoke(cli, ["export", "--format", "parquet"])
    assert bad.exit_code == 2 and "-o DIR" in bad.output
