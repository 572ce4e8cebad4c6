"""`tierdesk sop render`: formats, languages, output, and exit codes (0 ok, 1 finding, 2 usage)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tierdesk import policy
from tierdesk.cli.main import app

runner = CliRunner()


def test_render_prints_markdown_for_a_preset_and_business() -> None:
    result = runner.invoke(
        app, ["sop", "render", "--preset", "cs-sop", "--business", "Acme Taiwan", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Customer Service SOP: Acme Taiwan\n")


def test_render_reads_a_policy_file(tmp_path: Path) -> None:
    text = policy.preset_path("simple").read_text(encoding="utf-8")
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("business: Example Co.", "business: Tiny Shop", 1), "utf-8")
    result = runner.invoke(app, ["sop", "render", "--policy", str(path)])
    assert result.exit_code == 0, result.output
    assert "Tiny Shop" in result.stdout.splitlines()[0]


def test_render_writes_html_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "sop.html"
    result = runner.invoke(app, ["sop", "render", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "unknown format"),
        (["--lang", "fr"], "unknown language"),
        (["--preset", "nope"], "unknown preset"),
        (["--preset", "cs-sop", "--policy", "x.yaml"], "not both"),
    ],
)
def test_bad_usage_exits_2_with_a_message(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["sop", "render", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_invalid_policy_exits_1_with_its_findings(tmp_path: Path) -> None:
    text = policy.preset_path("cs-sop").read_text(encoding="utf-8")
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("first_response: 4h", "first_response: soon", 1), "utf-8")
    result = runner.invoke(app, ["sop", "render", "--policy", str(path)])
    assert result.exit_code == 1
    assert "priorities.P3.first_response" in result.stderr


@pytest.mark.slow
def test_pdf_goes_to_stdout_when_it_is_not_a_terminal() -> None:
    result = runner.invoke(app, ["sop", "render", "--format", "pdf", "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_the_default_render_is_the_english_cs_sop_format() -> None:
    result = CliRunner().invoke(app, ["sop", "render", "--business", "Acme Taiwan"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Customer Service SOP: Acme Taiwan\n")
    headings = [line for line in result.output.splitlines() if line.startswith("## ")]
    assert headings[:5] == [
        "## Support Tiers",
        "## SLA Targets",
        "## Top 10 Contact Reasons",
        "## Escalation Flowchart",
        "## Quality Metrics",
    ]
