"""`team_size: auto` with `staffing:` inputs: the printed SOP shows the Erlang C team size."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tierdesk import policy, sop
from tierdesk.cli.main import app
from tierdesk.planning.erlang import evaluate
from tierdesk.planning.team_size import auto_team_sizes
from tierdesk.policy.loader import LoadedPolicy, load_text

STAFFING = (
    "team_size: auto\n"
    "    staffing: {arrivals_per_hour: 40, aht: 6m, service_level: 80%, answer_within: 60s}"
)
ROW = "| L1 (Basic) |"


def auto_l1(staffing: str = STAFFING) -> str:
    text = policy.preset_path("cs-sop").read_text(encoding="utf-8")
    return text.replace("team_size: 6", staffing, 1)


def loaded(text: str) -> LoadedPolicy:
    found = load_text(text, "auto.yaml")
    assert [f for f in policy.check(found) if f.severity == "error"] == []
    return found


def l1_size(markdown: str) -> str:
    row = next(line for line in markdown.splitlines() if line.startswith(ROW))
    return row.split("|")[3].strip()


def test_auto_team_size_is_the_fewest_agents_meeting_the_target() -> None:
    rules = policy.compile_policy(loaded(auto_l1()).policy)
    agents = auto_team_sizes(rules)["L1"]
    assert evaluate(40, 360, agents, 60).service_level >= 0.8
    assert evaluate(40, 360, agents - 1, 60).service_level < 0.8
    assert "L2" not in auto_team_sizes(rules)  # a fixed team size is kept as written


def test_shrinkage_grosses_up_the_printed_team_size() -> None:
    plain = policy.compile_policy(loaded(auto_l1()).policy)
    shrunk_text = auto_l1(STAFFING.replace("60s}", "60s, shrinkage: 50%}"))
    shrunk = policy.compile_policy(loaded(shrunk_text).policy)
    assert auto_team_sizes(shrunk)["L1"] == 2 * auto_team_sizes(plain)["L1"]


def test_sop_render_prints_the_erlang_c_size_and_its_inputs(tmp_path: Path) -> None:
    path = tmp_path / "auto.yaml"
    path.write_text(auto_l1(), encoding="utf-8")
    result = CliRunner().invoke(app, ["sop", "render", "--policy", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    agents = auto_team_sizes(policy.compile_policy(loaded(auto_l1()).policy))["L1"]
    assert l1_size(result.stdout) == f"{agents} (Erlang C: 40/h, AHT 6 min, 80% in 1 min)"


def test_without_sizes_or_inputs_the_sop_still_prints_auto() -> None:
    out = sop.render(loaded(auto_l1()), fmt="md", lang="en")
    assert isinstance(out, str)
    assert l1_size(out) == "auto (Erlang C)"
    bare = loaded(auto_l1("team_size: auto"))
    rules = policy.compile_policy(bare.policy)
    assert auto_team_sizes(rules) == {}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("service_level: 100%", "below 100%"),
        ("shrinkage: 100%", "shrinkage must be below 100%"),
        ("arrivals_per_hour: 0", "greater than 0"),
    ],
)
def test_unattainable_staffing_inputs_are_policy_errors(bad: str, message: str) -> None:
    key = bad.split(":")[0]
    inputs = {
        "arrivals_per_hour": "40",
        "aht": "6m",
        "service_level": "80%",
        "answer_within": "60s",
        key: bad.split(": ")[1],
    }
    staffing = (
        "team_size: auto\n    staffing: {" + ", ".join(f"{k}: {v}" for k, v in inputs.items()) + "}"
    )
    with pytest.raises(policy.PolicyError) as caught:
        load_text(auto_l1(staffing), "auto.yaml")
    shown = [f.format() for f in caught.value.findings]
    assert any(f"tiers.L1.staffing.{key}" in f and message in f for f in shown), shown
    assert all(f.startswith("auto.yaml:52:") for f in shown), shown
