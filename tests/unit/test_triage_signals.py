"""Signal detection measured on the labeled set tests/data/signals_labeled.csv.

The set has two parts. Rows written together with the preset's phrase lists (and one batch
first measured as held-out, then tuned on) must stay at precision and recall >= 0.9 per signal:
a regression guard for the phrase lists. Rows noted "held-out" were written after the lists were
frozen and never tuned on: they show how the rules generalize (bench/signal_eval.py prints the
figures); here only precision is held to a floor, so that look-alikes stay quiet.

A second held-out file, tests/data/signals_heldout_v2.csv, was written before the phrase lists
were broadened for generalisation (and was not tuned on): on it every preset must keep recall
and precision floors set a little under what the broadened lists reached, and its look-alikes and
negations must fire nothing.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from tierdesk import policy
from tierdesk.domain.model import Signal
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.triage import triage

DATA = Path(__file__).resolve().parents[1] / "data" / "signals_labeled.csv"
HELDOUT_V2 = DATA.with_name("signals_heldout_v2.csv")
PRESETS = ("cs-sop", "full-sop", "simple")  # they share one signals section
# Reached on signals_heldout_v2.csv by every signal: recall >= 0.92, precision 1.0.
V2_RECALL_FLOOR = 0.85
V2_PRECISION_FLOOR = 0.9
# repeat_contact is textual too now ("third time I'm writing"), but these sets barely carry it:
# tests/data/triage_classes.csv covers it (test_triage_classes.py).
TEXT_SIGNALS = [s for s in Signal if s is not Signal.REPEAT_CONTACT]
Row = dict[str, str]


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return policy.rulebook(preset="cs-sop")


def _read(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return _read(DATA)


@pytest.fixture(scope="module")
def v2_rows() -> list[Row]:
    return _read(HELDOUT_V2)


@pytest.fixture(scope="module", params=PRESETS)
def preset_rules(request: pytest.FixtureRequest) -> Rulebook:
    return policy.rulebook(preset=request.param)


def _split(rows: list[Row], held_out: bool) -> list[Row]:
    return [r for r in rows if r["note"].startswith("held-out") == held_out]


def _scores(rules: Rulebook, rows: list[Row], signal: Signal) -> tuple[float, float]:
    tp = fp = fn = 0
    for row in rows:
        got = signal in triage(row["text"], rules).signals
        want = signal.value in row["signals"].split()
        tp, fp, fn = tp + (got and want), fp + (got and not want), fn + (want and not got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def test_labeled_set_is_large_bilingual_and_well_formed(rows: list[Row]) -> None:
    assert len(rows) >= 150
    assert {r["lang"] for r in rows} == {"en", "zh-TW"}
    assert len({r["id"] for r in rows}) == len(rows)
    known = {s.value for s in Signal}
    for r in rows:
        assert set(r["signals"].split()) <= known, r["id"]
        assert bool(r["refund_amount"]) == bool(r["refund_currency"]), r["id"]


def test_chinese_rows_are_traditional_not_simplified(rows: list[Row]) -> None:
    simplified = set("们说这个还处么没买钱让来对给进发时问题请费报记网络账号")
    for r in rows:
        if r["lang"] == "zh-TW":
            assert not simplified & set(r["text"]), (r["id"], r["text"])


@pytest.mark.parametrize("signal", TEXT_SIGNALS, ids=lambda s: s.value)
def test_signal_precision_and_recall_on_the_tuned_rows(
    rules: Rulebook, rows: list[Row], signal: Signal
) -> None:
    precision, recall = _scores(rules, _split(rows, held_out=False), signal)
    assert precision >= 0.9, f"{signal.value} precision {precision:.3f}"
    assert recall >= 0.9, f"{signal.value} recall {recall:.3f}"


@pytest.mark.parametrize("signal", TEXT_SIGNALS, ids=lambda s: s.value)
def test_signal_precision_on_held_out_rows(
    rules: Rulebook, rows: list[Row], signal: Signal
) -> None:
    precision, _ = _scores(rules, _split(rows, held_out=True), signal)
    assert precision >= 0.6, f"{signal.value} held-out precision {precision:.3f}"


def test_refund_amounts_match_the_labels(rules: Rulebook, rows: list[Row]) -> None:
    tuned = _split(rows, held_out=False)
    wrong = []
    for row in tuned:
        refund = triage(row["text"], rules).refund
        have = None if refund is None else (refund.amount, refund.currency)
        want = (
            (Decimal(row["refund_amount"]), row["refund_currency"])
            if row["refund_amount"]
            else None
        )
        if have != want:
            wrong.append((row["id"], have, want))
    assert len(wrong) <= len(tuned) * 0.02, wrong


def test_second_held_out_set_is_bilingual_and_covers_every_signal(v2_rows: list[Row]) -> None:
    assert len(v2_rows) >= 80
    assert len({r["id"] for r in v2_rows}) == len(v2_rows)
    langs = [r["lang"] for r in v2_rows]
    assert {"en", "zh-TW"} == set(langs)
    assert min(langs.count("en"), langs.count("zh-TW")) >= len(v2_rows) * 0.4
    simplified = set("们说这个还处么没买钱让来对给进发时问题请费报记网络账号")
    for r in v2_rows:
        assert r["note"].startswith("held-out"), r["id"]
        assert bool(r["refund_amount"]) == bool(r["refund_currency"]), r["id"]
        assert r["lang"] == "en" or not simplified & set(r["text"]), r["id"]
    for signal in TEXT_SIGNALS:
        assert sum(signal.value in r["signals"].split() for r in v2_rows) >= 8, signal.value
    assert sum(not r["signals"] for r in v2_rows) >= 20


@pytest.mark.parametrize("signal", TEXT_SIGNALS, ids=lambda s: s.value)
def test_signal_recall_and_precision_hold_on_the_second_held_out_set(
    preset_rules: Rulebook, v2_rows: list[Row], signal: Signal
) -> None:
    precision, recall = _scores(preset_rules, v2_rows, signal)
    assert precision >= V2_PRECISION_FLOOR, f"{signal.value} v2 precision {precision:.3f}"
    assert recall >= V2_RECALL_FLOOR, f"{signal.value} v2 recall {recall:.3f}"


def test_look_alikes_and_negations_fire_no_signal(
    preset_rules: Rulebook, rows: list[Row], v2_rows: list[Row]
) -> None:
    quiet = [r for r in rows + v2_rows if not r["signals"]]
    loud = [
        (r["id"], r["text"], [s.value for s in triage(r["text"], preset_rules).signals])
        for r in quiet
    ]
    assert [x for x in loud if x[2]] == []
