"""The learned triage classifier (issue 3): training, persistence, intent map, zh-TW text.

Banking77 tests read `data/banking77` in the repository (or TIERDESK_BANKING77_DIR)
and are skipped when it is absent; the rest use small files written here or in tests/data.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from tierdesk import bootstrap
from tierdesk.adapters.classifier import TrainedClassifier, read_header, train
from tierdesk.domain.classifier import Prediction
from tierdesk.domain.intent_map import IntentMapping

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("TIERDESK_BANKING77_DIR", REPO / "data/banking77"))
ZH_TW_TOY = REPO / "tests/data/zh_tw_toy.csv"
needs_banking77 = pytest.mark.skipif(
    not (DATA / "train.csv").is_file(), reason=f"Banking77 not found at {DATA}"
)


def split_per_label(path: Path, n_train: int, n_test: int) -> tuple[list[str], ...]:
    """The first n_train texts of each label for training, the next n_test for testing."""
    by_label: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_label[row["category"]].append(row["text"])
    x_train, y_train, x_test, y_test = [], [], [], []
    for label, texts in sorted(by_label.items()):
        x_train += texts[:n_train]
        y_train += [label] * len(texts[:n_train])
        held_out = texts[n_train : n_train + n_test]
        x_test += held_out
        y_test += [label] * len(held_out)
    return x_train, y_train, x_test, y_test


def accuracy(predictions: list[Prediction], truth: list[str]) -> float:
    return sum(p.label == t for p, t in zip(predictions, truth, strict=True)) / len(truth)


@pytest.fixture(scope="module")
def banking77() -> tuple[TrainedClassifier, list[str], list[str]]:
    """A model trained on 20 texts per intent (1,540), with 10 held-out texts per intent."""
    x_train, y_train, x_test, y_test = split_per_label(DATA / "train.csv", 20, 10)
    return train(x_train, y_train), x_test, y_test


@pytest.fixture(scope="module")
def model_file(
    banking77: tuple[TrainedClassifier, list[str], list[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    path = tmp_path_factory.mktemp("model") / "banking77.model"
    bootstrap.save_classifier(banking77[0], path)
    return path


@needs_banking77
def test_banking77_subset_scores_far_above_chance_on_held_out_texts(
    banking77: tuple[TrainedClassifier, list[str], list[str]],
) -> None:
    model, x_test, y_test = banking77
    predictions = model.predict(x_test)
    assert len(model.labels) == 77
    assert accuracy(predictions, y_test) > 0.6  # chance is 1/77 = 0.013


@needs_banking77
def test_confidence_is_a_probability_that_is_higher_when_right(
    banking77: tuple[TrainedClassifier, list[str], list[str]],
) -> None:
    model, x_test, y_test = banking77
    predictions = model.predict(x_test)
    right = [p.confidence for p, t in zip(predictions, y_test, strict=True) if p.label == t]
    wrong = [p.confidence for p, t in zip(predictions, y_test, strict=True) if p.label != t]
    assert all(0.0 <= p.confidence <= 1.0 for p in predictions)
    assert sum(right) / len(right) > sum(wrong) / len(wrong) + 0.1
    rows = model.probabilities(x_test[:5])
    assert rows.shape == (5, 77)
    assert rows.sum(axis=1) == pytest.approx([1.0] * 5)


@needs_banking77
def test_saved_model_loads_with_identical_predictions(
    banking77: tuple[TrainedClassifier, list[str], list[str]], model_file: Path
) -> None:
    model, x_test, _ = banking77
    loaded = bootstrap.load_classifier(model_file)
    assert loaded.predict(x_test) == model.predict(x_test)
    header = read_header(model_file)
    assert header["labels"] == list(model.labels)
    assert header["training_size"] == 1540


def _rewrite(path: Path, change: dict[str, object], cut: int = 0) -> None:
    """Change header keys (None deletes one) and drop `cut` payload bytes, keeping the sha256
    consistent with the payload so that only the check under test can refuse the file."""
    header_line, payload = path.read_bytes().split(b"\n", 1)
    payload = payload[: len(payload) - cut]
    header = json.loads(header_line) | {"payload_sha256": hashlib.sha256(payload).hexdigest()}
    header |= change
    header = {k: v for k, v in header.items() if v is not None}
    path.write_bytes(json.dumps(header).encode() + b"\n" + payload)


TAMPERINGS: dict[str, tuple[Callable[[Path], object], str]] = {
    "truncated": (lambda p: _rewrite(p, {}, cut=10), "truncated or modified"),
    "format-version": (lambda p: _rewrite(p, {"format_version": 99}), "format version 99"),
    "sklearn-version": (lambda p: _rewrite(p, {"sklearn_version": "0.1"}), "scikit-learn 0.1"),
    "no-hash": (lambda p: _rewrite(p, {"payload_sha256": None}), "header lacks payload_sha256"),
    "not-a-model": (lambda p: p.write_bytes(b"{}\n" + p.read_bytes()), "not a tierdesk"),
    "empty": (lambda p: p.write_bytes(b""), "not a tierdesk classifier model file"),
}


@needs_banking77
@pytest.mark.parametrize("case", sorted(TAMPERINGS))
def test_damaged_or_foreign_model_files_are_refused(
    model_file: Path, tmp_path: Path, case: str
) -> None:
    tamper, message = TAMPERINGS[case]
    copy = tmp_path / "copy.model"
    copy.write_bytes(model_file.read_bytes())
    tamper(copy)
    with pytest.raises(bootstrap.ModelFileError, match=message) as info:
        bootstrap.load_classifier(copy)
    assert str(info.value).startswith(f"{copy}: ")


@needs_banking77
def test_a_model_file_with_one_changed_payload_byte_is_refused(
    model_file: Path, tmp_path: Path
) -> None:
    data = bytearray(model_file.read_bytes())
    data[-100] ^= 0x01  # same length, so only the sha256 can tell
    copy = tmp_path / "tampered.model"
    copy.write_bytes(bytes(data))
    with pytest.raises(bootstrap.ModelFileError, match="sha256"):
        bootstrap.load_classifier(copy)


def test_a_zh_tw_toy_dataset_is_learned_from_characters() -> None:
    x_train, y_train, x_test, y_test = split_per_label(ZH_TW_TOY, 9, 3)
    model = train(x_train, y_train)
    assert accuracy(model.predict(x_test), y_test) >= 0.75  # chance is 0.25
    (prediction,) = model.predict(["我的信用卡被偷了"])
    assert prediction.label == "lost_or_stolen_card"


def test_empty_input_gives_no_predictions() -> None:
    model = bootstrap.train_classifier_from_csv(ZH_TW_TOY)
    assert model.predict([]) == []
    assert len(model.predict(["", "   "])) == 2
    with pytest.raises(TypeError, match="not a string"):
        model.predict("退款")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("text,label\n", "missing column(s) category"),
        ("text,category\n", "no data rows"),
        ("text,category\na,x\nb,x\n\nc,y\n,y\n", ":6: empty 'text'"),
        ("text,category\na,x\nb,x\nc,y\n", "at least 2 examples; 1 have 1: 'y'"),
        ("text,category\na,x\nb,x,extra\n", ":3: 3 fields, the header has 2"),
        ("text,category\na,x\na,x\n", "at least 2 distinct labels"),
    ],
    ids=["empty", "missing-column", "header-only", "empty-text", "rare", "extra-field", "one"],
)
def test_bad_training_csv_is_refused_with_file_and_reason(
    tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path / "train.csv", content)
    with pytest.raises(bootstrap.TrainingDataError, match=re.escape(message)) as info:
        bootstrap.train_classifier_from_csv(path)
    assert str(info.value).startswith(f"{path}:")


def test_training_csv_columns_can_be_named(tmp_path: Path) -> None:
    rows = "\ufeffmessage,intent\n" + "".join(f"卡片{i},card\n退款{i},refund\n" for i in range(3))
    model = bootstrap.train_classifier_from_csv(
        write(tmp_path / "t.csv", rows), text_col="message", label_col="intent"
    )
    assert model.labels == ("card", "refund")
    assert model.predict(["退款"])[0].label == "refund"


def test_only_trained_classifiers_can_be_saved(tmp_path: Path) -> None:
    class Fake:
        def predict(self, texts: object) -> list[Prediction]:
            return []

    with pytest.raises(TypeError, match="Fake"):
        bootstrap.save_classifier(Fake(), tmp_path / "fake.model")
    assert not (tmp_path / "fake.model").exists()


INTENT_MAP_HEADER = "source_intent,category,priority,tier,escalation_signal\n"


def test_intent_map_reads_rows_with_optional_signal(tmp_path: Path) -> None:
    path = write(
        tmp_path / "map.csv",
        INTENT_MAP_HEADER + "lost_card,security_breach,P1,L3,security_incident\n"
        "card_arrival,order_status,P3,L1,\n",
    )
    assert bootstrap.load_intent_map(path) == {
        "lost_card": IntentMapping("security_breach", "P1", "L3", "security_incident"),
        "card_arrival": IntentMapping("order_status", "P3", "L1", None),
    }


def test_intent_map_escalation_signal_column_is_optional(tmp_path: Path) -> None:
    path = write(tmp_path / "map.csv", "source_intent,category,priority,tier\na,b,P4,L1\n")
    assert bootstrap.load_intent_map(path) == {"a": IntentMapping("b", "P4", "L1")}


@pytest.mark.parametrize(
    ("rows", "where", "message"),
    [
        ("a,b,P1,L1,\nc,d,high,L1,\n", 3, "priority 'high' is not P1-P9"),
        ("a,b,P1,L1,\n\nc,d,P2,T2,\n", 4, "tier 'T2' is not L1-L9"),
        ("a,b,P10,L1,\n", 2, "priority 'P10' is not P1-P9"),
        ("a,b,P1,L1,vip\n", 2, "escalation_signal 'vip' is not one of"),
        ("a,b,P1,L1,\na,c,P2,L2,\n", 3, "duplicate source_intent 'a'"),
        ("a,,P1,L1,\n", 2, "category is empty"),
        ('a,"multi\nline",P1,L1,\nb,c,P9,L0,\n', 4, "tier 'L0'"),
    ],
    ids=["priority", "tier", "p10", "signal", "duplicate", "empty-category", "multiline"],
)
def test_bad_intent_map_rows_are_reported_at_file_and_line(
    tmp_path: Path, rows: str, where: int, message: str
) -> None:
    path = write(tmp_path / "map.csv", INTENT_MAP_HEADER + rows)
    with pytest.raises(bootstrap.IntentMapError, match=message) as info:
        bootstrap.load_intent_map(path)
    assert str(info.value).startswith(f"{path}:{where}: ")


def test_intent_map_without_a_required_column_names_it(tmp_path: Path) -> None:
    path = write(tmp_path / "map.csv", "source_intent,category,tier\na,b,L1\n")
    with pytest.raises(bootstrap.IntentMapError, match=r"map.csv:1: missing column\(s\) priority"):
        bootstrap.load_intent_map(path)


@needs_banking77
def test_shared_intent_map_covers_every_banking77_intent(
    banking77: tuple[TrainedClassifier, list[str], list[str]],
) -> None:
    mapping = bootstrap.load_intent_map(DATA / "intent_to_triage.csv")
    assert set(mapping) == set(banking77[0].labels)
    assert mapping["lost_or_stolen_card"] == IntentMapping("security_breach", "P1", "L3")
