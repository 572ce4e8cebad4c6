"""The policy checker: each rule has a bad policy that triggers it; the preset triggers none."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tierdesk import policy
from tierdesk.cli.main import app
from tierdesk.policy.compile import compile_policy
from tierdesk.policy.loader import Finding, load_text

GOOD = policy.preset_path("cs-sop").read_text(encoding="utf-8")


def findings_for(text: str) -> list[Finding]:
    try:
        loaded = load_text(text, "p.yaml")
    except policy.PolicyError as exc:
        return exc.findings
    return policy.check(loaded)


def replaced(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, f"fixture drifted: {old!r} not in the preset"
    return text.replace(old, new, 1)


def only(findings: list[Finding], severity: str) -> list[Finding]:
    return [f for f in findings if f.severity == severity]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_the_cs_sop_preset_checks_clean() -> None:
    assert findings_for(GOOD) == []


@pytest.mark.rule("R-SLA-1")
@pytest.mark.parametrize("bad", ["respond quickly", "ASAP", "soon", "15", "0m"])
def test_an_sla_that_is_not_a_measurable_duration_is_an_error(bad: str) -> None:
    text = replaced("first_response: 4h", f"first_response: {bad}")
    errors = only(findings_for(text), "error")
    assert len(errors) == 1
    err = errors[0]
    assert err.path == "priorities.P3.first_response"
    assert err.line == line_of(text, f"first_response: {bad}\n")
    assert any(w in err.message for w in ("not a measurable duration", "no unit", "zero"))


@pytest.mark.rule("R-SLA-1")
def test_an_sla_on_an_unknown_clock_is_an_error() -> None:
    errors = only(findings_for(replaced("clock: business", "clock: office")), "error")
    assert [(e.path, "office" in e.message) for e in errors] == [("priorities.P2.clock", True)]


def test_a_priority_referenced_but_not_defined_is_an_error() -> None:
    text = replaced("    priority: P4\n    tier: L1", "    priority: P7\n    tier: L1")
    errors = only(findings_for(text), "error")
    assert len(errors) == 1
    assert errors[0].path == "categories.feedback.priority"
    assert "P7" in errors[0].message


def test_a_tier_referenced_but_not_defined_is_an_error() -> None:
    text = replaced("target: [L3, legal, pr]", "target: [L4, legal, pr]")
    text = replaced(
        "{type: time_in_tier, tier: L1, over: 15m}",
        "{type: time_in_tier, tier: L5, over: 15m}",
        text,
    )
    errors = only(findings_for(text), "error")
    assert {e.path for e in errors} == {
        "escalation.rules.3.target.0",
        "escalation.rules.0.trigger.tier",
    }


def test_a_priority_without_targets_is_an_error() -> None:
    text = replaced("    first_response: 24h\n", "")
    errors = only(findings_for(text), "error")
    assert [(e.path, e.message) for e in errors] == [
        ("priorities.P4.first_response", "required key is missing")
    ]


@pytest.mark.rule("R-AUTH-1")
def test_authority_limits_that_fall_up_the_ladder_are_an_error() -> None:
    text = replaced("agent_l2: 3000", "agent_l2: 300")
    errors = only(findings_for(text), "error")
    assert len(errors) == 1
    assert errors[0].path == "authority.actions.refund.limits.agent_l2"
    assert "not monotone" in errors[0].message


MATRIX = """
  matrix:
    - id: billing_dispute
      label: Billing dispute
      currency: USD
      bands:
        - {max: 100, role: agent_l1}
        - {min: 100, max: 600, role: team_lead}
        - {min: 500, max: 1000, role: supervisor}
        - {min: 1000, role: manager}
