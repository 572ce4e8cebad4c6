"""`tierdesk simulate`: JSON shape, policies side by side, ticket files, schedules, and errors
that name the option or FILE:LINE with exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tierdesk.cli.main import app
from tierdesk.planning.schedule import ScheduleError, parse_aht, parse_schedule_yaml, parse_staff

runner = CliRunner()
STAFF = ["--staff", "L1=4,L2=2,L3=1"]
TICKETS = """created_at,text,category,priority
2026-03-02T09:00:00+08:00,Where is my order?,,
2026-03-02T09:01:00+08:00,I want a refund of NT$2000 for this broken blender,,
2026-03-02T09:02:00+08:00,The app is down for everyone,,
2026-03-02T09:03:00+08:00,Where is my order?,,
2026-03-02T09:04:00+08:00,Hello,general_inquiry,P2
"""


def run(*args: str) -> Result:
    return runner.invoke(app, ["simulate", *args])


def run_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_reports_every_metric_per_policy() -> None:
    out = run_json("--preset", "cs-sop", "--synthetic", "500", *STAFF, "--seed", "3")
    [report] = out["policies"]
    assert report["policy"] == "cs-sop"
    assert report["tickets"] == report["resolved"] + report["unresolved"] == 500
    assert [row["priority"] for row in report["sla"]] == ["P1", "P2", "P3", "P4"]
    assert {"first_response_met", "resolution_met"} <= set(report["sla"][0])
    assert {"mean_s", "p50_s", "p90_s", "p95_s"} <= set(report["wait"])
    assert [t["tier"] for t in report["tiers"]] == ["L1", "L2", "L3"]
    assert sum(t["start_share"] for t in report["tiers"]) == pytest.approx(1.0)
    assert 0 <= report["escalation_rate"] <= 1
    assert {"start", "step_seconds", "total", "by_tier", "peak"} <= set(report["backlog"])
    assert report["backlog"]["total"][-1] == report["unresolved"]


def test_two_presets_run_side_by_side_on_the_same_arrivals() -> None:
    args = ["--preset", "cs-sop", "--preset", "simple", "--synthetic", "400", *STAFF]
    out = run_json(*args)
    names = [r["policy"] for r in out["policies"]]
    assert names == ["cs-sop", "simple"]
    assert len({r["first_arrival"] for r in out["policies"]}) == 1
    text = run(*args)
    assert text.exit_code == 0, text.output
    header = next(line for line in text.stdout.splitlines() if line.startswith("Occupancy"))
    assert header.split()[1:] == ["cs-sop", "simple"]
    for title in ("SLA attainment: first response", "Tier mix", "Escalation", "Backlog"):
        assert title in text.stdout


def test_a_ticket_file_is_triaged_by_its_text(tmp_path: Path) -> None:
    path = write(tmp_path, "tickets.csv", TICKETS)
    out = run_json("--preset", "cs-sop", "--tickets", path, *STAFF)
    [report] = out["policies"]
    assert report["tickets"] == 5
    l3 = next(t for t in report["tiers"] if t["tier"] == "L3")
    assert l3["start_share"] == pytest.approx(1 / 5)  # the outage
    assert "R-ESC-3" in report["escalations"]  # NT$2000 is above L1's NT$500


def test_a_yaml_schedule_replaces_the_flat_staff(tmp_path: Path) -> None:
    shifts = "timezone: Asia/Taipei\nshifts:\n  - {days: '*', hours: '*', staff: {L1: 2, L2: 1}}\n"
    path = write(tmp_path, "shifts.yaml", shifts)
    out = run_json("--preset", "cs-sop", "--synthetic", "300", "--schedule", path, *STAFF)
    agents = {t["tier"]: t["agents"] for t in out["policies"][0]["tiers"]}
    assert agents == {"L1": 2.0, "L2": 1.0, "L3": 1.0}  # L3 from --staff: no shift names it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--staff", "L1=x,L2=1,L3=1"], "--staff: L1: 'x' is not a whole number"),
        (["--staff", "L1=1,L2=1,L3=1,L9=2"], "--staff: unknown tier(s) L9"),
        (["--staff", "L1=1,L2=1"], "--staff: no value for tier(s) L3"),
        (["--staff", "L1"], "--staff: 'L1' is not TIER=VALUE"),
        (["--staff", "L1=1,L2=1,L3=1", "--aht", "L1=6,L2=1m,L3=1m"], "--aht: L1:"),
        ([], "give --staff"),
        (["--staff", "L1=1,L2=1,L3=1", "--discipline", "lifo"], "--discipline"),
    ],
)
def test_bad_staff_and_options_exit_2_naming_the_option(args: list[str], message: str) -> None:
    result = run("--preset", "cs-sop", "--synthetic", "10", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_bad_ticket_file_names_file_and_line(tmp_path: Path) -> None:
    bad = TICKETS.replace("2026-03-02T09:03:00+08:00", "2026-03-02T09:03:00", 1)
    path = write(tmp_path, "bad.csv", bad)
    result = run("--preset", "cs-sop", "--tickets", path, *STAFF)
    assert result.exit_code == 2
    assert f"{path}:5: created_at '2026-03-02T09:03:00' has no UTC offset" in result.stderr


def test_a_category_the_policy_lacks_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", TICKETS.replace("general_inquiry", "astrology"))
    result = run("--preset", "cs-sop", "--tickets", path, *STAFF)
    assert result.exit_code == 2
    assert f"{path}:6: category 'astrology' is not in the policy" in result.stderr


def test_a_bad_schedule_row_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "days,hours,L1\nMon-Fri,9-18,4\nFunday,9,2\n")
    result = run("--preset", "cs-sop", "--synthetic", "10", "--schedule", path, *STAFF)
    assert result.exit_code == 2
    assert f"{path}:3: days 'Funday'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--synthetic", "10", "--tickets", "x.csv"], "one of --tickets FILE or --synthetic N"),
        (["--synthetic", "0"], "at least 1"),
        (["--tickets", "/no/such/file.csv"], "cannot read"),
        (["--synthetic", "10", "--arrivals", "fast"], "--arrivals:"),
    ],
)
def test_bad_ticket_sources_exit_2(args: list[str], message: str) -> None:
    result = run("--preset", "cs-sop", *STAFF, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_unknown_preset_and_missing_policy_exit_2() -> None:
    assert "unknown preset" in run("--preset", "nope", "--synthetic", "5", *STAFF).stderr
    assert "at least one --policy" in run("--synthetic", "5", *STAFF).stderr


def test_parsers_read_staff_aht_and_schedules() -> None:
    assert parse_staff("L1=8, L2=3,L3=0") == {"L1": 8, "L2": 3, "L3": 0}
    assert parse_aht("L1=6m,L2=4m30s") == {"L1": 360.0, "L2": 270.0}
    with pytest.raises(ScheduleError, match="given twice"):
        parse_staff("L1=1,L1=2")
    text = "shifts:\n  - {days: Sat-Sun, hours: 10-12, staff: {L1: 3}}\n  - {days: Mon}\n"
    with pytest.raises(ScheduleError, match=r"^s.yaml:3: a shift needs"):
        parse_schedule_yaml(text, "s.yaml")
    sched = parse_schedule_yaml(text.split("  - {days: Mon}")[0], "s.yaml")
    matrix = sched.matrix(("L1",), {"L1": 1})
    assert matrix[0, 5 * 24 + 10] == 3 and matrix[0, 6 * 24 + 11] == 3
    assert matrix[0, 5 * 24 + 12] == 1 and matrix[0, 0] == 1
