"""What a policy change changes: `tierdesk.policy.compare` and `tierdesk policy diff` (R-DOC-3)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tierdesk.cli.main import app
from tierdesk.policy.compare import Change, Kind, compare, describe
from tierdesk.policy.loader import load_preset, load_text, preset_path
from tierdesk.policy.schema import Policy

SOURCE = preset_path("cs-sop").read_text(encoding="utf-8")
P2_FIRST_RESPONSE = "    clock: business\n    first_response: 1h\n    next_reply: 4h\n"
ORDER_PHRASE = "        - 'where is my order'\n"
FEATURE_REQUEST = re.compile(r"(?ms)^  feature_request:\n.*?(?=^  general_complaint:\n)")


def edit(text: str, old: str, new: str) -> str:
    """`text` with its one `old` replaced (fails when the preset no longer reads that way)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def policy_of(text: str) -> Policy:
    return load_text(text).policy


BASE = policy_of(SOURCE)


def test_a_changed_sla_target_is_one_change_with_its_old_and_new_value() -> None:
    faster = edit(SOURCE, P2_FIRST_RESPONSE, P2_FIRST_RESPONSE.replace("1h", "30m"))
    [change] = compare(BASE, policy_of(faster))
    assert change == Change("priorities.P2.first_response", "changed", "1h", "30m")
    assert describe(change) == "priorities.P2.first_response: 1h -> 30m"


def test_an_added_phrase_is_one_added_item_at_the_list_path() -> None:
    more = edit(SOURCE, ORDER_PHRASE, ORDER_PHRASE + "        - 'where''s my parcel'\n")
    [change] = compare(BASE, policy_of(more))
    assert change == Change(
        "categories.order_status.phrases.en", "added", None, "where's my parcel"
    )
    assert describe(change) == "categories.order_status.phrases.en: added 'where's my parcel'"
    assert (
        describe(change, "zh-TW") == "categories.order_status.phrases.en: 新增 'where's my parcel'"
    )
    [back] = compare(policy_of(more), BASE)
    assert (back.kind, back.old, back.new) == ("removed", "where's my parcel", None)


def test_a_removed_category_is_one_removal_carrying_what_it_was() -> None:
    fewer = FEATURE_REQUEST.sub("", SOURCE, count=1)
    assert "feature_request" not in fewer
    [change] = compare(BASE, policy_of(fewer))
    assert (change.path, change.kind, change.new) == ("categories.feature_request", "removed", None)
    assert change.old["priority"] == "P3" and change.old["tier"] == "L1"
    assert describe(change).startswith("categories.feature_request: removed {")


def test_comments_key_order_quoting_and_spelling_are_not_changes() -> None:
    p1 = "    first_response: 15m\n    next_reply: 1h\n    resolution: 4h\n    warn_at: 80%\n"
    text = "# reviewed by legal, 2026-02\n" + SOURCE
    reordered = "    warn_at: 0.8  # 80%\n    next_reply: 60m\n    resolution: '4h'\n"
    text = edit(text, p1, reordered + '    first_response: "15m"\n')
    text = edit(text, "agent_l1: 500, ", "agent_l1: 500.00, ")
    text = edit(text, "    holidays: {country: TW}\n", "    holidays:\n      country: TW\n")
    text = edit(
        text,
        "    resolution: 24h\n    notify: [L2]\n",
        "    resolution: 1d\n    notify:\n      - L2\n",
    )
    assert text != SOURCE
    assert compare(BASE, policy_of(text)) == []


def test_a_default_compares_as_the_value_that_applies() -> None:
    spelled_out = edit(SOURCE, "    notify: [L2]\n", "    notify: [L2]\n    warn_at: 80%\n")
    assert compare(BASE, policy_of(spelled_out)) == []
    changed = edit(SOURCE, "    notify: [L2]\n", "    notify: [L2]\n    warn_at: 50%\n")
    [change] = compare(BASE, policy_of(changed))
    assert change.path == "priorities.P2.warn_at" and change.kind == "changed"