"""


@pytest.mark.rule("R-ESC-6")
def test_overlapping_amount_bands_are_an_error() -> None:
    text = replaced("  rules:\n", MATRIX.lstrip("\n") + "  rules:\n")
    errors = only(findings_for(text), "error")
    assert [e.path for e in errors] == ["escalation.matrix.0.bands.2"]
    assert "overlaps" in errors[0].message
    assert errors[0].line == line_of(text, "{min: 500")


@pytest.mark.rule("R-ESC-6")
def test_a_gap_between_amount_bands_is_an_error() -> None:
    gap = MATRIX.replace("max: 600", "max: 400")
    text = replaced("  rules:\n", gap.lstrip("\n") + "  rules:\n")
    errors = only(findings_for(text), "error")
    assert len(errors) == 1
    assert "no role owns amounts 400 to 500" in errors[0].message


@pytest.mark.rule("R-TPL-1")
def test_an_unknown_placeholder_in_a_template_is_an_error() -> None:
    text = replaced("Hi {name}, how did we do", "Hi {customer_nam}, how did we do")
    errors = only(findings_for(text), "error")
    assert [e.path for e in errors] == ["templates.csat_survey.body.en"]
    assert "{customer_nam}" in errors[0].message


def test_an_unknown_key_is_an_error_not_silently_ignored() -> None:
    errors = only(findings_for(replaced("    warn_at: 80%", "    warn_after: 80%")), "error")
    assert [(e.path, "unknown key" in e.message) for e in errors] == [
        ("priorities.P1.warn_after", True)
    ]


def test_an_unknown_signal_name_is_an_error() -> None:
    text = replaced("any_of: [supervisor_request]", "any_of: [angry_customer]")
    errors = only(findings_for(text), "error")
    assert len(errors) == 1
    assert errors[0].path.startswith("escalation.rules.1.trigger.any_of")


@pytest.mark.rule("R-TIER-2")
def test_routing_on_customer_attributes_is_warned() -> None:
    rule = "routing:\n  - id: vip_fast_lane\n    when: {customer.vip: true}\n    tier: L3\n\n"
    text = replaced("# [R-ESC-1..5]", rule + "# [R-ESC-1..5]")
    findings = findings_for(text)
    assert only(findings, "error") == []
    warnings = only(findings, "warning")
    assert [w.path for w in warnings] == ["routing.0.when.customer.vip"]
    assert "R-TIER-2" in warnings[0].message


@pytest.mark.rule("R-TIER-2")
def test_a_matrix_level_on_vip_status_is_warned() -> None:
    matrix = (
        "  matrix:\n    - id: service_complaint\n      label: Service complaint\n"
        "      levels:\n        - {id: first_contact, label: First contact, role: agent_l1}\n"
        "        - {id: vip, label: VIP customer, role: manager}\n"
    )
    warnings = only(findings_for(replaced("  rules:\n", matrix + "  rules:\n")), "warning")
    assert [w.path for w in warnings] == ["escalation.matrix.0.levels.1"]


@pytest.mark.rule("R-AUTH-1")
def test_l1_without_refund_authority_is_warned() -> None:
    text = replaced("limits: {agent_l1: 500, ", "limits: {")
    findings = findings_for(text)
    assert only(findings, "error") == []
    assert ["R-AUTH-1" in w.message for w in only(findings, "warning")] == [True]


@pytest.mark.rule("R-ESC-7")
def test_escalation_rules_without_a_customer_notice_are_warned() -> None:
    text = replaced("  customer_notice: escalation_notice", "  # no notice")
    findings = findings_for(text)
    assert [(f.severity, f.path) for f in findings] == [("warning", "escalation")]
    assert "R-ESC-7" in findings[0].message


@pytest.mark.rule("R-QA-1")
def test_no_qa_checklist_is_warned() -> None:
    start = GOOD.index("qa_checklist:")
    end = GOOD.index("# [R-MET-1]")
    findings = findings_for(GOOD[:start] + GOOD[end:])
    assert [(f.severity, f.path) for f in findings] == [("warning", "qa_checklist")]


@pytest.mark.rule("R-MET-1")
def test_missing_metric_targets_are_warned() -> None:
    text = replaced('  - {id: fcr, target: "> 70%"}\n', "")
    text = replaced('  - {id: escalation_rate, target: "< 20%"}\n', "", text)
    warnings = only(findings_for(text), "warning")
    assert sorted(w.message for w in warnings) == [
        "no target for metric escalation_rate (R-MET-1)",
        "no target for metric fcr (R-MET-1)",
    ]


def test_an_unmeasurable_metric_target_is_an_error() -> None:
    text = replaced('target: "> 4.2/5"', 'target: "great"')
    errors = only(findings_for(text), "error")
    assert [e.path for e in errors] == ["metrics.1.target"]


def test_an_unknown_time_zone_is_an_error() -> None:
    errors = only(findings_for(replaced("timezone: Asia/Taipei", "timezone: Asia/Taipai")), "error")
    assert [e.path for e in errors] == ["calendars.business.timezone"]
    assert "Asia/Taipai" in errors[0].message


def test_overlapping_opening_hours_are_an_error() -> None:
    text = replaced('mon: ["09:00-12:00", "13:00-18:00"]', 'mon: ["09:00-14:00", "13:00-18:00"]')
    errors = only(findings_for(text), "error")
    assert [e.path for e in errors] == ["calendars.business.hours"]


# --- the command line --------------------------------------------------------------------------

runner = CliRunner()


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "policy.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_check_cli_prints_file_line_col_path_message_and_exits_1(tmp_path: Path) -> None:
    p = write(tmp_path, replaced("first_response: 1h", "first_response: ASAP"))
    result = runner.invoke(app, ["policy", "check", str(p)])
    assert result.exit_code == 1
    line = line_of(p.read_text(encoding="utf-8"), "first_response: ASAP")
    assert re.search(
        rf"^{re.escape(str(p))}:{line}:\d+: priorities\.P2\.first_response: .*ASAP",
        result.output,
        re.M,
    )


def test_check_cli_on_malformed_yaml_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    p = write(tmp_path, "tierdesk: 1\ntiers: [L1,\n  oops: {")
    result = runner.invoke(app, ["policy", "check", str(p)])
    assert result.exit_code == 1
    assert "malformed YAML" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_check_cli_on_a_missing_file_exits_1_with_a_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["policy", "check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "cannot read policy file" in result.output


def test_warnings_exit_0_unless_strict(tmp_path: Path) -> None:
    p = write(tmp_path, replaced("limits: {agent_l1: 500, ", "limits: {"))
    assert runner.invoke(app, ["policy", "check", str(p)]).exit_code == 0
    assert runner.invoke(app, ["policy", "check", "--strict", str(p)]).exit_code == 1


def test_init_writes_a_policy_that_checks_clean_with_the_business_name(tmp_path: Path) -> None:
    target = tmp_path / "sop.yaml"
    result = runner.invoke(app, ["init", "--business", 'Acme "Taiwan"', str(target)])
    assert result.exit_code == 0, result.output
    loaded = policy.load(target)
    assert loaded.policy.business == 'Acme "Taiwan"'
    assert policy.check(loaded) == []
    assert "# tierdesk policy" in target.read_text(encoding="utf-8")  # comments kept
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 2  # never overwrites without --force


VIP_RULE = "routing:\n  - id: vip_fast_lane\n    when: {customer.vip: true}\n    tier: L3\n\n"


@pytest.mark.rule("R-TIER-2")
def test_policy_check_json_prints_one_object_per_finding(tmp_path: Path) -> None:
    path = tmp_path / "vip.yaml"
    text = replaced("# [R-ESC-1..5]", VIP_RULE + "# [R-ESC-1..5]")
    path.write_text(text)
    result = CliRunner().invoke(app, ["policy", "check", "--json", str(path)])
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.stdout)
    assert set(warning) == {"file", "line", "column", "path", "severity", "message"}
    assert warning["path"] == "routing.0.when.customer.vip" and warning["file"] == str(path)
    assert warning["severity"] == "warning" and "R-TIER-2" in warning["message"]
    assert warning["line"] == line_of(text, "{customer.vip: true}")
    strict = CliRunner().invoke(app, ["policy", "check", "--json", "--strict", str(path)])
    assert strict.exit_code == 1


def test_policy_check_json_of_a_file_that_does_not_load(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text(replaced("first_response: 15m", "first_response: ASAP"))
    result = CliRunner().invoke(app, ["policy", "check", "--json", str(path)])
    assert result.exit_code == 1
    [error] = json.loads(result.stdout)
    assert error["severity"] == "error" and "ASAP" in error["message"]
    assert error["line"] == line_of(GOOD, "first_response: 15m")
    clean = tmp_path / "clean.yaml"
    clean.write_text(GOOD)
    ok = CliRunner().invoke(app, ["policy", "check", "--json", str(clean)])
    assert (ok.exit_code, json.loads(ok.stdout)) == (0, [])


def test_survey_expiry_is_a_policy_field_the_checker_reads() -> None:
    loaded = load_text(GOOD + "surveys:\n  expires_after: 3d\n", "p.yaml")
    assert compile_policy(loaded.policy).survey.expires_after.days == 3
    short = findings_for(GOOD + "surveys:\n  expires_after: 2h\n")
    assert [f.path for f in only(short, "warning")] == ["surveys.expires_after"]
    zero = findings_for(GOOD + "surveys:\n  expires_after: 0m\n")
    assert any(f.path == "surveys.expires_after" for f in only(zero, "error"))


def test_a_policy_without_a_survey_template_is_warned() -> None:
    text = re.sub(r"\n    use: survey\n", "\n    use: reply\n", GOOD)
    assert any("use: survey" in f.message for f in only(findings_for(text), "warning"))


@pytest.mark.rule("R-SLA-4")
def test_a_channel_target_on_an_unknown_clock_or_channel_is_an_error() -> None:
    block = "channels:\n  line:\n    clock: business\n    first_response: 5m\n"
    assert block in GOOD, "fixture drifted: the preset's LINE target"
    errors = only(findings_for(replaced(block, block.replace("business", "office"))), "error")
    assert [(e.path, "office" in e.message) for e in errors] == [("channels.line.clock", True)]
    errors = only(findings_for(replaced(block, block.replace("line:", "telegram:"))), "error")
    assert len(errors) == 1 and errors[0].path.startswith("channels")
    vague = only(findings_for(replaced(block, block.replace("5m", "quickly"))), "error")
    assert [e.path for e in vague] == ["channels.line.first_response"]
