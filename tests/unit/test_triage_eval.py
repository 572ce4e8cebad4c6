"""`tierdesk triage eval FILE` and the scoring behind it; the --jsonl path predicts in batches."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

from typer.testing import CliRunner

from tierdesk import policy
from tierdesk.cli import triage_cmd
from tierdesk.cli.main import app
from tierdesk.domain.classifier import Prediction
from tierdesk.domain.triage_eval import score

runner = CliRunner()


def test_score_gives_accuracy_per_category_and_the_confusion_pairs() -> None:
    report = score(
        [("order", "order"), ("order", "refund"), ("order", "refund"), ("refund", "refund")]
    )
    assert (report.total, report.correct) == (4, 2)
    by = {c.category: c for c in report.categories}
    assert by["order"].accuracy == 1 / 3 and by["order"].support == 3
    assert by["refund"].accuracy == 1.0 and by["refund"].precision == 1 / 3
    assert report.confusions == (("order", "refund", 2),)


def _labelled(tmp_path: Path) -> tuple[Path, Path]:
    rows = [
        ("Where is my order? It has not arrived", "order_status"),
        ("我要退款，東西不要了", "returns_refunds"),
        ("The charger caught fire", "safety_issue"),
        ("Your app keeps crashing on my phone", "service_outage"),  # labelled wrong on purpose
    ]
    csv_file = tmp_path / "labelled.csv"
    csv_file.write_text(
        "text,category\n" + "".join(f'"{t}",{c}\n' for t, c in rows), encoding="utf-8"
    )
    jsonl = tmp_path / "labelled.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"text": t, "category": c}) + "\n" for t, c in rows), encoding="utf-8"
    )
    return csv_file, jsonl


def test_eval_prints_accuracy_per_category_and_confusions_for_csv_and_jsonl(
    tmp_path: Path,
) -> None:
    for path in _labelled(tmp_path):
        result = runner.invoke(app, ["triage", "eval", str(path)])
        assert result.exit_code == 0, result.output
        assert "4 texts, accuracy 0.750" in result.stdout
        assert "service_outage -> technical_issue" in result.stdout
        as_json = runner.invoke(app, ["triage", "eval", str(path), "--json"])
        report = json.loads(as_json.stdout)
        assert report["correct"] == 3
        assert report["confusions"] == [
            {"label": "service_outage", "predicted": "technical_issue", "count": 1}
        ]


def test_eval_of_a_bad_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hi", "category": "x"}\n{"text": ""}\n', encoding="utf-8")
    result = runner.invoke(app, ["triage", "eval", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2" in result.stderr


class CountingModel:
    """A classifier that records how many calls and texts it was asked for."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        self.calls.append(len(texts))
        return [Prediction("card_arrival", 0.9) for _ in texts]


def test_jsonl_asks_the_model_once_per_batch_and_keeps_order_and_errors() -> None:
    rules = policy.rulebook(preset="cs-sop")
    lines = [json.dumps({"id": i, "text": f"hello {i}"}) for i in range(700)]
    lines.insert(3, "not json")
    stream = io.BytesIO(("\n".join(lines) + "\n").encode())
    model = CountingModel()
    out = list(triage_cmd._triage_lines(stream, rules, 1, model, None))
    assert model.calls == [triage_cmd.BATCH - 1, 700 - (triage_cmd.BATCH - 1)]
    assert out[3]["error"].startswith("line 4:")
    assert [o["id"] for o in out if "error" not in o] == list(range(700))
    assert all(o["intent"] == "card_arrival" for o in out if "error" not in o)
