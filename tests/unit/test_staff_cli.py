"""`tierdesk staff`: JSON and table output, history CSVs, exit 2 naming the option on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tierdesk.cli.main import app

runner = CliRunner()
BASE = ["staff", "--aht", "5m", "--target", "80% in 60s"]
HISTORY = """created_at,tier,id
2024-03-04T09:10:00+08:00,L1,1
2024-03-04T09:20:00+08:00,L1,2
2024-03-04T09:40:00+08:00,L2,3
2024-03-11T09:05:00+08:00,L1,4
2024-03-11T10:05:00Z,,5
"""


def run(*args: str) -> Result:
    return runner.invoke(app, [*BASE, *args])


def run_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def history_file(tmp_path: Path, text: str = HISTORY) -> str:
    path = tmp_path / "tickets.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_has_the_staffing_and_the_inputs_it_came_from() -> None:
    out = run_json("--arrivals", "120/h", "--max-occupancy", "85%", "--shrinkage", "30%")
    assert {"agents", "scheduled", "service_level", "asa_seconds", "occupancy", "p_wait"} <= set(
        out
    )
    assert (out["agents"], out["scheduled"]) == (13, 19)  # 10 Erlangs, 80/60, then / 0.7
    assert out["service_level"] == pytest.approx(0.8434, abs=1e-4)
    assert out["asa_seconds"] == pytest.approx(28.53, abs=0.01)
    assert out["occupancy"] == pytest.approx(10 / 13)
    assert out["p_wait"] == pytest.approx(0.2853, abs=1e-4)
    assert out["inputs"] == {
        "arrivals_per_hour": 120.0,
        "aht_seconds": 300.0,
        "target": {"level": 0.8, "threshold_seconds": 60.0},
        "max_occupancy": 0.85,
        "shrinkage": 0.3,
        "patience_seconds": None,
        "model": "erlang_c",
    }


def test_patience_switches_to_erlang_a_and_reports_abandonment() -> None:
    out = run_json("--arrivals", "2/min", "--patience", "2m")
    assert out["inputs"]["model"] == "erlang_a" and out["inputs"]["patience_seconds"] == 120.0
    assert 0 < out["p_abandon"] < 0.2
    assert out["agents"] < run_json("--arrivals", "2/min")["agents"]


def test_the_human_table_shows_each_figure() -> None:
    result = run("--arrivals", "120/h", "--shrinkage", "30%")
    assert result.exit_code == 0
    for line in ("agents needed        13", "scheduled            19", "ASA", "P(wait)"):
        assert line in result.stdout
    assert "occupancy            76.9%" in result.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--arrivals", "lots"], "--arrivals"),
        (["--arrivals", "120/h", "--aht", "5"], "--aht"),
        (["--arrivals", "120/h", "--target", "80%"], "--target"),
        (["--arrivals", "120/h", "--target", "100% in 60s"], "--target"),
        (["--arrivals", "120/h", "--max-occupancy", "85"], "--max-occupancy"),
        (["--arrivals", "120/h", "--max-occupancy", "0%"], "--max-occupancy"),
        (["--arrivals", "120/h", "--shrinkage", "100%"], "--shrinkage"),
        (["--arrivals", "120/h", "--patience", "never"], "--patience"),
        ([], "--arrivals or --from-history"),
    ],
)
def test_bad_input_exits_2_naming_the_option(args: list[str], option: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert option in result.stderr
    assert result.stdout == ""


def test_arrivals_and_history_together_are_refused(tmp_path: Path) -> None:
    result = run("--arrivals", "120/h", "--from-history", history_file(tmp_path))
    assert result.exit_code == 2 and "--arrivals or --from-history" in result.stderr


def test_history_json_has_a_row_per_tier_and_hour_of_week(tmp_path: Path) -> None:
    rows = run_json("--from-history", history_file(tmp_path), "--tz", "Asia/Taipei")
    assert len(rows) == 3 * 168
    assert [r["tier"] for r in rows[::168]] == ["L1", "L2", "all"]
    monday_9 = rows[9]
    assert (monday_9["tier"], monday_9["label"]) == ("L1", "Mon 09:00")
    assert monday_9["arrivals_per_hour"] == pytest.approx(1.5)  # 3 tickets over 2 Mondays
    assert monday_9["agents"] >= 1 and monday_9["service_level"] >= 0.8
    untier = rows[2 * 168 + 18]  # 10:05Z is Monday 18:05 in Taipei; the period has two of those
    assert untier["arrivals_per_hour"] == pytest.approx(0.5)
    assert all(r["agents"] == 0 for r in rows if r["arrivals_per_hour"] == 0)


def test_history_table_lists_the_busy_hours(tmp_path: Path) -> None:
    result = run("--from-history", history_file(tmp_path))
    assert result.exit_code == 0
    assert "5 tickets" in result.stdout
    assert "L1     Mon 09:00        1.50" in result.stdout
    assert "--json lists them all" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,tier\n2024-03-04T09:10:00+08:00,L1\n", "created_at column"),
        (
            "created_at,tier\n2024-03-04T09:10:00,L1\n",
            ":2: created_at '2024-03-04T09:10:00' has no",
        ),
        ("created_at,tier\n2024-03-04T09:10:00Z,L1\nyesterday,L1\n", ":3: created_at 'yesterday'"),
        ("created_at,tier\n", "no tickets"),
    ],
)
def test_bad_history_exits_2_with_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    result = run("--from-history", history_file(tmp_path, text))
    assert result.exit_code == 2
    assert "--from-history" in result.stderr and message in result.stderr


def test_missing_history_file_and_unknown_zone_exit_2(tmp_path: Path) -> None:
    missing = run("--from-history", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    zone = run("--from-history", history_file(tmp_path), "--tz", "Mars/Olympus")
    assert zone.exit_code == 2 and "--tz" in zone.stderr
