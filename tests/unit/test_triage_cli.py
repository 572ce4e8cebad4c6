"""`tierdesk triage --json/--jsonl` and `tierdesk triage train`, through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tierdesk.cli.main import app

runner = CliRunner()
KEYS = {"category", "priority", "tier", "signals", "refund", "escalate_to", "confidence", "reasons"}


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["triage", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_json_prints_one_object_with_the_interface_keys() -> None:
    code, out, _ = run("--json", "叫你們主管出來，我要退款NT$1,200")
    assert code == 0
    obj = json.loads(out)
    assert set(obj) >= KEYS
    assert obj["signals"] == ["supervisor_request", "refund_request"]
    assert obj["refund"] == {"amount": 1200.0, "currency": "TWD"}
    assert obj["escalate_to"] == ["L2", "team_lead"]
    assert out.count("\n") == 1


@pytest.mark.rule("R-ESC-5")
def test_contacts_option_raises_repeat_contact() -> None:
    code, out, _ = run("--json", "Where is my order?", "--contacts", "3")
    assert code == 0
    assert "repeat_contact" in json.loads(out)["signals"]


def test_jsonl_answers_every_line_in_order_with_its_id(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "text": "I was charged twice"},
        {"id": 7, "text": "see you in court", "customer": {"vip": True}},
        {"id": "c", "text": "我的訂單到哪裡了？", "contact_count": 3},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8")
    code, out, _ = run("--jsonl", str(src))
    assert code == 0
    objs = [json.loads(x) for x in out.splitlines()]
    assert [o["id"] for o in objs] == ["a", 7, "c"]
    assert objs[0]["category"] == "billing_payment"
    assert objs[1]["tier"] == "L3"
    assert "repeat_contact" in objs[2]["signals"]


def test_jsonl_bad_lines_become_errors_and_the_run_goes_on() -> None:
    stdin = "\n".join(
        [
            "not json",
            "[1, 2]",
            json.dumps({"id": "no-text"}),
            json.dumps({"id": "ok", "text": "Where is my order?"}),
            "",
            json.dumps({"id": "n", "text": 5}),
        ]
    )
    code, out, _ = run("--jsonl", "-", stdin=stdin)
    assert code == 0
    objs: list[dict[str, Any]] = [json.loads(x) for x in out.splitlines()]
    assert [o["id"] for o in objs] == [None, None, "no-text", "ok", "n"]
    assert objs[0]["error"].startswith("line 1: ")
    assert objs[1]["error"] == "line 2: expected a JSON object, got list"
    assert objs[2]["error"] == "line 3: 'text' is missing or not a string"
    assert objs[3]["category"] == "order_status"
    assert objs[4]["error"].startswith("line 6: ")


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--json", "hi", "--jsonl", "-"),
        ("--jsonl", "/no/such/file.jsonl"),
        ("--json", "hi", "--contacts", "0"),
        ("--json", "hi", "--intent-map", "map.csv"),
        ("--json", "hi", "--model", "/no/such/model"),
        ("--json", "hi", "--preset", "nope"),
    ],
)
def test_bad_usage_exits_2_with_a_message(args: tuple[str, ...]) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert err.strip()


def test_train_then_triage_with_the_model(tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    rows = ["text,category"]
    rows += [f"my card {w} has not arrived,card_arrival" for w in ("still", "yet", "really")]
    rows += [f"someone {w} my card,compromised_card" for w in ("stole", "copied", "cloned")]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    intents = tmp_path / "map.csv"
    intents.write_text(
        "source_intent,category,priority,tier,escalation_signal\n"
        "card_arrival,order_status,P3,L1,\n"
        "compromised_card,security_breach,P1,L3,security_incident\n",
        encoding="utf-8",
    )
    model = tmp_path / "model.bin"
    code, out, _ = run("train", "--data", str(data), "--out", str(model))
    assert code == 0, out
    assert model.exists()
    assert "wrote" in out
    code, out, _ = run(
        "--json", "the card has not arrived", "--model", str(model), "--intent-map", str(intents)
    )
    assert code == 0
    obj = json.loads(out)
    assert obj["intent"] in {"card_arrival", "compromised_card"}
    assert 0.0 <= obj["confidence"] <= 1.0


def test_train_with_a_missing_column_exits_2(tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    data.write_text("text,label\nhello,a\n", encoding="utf-8")
    code, _, err = run("train", "--data", str(data), "--out", str(tmp_path / "m"))
    assert code == 2
    assert "category" in err
