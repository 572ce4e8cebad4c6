"""Hostile policy YAML (issue 9): the role is checked before parsing, and one bounded loader
(API, CLI, files) refuses alias bombs, deep nesting and texts above the configured size with
`policy_too_complex` naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from web_desk import WebDesk, web_desk

from tierdesk import policy
from tierdesk.cli.main import app as cli
from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy.loader import load_text, preset_path


def bomb(levels: int) -> str:
    """The issue's alias bomb: `levels` lists of ten aliases over a list of ten scalars
    (10 ** (levels + 1) nodes once expanded, a few hundred bytes as text)."""
    lines = ["a: &a [x,x,x,x,x,x,x,x,x,x]"]
    for i in range(levels):
        name, prev = chr(98 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


DEEP = "a:\n  " + "[" * 500 + "]" * 500 + "\n"


def _propose(desk: WebDesk, role: str, source: str) -> tuple[int, dict[str, object]]:
    r = desk.client.post(
        "/api/policy-versions", json={"title": "t", "source": source}, headers=desk.auth(role)
    )
    return r.status_code, r.json()


def test_a_role_that_may_not_propose_is_refused_before_the_yaml_is_read(desk: WebDesk) -> None:
    status, body = _propose(desk, "qa", bomb(5))
    assert (status, body["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("source", "line", "why"),
    [(bomb(5), 5, "aliases expand"), (DEEP, 2, "nested deeper")],
    ids=["alias-bomb", "deep-nesting"],
)
def test_alias_bombs_and_deep_nesting_are_policy_too_complex_naming_the_line(
    desk: WebDesk, source: str, line: int, why: str
) -> None:
    status, body = _propose(desk, "supervisor", source)
    assert (status, body["code"]) == (422, "policy_too_complex"), body
    [finding] = body["data"]["findings"]  # type: ignore[index]
    assert finding.startswith(f"t:{line}:") and why in finding
    assert body["errors"][0]["field"] == "source"  # type: ignore[index]


def test_a_policy_above_the_configured_size_is_refused(rules: Rulebook) -> None:
    source = preset_path("simple").read_text(encoding="utf-8")
    with web_desk(rules, policy_max_bytes=len(source.encode()) - 1) as desk:
        status, body = _propose(desk, "supervisor", source)
        assert (status, body["code"]) == (422, "policy_too_complex")
        assert "more than" in body["detail"]  # type: ignore[operator]
    with web_desk(rules, policy_max_bytes=len(source.encode())) as desk:
        assert _propose(desk, "supervisor", source)[0] == 201


def test_a_few_aliases_are_fine_below_the_bound() -> None:
    with pytest.raises(policy.PolicyError) as caught:
        load_text(bomb(3), "small")  # 10,000 nodes: read, then refused by the schema
    assert not isinstance(caught.value, policy.PolicyTooComplex)


runner = CliRunner()


@pytest.mark.parametrize("source", [bomb(6), DEEP], ids=["alias-bomb", "deep-nesting"])
def test_policy_check_exits_1_naming_the_line(tmp_path: Path, source: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(source, encoding="utf-8")
    result = runner.invoke(cli, ["policy", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "too complex" in result.output


def test_cli_and_files_honour_the_size_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(preset_path("simple").read_text(encoding="utf-8"), encoding="utf-8")
    assert runner.invoke(cli, ["policy", "check", str(path)]).exit_code == 0
    monkeypatch.setenv("TIERDESK_POLICY_MAX_BYTES", "2048")
    result = runner.invoke(cli, ["policy", "check", str(path)])
    assert result.exit_code == 1 and "more than 2,048 bytes" in result.output
    with pytest.raises(policy.PolicyTooComplex):
        policy.load(path, max_bytes=2048)
