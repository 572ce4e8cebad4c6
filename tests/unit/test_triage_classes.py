"""The triage classes of issue 12, on tests/data/triage_classes.csv.

Each row is a realistic message (English or Traditional Chinese) of one class: Taiwanese money,
exchanges that are not refunds, one user's crash vs an outage, product defects, physical safety,
praise, negated threats, the same message in both languages, and repeat contact said in words;
look-alikes included. Every row states the whole expected triage (category, priority, signals,
refund), so a change that breaks any class fails here; bench/signal_eval.py prints per-class
precision and recall on the same file.
"""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from tierdesk import policy
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.triage import triage

DATA = Path(__file__).resolve().parents[1] / "data" / "triage_classes.csv"
Row = dict[str, str]


def _rows() -> list[Row]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


ROWS = _rows()


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return policy.rulebook(preset="cs-sop")


def _expected(row: Row) -> tuple[str, str, list[str], tuple[Decimal, str] | None]:
    refund = (
        (Decimal(row["refund_amount"]), row["refund_currency"]) if row["refund_amount"] else None
    )
    return row["category"], row["priority"], sorted(row["signals"].split()), refund


def test_every_class_has_fifteen_cases_in_both_languages_with_look_alikes() -> None:
    per_class = Counter(r["class"] for r in ROWS)
    assert len(per_class) == 9
    for cls, n in per_class.items():
        rows = [r for r in ROWS if r["class"] == cls]
        assert n >= 15, cls
        assert {r["lang"] for r in rows} == {"en", "zh-TW"}, cls
        if cls != "parity":
            assert any(r["note"].startswith("look-alike") for r in rows), cls


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_message_gets_the_triage_a_support_lead_expects(rules: Rulebook, row: Row) -> None:
    d = triage(row["text"], rules)
    refund = None if d.refund is None else (d.refund.amount, d.refund.currency)
    got = (d.category, d.priority, sorted(s.value for s in d.signals), refund)
    assert got == _expected(row), row["text"]


def test_same_message_in_both_languages_gets_the_same_triage(rules: Rulebook) -> None:
    pairs: dict[str, list[Row]] = {}
    for row in ROWS:
        if row["pair"]:
            pairs.setdefault(row["pair"], []).append(row)
    assert len(pairs) >= 8
    for pair, (a, b) in pairs.items():
        da, db = triage(a["text"], rules), triage(b["text"], rules)
        assert {a["lang"], b["lang"]} == {"en", "zh-TW"}, pair
        assert (da.category, da.priority, da.tier, da.signals, da.refund) == (
            db.category,
            db.priority,
            db.tier,
            db.signals,
            db.refund,
        ), pair