def test_list_items_with_an_id_are_matched_by_it_not_by_position() -> None:
    text = edit(SOURCE, "      timeline: within 5m\n", "      timeline: within 10m\n")
    text = edit(
        text,
        "  - {id: greeting, text: {en: Proper greeting with company and agent name, "
        "zh-TW: 適當問候並說明公司與自身姓名}}\n",
        "",
    )
    changes = compare(BASE, policy_of(text))
    assert [(c.path, c.kind) for c in changes] == [
        ("escalation.rules[R-ESC-2].timeline", "changed"),
        ("qa_checklist[greeting]", "removed"),
    ]
    assert changes[0].old == "within 5m" and changes[0].new == "within 10m"


def test_a_list_in_another_order_is_reported_as_its_old_and_new_order() -> None:
    swapped = edit(SOURCE, "    notify: [L3, team_lead]\n", "    notify: [team_lead, L3]\n")
    [change] = compare(BASE, policy_of(swapped))
    assert change == Change(
        "priorities.P1.notify", "changed", ["L3", "team_lead"], ["team_lead", "L3"]
    )
    assert describe(change) == "priorities.P1.notify: order changed: L3, team_lead -> team_lead, L3"


def test_changes_are_ordered_by_path_and_reverse_exactly() -> None:
    simple = load_preset("simple").policy
    forward, backward = compare(BASE, simple), compare(simple, BASE)
    assert forward and [c.path for c in forward] == sorted(c.path for c in forward)
    flip: dict[str, Kind] = {"added": "removed", "removed": "added", "changed": "changed"}
    inverted = [Change(c.path, flip[c.kind], c.new, c.old) for c in forward]
    assert Counter(map(repr, inverted)) == Counter(map(repr, backward))
    for change in forward:
        assert "\n" not in describe(change)
        assert json.loads(json.dumps(asdict(change))) == asdict(change)  # JSON-able


# --- tierdesk policy diff ------------------------------------------------------------------------

runner = CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_diff_of_the_same_policy_reformatted_prints_nothing_and_exits_0(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", SOURCE)
    new = write(tmp_path, "new.yaml", "# only a comment differs\n" + SOURCE)
    result = runner.invoke(app, ["policy", "diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_diff_prints_one_line_per_change_and_exits_1(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", SOURCE)
    text = edit(SOURCE, P2_FIRST_RESPONSE, P2_FIRST_RESPONSE.replace("1h", "30m"))
    new = write(tmp_path, "new.yaml", FEATURE_REQUEST.sub("", text, count=1))
    result = runner.invoke(app, ["policy", "diff", str(old), str(new)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("categories.feature_request: removed ")
    assert lines[1] == "priorities.P2.first_response: 1h -> 30m"


def test_diff_json_is_a_list_of_path_kind_old_new(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", SOURCE)
    new = write(
        tmp_path, "new.yaml", edit(SOURCE, ORDER_PHRASE, ORDER_PHRASE + "        - 包裹呢\n")
    )
    result = runner.invoke(app, ["policy", "diff", "--json", str(old), str(new)])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "path": "categories.order_status.phrases.en",
            "kind": "added",
            "old": None,
            "new": "包裹呢",
        }
    ]
    same = runner.invoke(app, ["policy", "diff", "--json", str(old), str(old)])
    assert same.exit_code == 0 and json.loads(same.stdout) == []


def test_diff_of_a_policy_that_does_not_check_prints_its_findings_and_exits_2(
    tmp_path: Path,
) -> None:
    old = write(tmp_path, "old.yaml", SOURCE)
    broken = edit(SOURCE, P2_FIRST_RESPONSE, P2_FIRST_RESPONSE.replace("1h", "ASAP"))
    new = write(tmp_path, "new.yaml", broken)
    result = runner.invoke(app, ["policy", "diff", str(old), str(new)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert re.search(
        rf"^{re.escape(str(new))}:\d+:\d+: priorities\.P2\.first_response: ", result.stderr, re.M
    )
    missing = runner.invoke(app, ["policy", "diff", str(old), str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "cannot read policy file" in missing.stderr


@pytest.mark.parametrize("args", [[], ["one.yaml"], ["a.yaml", "b.yaml", "--nope"]])
def test_diff_with_bad_usage_exits_2(args: list[str]) -> None:
    assert runner.invoke(app, ["policy", "diff", *args]).exit_code == 2
