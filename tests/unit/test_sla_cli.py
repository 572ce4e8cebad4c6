"""`tierdesk sla due`: due times on the policy's clocks, JSON shape, exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tierdesk import policy
from tierdesk.cli.main import app

runner = CliRunner()
FRIDAY_BEFORE_LUNAR_NEW_YEAR = "2026-02-13T17:00:00+08:00"


def run(*args: str) -> Result:
    return runner.invoke(app, ["sla", "due", *args])


def run_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.rule("R-SLA-1")
def test_business_clock_skips_lunar_new_year_and_lunch() -> None:
    out = run_json("--priority", "P3", "--created", FRIDAY_BEFORE_LUNAR_NEW_YEAR)
    # 1 h on Friday; 16-20 Feb are holidays; 3 h more on Monday 23 Feb end at 12:00.
    # Resolution 40 h: Mon-Thu 23-26 Feb give 32 h, Fri 27 Feb is a holiday, Mon 2 Mar 7 h.
    assert out == {
        "priority": "P3",
        "clock": "business",
        "first_response_due": "2026-02-23T12:00:00+08:00",
        "resolution_due": "2026-03-02T17:00:00+08:00",
    }


def test_24x7_clock_is_plain_addition_shown_in_the_clock_zone() -> None:
    out = run_json("--priority", "P1", "--created", "2026-02-14T23:50:00Z", "--preset", "cs-sop")
    assert out["first_response_due"] == "2026-02-15T08:05:00+08:00"
    assert out["resolution_due"] == "2026-02-15T11:50:00+08:00"


def test_text_output_names_the_clock_and_both_due_times() -> None:
    result = run("--priority", "P3", "--created", FRIDAY_BEFORE_LUNAR_NEW_YEAR)
    assert result.exit_code == 0, result.output
    assert "business clock (Asia/Taipei)" in result.stdout
    assert "first response due: 2026-02-23T12:00:00+08:00" in result.stdout


def test_priority_without_resolution_target_prints_null(tmp_path: Path) -> None:
    text = policy.preset_path("cs-sop").read_text(encoding="utf-8")
    assert "    resolution: 80h\n" in text
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("    resolution: 80h\n", "", 1), encoding="utf-8")
    out = run_json(
        "--priority", "P4", "--created", FRIDAY_BEFORE_LUNAR_NEW_YEAR, "--policy", str(path)
    )
    assert out["resolution_due"] is None
    assert out["first_response_due"] is not None


@pytest.mark.parametrize(
    ("created", "message"),
    [
        ("2026-02-13T17:00:00", "has no UTC offset"),
        ("2026-02-13 17:00", "has no UTC offset"),
        ("next friday", "is not an ISO 8601 date-time"),
        ("2026-02-30T17:00:00+08:00", "is not an ISO 8601 date-time"),
    ],
)
def test_bad_created_time_exits_2_naming_the_option(created: str, message: str) -> None:
    result = run("--priority", "P3", "--created", created)
    assert result.exit_code == 2
    assert "--created" in result.stderr
    assert message in result.stderr


def test_unknown_priority_exits_2_naming_the_defined_ones() -> None:
    result = run("--priority", "P9", "--created", FRIDAY_BEFORE_LUNAR_NEW_YEAR)
    assert result.exit_code == 2
    assert "'P9'" in result.stderr
    assert "P1, P2, P3, P4" in result.stderr


@pytest.mark.rule("R-SLA-4")
def test_a_line_ticket_is_due_at_its_channel_target_when_that_comes_first() -> None:
    created = "2026-02-24T10:00:00+08:00"  # a Tuesday, business hours
    line = run_json("--priority", "P3", "--created", created, "--channel", "line")
    assert line["first_response_due"] == "2026-02-24T10:05:00+08:00"
    mail = run_json("--priority", "P3", "--created", created, "--channel", "email")
    assert mail["first_response_due"] == "2026-02-24T15:00:00+08:00"  # 4 h, lunch left out
