"""Scoring triage against labels: accuracy per category and the confusion pairs. Pure.

`score(pairs)` takes (label, predicted) pairs, e.g. a labelled file's categories beside what
`triage` decided, and says how often each labelled category came out right (its recall) and
which mix-ups happen most (true -> predicted, with counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryScore:
    category: str
    support: int  # labelled texts of this category
    correct: int
    predicted: int  # texts triaged into it, rightly or not

    @property
    def accuracy(self) -> float:
        """Share of this category's texts triaged into it (recall)."""
        return self.correct / self.support if self.support else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0


@dataclass(frozen=True)
class EvalReport:
    total: int
    correct: int
    categories: tuple[CategoryScore, ...]  # by support, most first
    confusions: tuple[tuple[str, str, int], ...]  # (label, predicted, count), most first

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "total": self.total,
            "correct": self.correct,
            "accuracy": round(self.accuracy, 4),
            "categories": [
                {
                    "category": c.category,
                    "support": c.support,
                    "correct": c.correct,
                    "accuracy": round(c.accuracy, 4),
                    "precision": round(c.precision, 4),
                }
                for c in self.categories
            ],
            "confusions": [{"label": a, "predicted": b, "count": n} for a, b, n in self.confusions],
        }


def score(pairs: Iterable[tuple[str, str]]) -> EvalReport:
    """The report for (label, predicted) pairs."""
    support: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    confused: Counter[tuple[str, str]] = Counter()
    for label, guess in pairs:
        support[label] += 1
        predicted[guess] += 1
        if guess != label:
            confused[(label, guess)] += 1
    total = sum(support.values())
    wrong = sum(confused.values())
    names = sorted(support, key=lambda c: (-support[c], c))
    cats = tuple(
        CategoryScore(
            c,
            support[c],
            support[c] - sum(n for (a, _), n in confused.items() if a == c),
            predicted[c],
        )
        for c in names
    )
    pairs_out = tuple(
        (a, b, n) for (a, b), n in sorted(confused.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return EvalReport(total, total - wrong, cats, pairs_out)
