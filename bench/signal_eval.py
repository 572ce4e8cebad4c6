"""How well rule-based triage finds escalation signals and refund amounts, on a labeled set.

Also the triage classes of issue 12 (tests/data/triage_classes.csv: Taiwanese money, exchanges,
one user's crash vs an outage, defects, safety, praise, negated threats, the same message in
both languages, repeat contact said in words), with precision and recall per class: each class
looks at one part of the decision (the refund amount, the category, one signal ...), a row is a
positive when its label has that part, and a wrong value counts as a false positive and a miss.

The set is tests/data/signals_labeled.csv: English and Traditional Chinese sentences, including
look-alikes ("my lawyer friend recommended you") and negations ("I don't need a manager"), each
labeled with the signals it carries and the refund amount triage should read. Prints per-signal
precision, recall, F1 and support, refund-amount exact-match accuracy, every miss, and triage
throughput on the set. Prints figures; asserts nothing (tests/unit/test_triage_signals.py does).

Run: .venv/bin/python bench/signal_eval.py [--policy FILE] [--data FILE] [--classes FILE]

--data evaluates another file with the same columns (e.g. tests/data/signals_heldout_v2.csv, a
second held-out set written before the phrase lists were broadened); rows whose note starts with
"held-out" are also reported on their own.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from tierdesk import policy
from tierdesk.domain.model import Signal
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.triage import triage

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests/data/signals_labeled.csv"
CLASSES = REPO / "tests/data/triage_classes.csv"
TEXT_SIGNALS = list(Signal)  # repeat_contact too: "the third time I'm writing"
THREATS = frozenset({"legal_threat", "media_mention", "supervisor_request"})

# A decision as the class files label it: category, priority, signals, refund.
Outcome = tuple[str, str, frozenset[str], tuple[Decimal, str] | None]


def _category_is(cat: str) -> Callable[[Outcome], object]:
    return lambda o: o[0] if o[0] == cat else None


def _signal(sig: str) -> Callable[[Outcome], object]:
    return lambda o: sig if sig in o[2] else None


# What each class looks at; None means "not this class" (a negative).
CLASS_KEYS: dict[str, Callable[[Outcome], object]] = {
    "money": lambda o: o[3],
    "exchange": _category_is("returns_refunds"),
    "outage": _signal("service_outage"),
    "defect": _category_is("product_defect"),
    "safety": lambda o: "P1" if "safety_issue" in o[2] and o[0] == "safety_issue" else None,
    "praise": lambda o: "P4" if o[0] == "feedback" and "supervisor_request" not in o[2] else None,
    "negated_threat": lambda o: (o[0], o[2] & THREATS),
    "parity": lambda o: o,
    "repeat": _signal("repeat_contact"),
}


def read_rows(path: Path = DATA) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def expected_refund(row: dict[str, str]) -> tuple[Decimal, str] | None:
    if not row["refund_amount"]:
        return None
    return Decimal(row["refund_amount"]), row["refund_currency"]


@dataclass
class Tally:
    tp: Counter[Signal] = field(default_factory=Counter)
    fp: Counter[Signal] = field(default_factory=Counter)
    fn: Counter[Signal] = field(default_factory=Counter)
    rows: int = 0
    refund_ok: int = 0
    amount_rows: int = 0
    amount_ok: int = 0
    misses: list[str] = field(default_factory=list)


def evaluate(rules: Rulebook, rows: list[dict[str, str]]) -> Tally:
    t = Tally(rows=len(rows))
    for row in rows:
        decision = triage(row["text"], rules)
        got = set(decision.signals)
        want = {Signal(s) for s in row["signals"].split()}
        for s in TEXT_SIGNALS:
            t.tp[s] += s in got and s in want
            t.fp[s] += s in got and s not in want
            t.fn[s] += s in want and s not in got
        refund = decision.refund
        have = None if refund is None else (refund.amount, refund.currency)
        wanted = expected_refund(row)
        t.refund_ok += have == wanted
        t.amount_rows += wanted is not None
        t.amount_ok += wanted is not None and have == wanted
        if got != want or have != wanted:
            t.misses.append(
                f"  {row['id']} {row['text']!r}: signals {sorted(s.value for s in got)}"
                f" want {sorted(s.value for s in want)}; refund {have} want {wanted}"
            )
    return t


def report(title: str, t: Tally) -> None:
    print(f"\n== {title}: {t.rows} sentences")
    print(
        f"{'signal':<20}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}"
        f"{'tp':>5}{'fp':>4}{'fn':>4}"
    )
    for s in TEXT_SIGNALS:
        tp, fp, fn = t.tp[s], t.fp[s], t.fn[s]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{s.value:<20}{p:>10.3f}{r:>8.3f}{f1:>7.3f}{tp + fn:>9}{tp:>5}{fp:>4}{fn:>4}")
    print(
        f"refund amount exact match: {t.refund_ok}/{t.rows} rows ({t.refund_ok / t.rows:.1%});"
        f" rows with an amount: {t.amount_ok}/{t.amount_rows}"
    )
    print(f"misses ({len(t.misses)}):" if t.misses else "misses: none")
    for line in t.misses:
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--policy", type=Path, default=None, help="policy file (default cs-sop)")
    parser.add_argument(
        "--data", type=Path, default=DATA, help="labeled CSV (default: %(default)s)"
    )
    parser.add_argument(
        "--classes",
        type=Path,
        default=CLASSES,
        help="issue-12 class file (default: %(default)s)",
    )
    args = parser.parse_args()
    rules = policy.rulebook(args.policy)
    data: Path = args.data.resolve()
    rows = read_rows(data)
    held = [r for r in rows if r["note"].startswith("held-out")]
    tuned = [r for r in rows if not r["note"].startswith("held-out")]
    shown = data.relative_to(REPO) if data.is_relative_to(REPO) else data
    print(f"{shown}: {len(rows)} sentences {dict(Counter(r['lang'] for r in rows))}")
    report("all", evaluate(rules, rows))
    if held and tuned:
        report("written with the phrase lists (in-sample)", evaluate(rules, tuned))
        report("held-out (written after the phrase lists were frozen)", evaluate(rules, held))
    if args.classes is not None:
        report_classes(rules, read_rows(args.classes))
    throughput(rules, [r["text"] for r in rows])


def _outcome(rules: Rulebook, text: str) -> Outcome:
    d = triage(text, rules)
    refund = None if d.refund is None else (d.refund.amount, d.refund.currency)
    return d.category, d.priority, frozenset(s.value for s in d.signals), refund


def _labelled(row: dict[str, str]) -> Outcome:
    return row["category"], row["priority"], frozenset(row["signals"].split()), expected_refund(row)


def report_classes(rules: Rulebook, rows: list[dict[str, str]]) -> None:
    """Precision and recall per class, whole-decision accuracy, pair agreement, misses."""
    print(f"\n== triage classes: {len(rows)} messages {dict(Counter(r['lang'] for r in rows))}")
    print(f"{'class':<16}{'precision':>10}{'recall':>8}{'rows':>6}{'tp':>5}{'fp':>4}{'fn':>4}")
    got = {r["id"]: _outcome(rules, r["text"]) for r in rows}
    for cls, key in CLASS_KEYS.items():
        tp = fp = fn = 0
        mine = [r for r in rows if r["class"] == cls]
        for r in mine:
            want, have = key(_labelled(r)), key(got[r["id"]])
            tp += want is not None and have == want
            fp += have is not None and have != want
            fn += want is not None and have != want
        p = tp / (tp + fp) if tp + fp else 1.0
        rc = tp / (tp + fn) if tp + fn else 1.0
        print(f"{cls:<16}{p:>10.3f}{rc:>8.3f}{len(mine):>6}{tp:>5}{fp:>4}{fn:>4}")
    whole = sum(got[r["id"]] == _labelled(r) for r in rows)
    print(f"whole decision (category, priority, signals, refund) right: {whole}/{len(rows)}")
    pairs: dict[str, list[str]] = {}
    for r in rows:
        if r["pair"]:
            pairs.setdefault(r["pair"], []).append(r["id"])
    same = sum(len({got[i] for i in ids}) == 1 for ids in pairs.values())
    print(f"en / zh-TW pairs triaged alike: {same}/{len(pairs)}")
    for r in rows:
        if got[r["id"]] != _labelled(r):
            print(f"  {r['id']} {r['text']!r}: got {got[r['id']]} want {_labelled(r)}")


def throughput(rules: Rulebook, texts: list[str]) -> None:
    triage(texts[0], rules)  # compile the phrases once, as a running service would
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            triage(t, rules)
    elapsed = time.perf_counter() - start
    n = rounds * len(texts)
    print(
        f"\nthroughput: {n / elapsed:,.0f} decisions/s ({elapsed / n * 1e6:.0f} us each, "
        f"{n} decisions, one core)"
    )


if __name__ == "__main__":
    main()
