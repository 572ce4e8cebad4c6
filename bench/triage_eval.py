"""How well the learned triage classifier names Banking77 intents, and what that means for triage.

5-fold stratified cross-validation on the Banking77 train split (the test split is never used).
Each fold trains on 80% and predicts the other 20%. Prints intent accuracy, the accuracy of the
category, priority and tier the intent maps to (intent_to_triage.csv), calibration of the
confidences, training time and prediction throughput. Prints figures; asserts nothing.

With --variants, also trains candidate models side by side on the same folds (--folds N, the
first N of the 5; default 1, a stratified 80/20 split) and prints each one's intent accuracy,
ECE and training seconds, as ratios to the shipped model, and the variant it would choose:
the most accurate under 30 s of training, if it beats the shipped one by more than 0.5 points
(the spread between folds is about 0.9 points, so less is noise).

Data: $TIERDESK_BANKING77_DIR, else data/banking77 in the repository.
Run: .venv/bin/python bench/triage_eval.py [--variants [--folds N]]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

import triage_variants
from tierdesk.adapters.classifier import (
    TrainedClassifier,
    load_intent_map,
    read_labelled_csv,
    train,
)
from tierdesk.domain.intent_map import IntentMapping

REPO = Path(__file__).resolve().parents[1]
FOLDS = 5
SEED = 0
PUBLISHED = "published Banking77 test-set results: 87-94% (BERT, dual sentence encoders)"


@dataclass
class Tally:
    """Per-fold figures, appended fold by fold."""

    intent: list[float] = field(default_factory=list)
    category: list[float] = field(default_factory=list)
    priority: list[float] = field(default_factory=list)
    tier: list[float] = field(default_factory=list)
    p1_recall: list[float] = field(default_factory=list)
    train_s: list[float] = field(default_factory=list)
    per_s: list[float] = field(default_factory=list)
    confidence: list[float] = field(default_factory=list)  # every held-out prediction
    correct: list[bool] = field(default_factory=list)


def data_dir() -> Path:
    return Path(os.environ.get("TIERDESK_BANKING77_DIR", REPO / "data/banking77"))


def run_fold(
    texts: list[str],
    labels: list[str],
    split: tuple[np.ndarray, np.ndarray],
    mapping: dict[str, IntentMapping],
    tally: Tally,
) -> TrainedClassifier:
    train_idx, test_idx = split
    started = time.perf_counter()
    model = train([texts[i] for i in train_idx], [labels[i] for i in train_idx])
    tally.train_s.append(time.perf_counter() - started)
    held_out = [texts[i] for i in test_idx]
    truth = [labels[i] for i in test_idx]
    started = time.perf_counter()
    predictions = model.predict(held_out)
    tally.per_s.append(len(held_out) / (time.perf_counter() - started))
    guess = [p.label for p in predictions]
    tally.intent.append(_agree(truth, guess, lambda x: x))
    tally.category.append(_agree(truth, guess, lambda x: mapping[x].category))
    tally.priority.append(_agree(truth, guess, lambda x: mapping[x].priority))
    tally.tier.append(_agree(truth, guess, lambda x: mapping[x].tier))
    urgent = [(t, g) for t, g in zip(truth, guess, strict=True) if mapping[t].priority == "P1"]
    tally.p1_recall.append(sum(mapping[g].priority == "P1" for _, g in urgent) / len(urgent))
    tally.confidence += [p.confidence for p in predictions]
    tally.correct += [t == g for t, g in zip(truth, guess, strict=True)]
    return model


def _agree(truth: list[str], guess: list[str], key: Callable[[str], str]) -> float:
    return sum(key(t) == key(g) for t, g in zip(truth, guess, strict=True)) / len(truth)


def expected_calibration_error(
    confidence: list[float], correct: list[bool], bins: int = 10
) -> float:
    """Mean |confidence - accuracy| over 10 equal-width confidence bins, weighted by bin size."""
    conf, hit = np.asarray(confidence), np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (conf > low) & (conf <= high)
        if inside.any():
            error += inside.mean() * abs(conf[inside].mean() - hit[inside].mean())
    return float(error)


def single_text_latency_ms(model: TrainedClassifier, texts: list[str], n: int = 200) -> float:
    """Median time to classify one text at a time (what `tierdesk triage TEXT` pays per call)."""
    times = []
    for text in texts[:n]:
        started = time.perf_counter()
        model.predict([text])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def report(tally: Tally, n_texts: int, n_labels: int, latency_ms: float) -> None:
    def pct(values: list[float]) -> str:
        return f"{100 * statistics.mean(values):.2f}% ± {100 * statistics.stdev(values):.2f}"

    conf = np.asarray(tally.confidence)
    hit = np.asarray(tally.correct)
    print(f"Banking77 train split: {n_texts} texts, {n_labels} intents, {FOLDS}-fold stratified CV")
    print(f"intent accuracy ({n_labels} classes):     {pct(tally.intent)}")
    print(f"mapped category accuracy:          {pct(tally.category)}")
    print(f"mapped priority accuracy:          {pct(tally.priority)}")
    print(f"mapped tier accuracy:              {pct(tally.tier)}")
    print(f"P1 (security) intents kept at P1:  {pct(tally.p1_recall)}")
    print(
        f"confidence: mean {conf.mean():.3f} vs accuracy {hit.mean():.3f}, "
        f"ECE {expected_calibration_error(tally.confidence, tally.correct):.3f}; "
        f"accuracy when confidence >= 0.5: {hit[conf >= 0.5].mean():.3f} "
        f"on {100 * (conf >= 0.5).mean():.1f}% of texts"
    )
    train_s, per_s = statistics.mean(tally.train_s), statistics.mean(tally.per_s)
    print(f"training time per fold (~{n_texts * 4 // 5} texts): {train_s:.1f} s")
    print(f"predictions per second (batch of ~{n_texts // FOLDS}): {per_s:,.0f}")
    print(f"single-text prediction latency (median): {latency_ms:.2f} ms")
    print(PUBLISHED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", action="store_true", help="compare candidate models")
    parser.add_argument("--folds", type=int, default=1, help="folds for --variants (1-5)")
    args = parser.parse_args(argv)
    root = data_dir()
    if not (root / "train.csv").is_file():
        # Not a failure: `make bench` on a machine without the shared data still runs the rest.
        print(f"SKIP: Banking77 not found at {root}; set TIERDESK_BANKING77_DIR")
        return 0
    texts, labels = read_labelled_csv(root / "train.csv")
    mapping = load_intent_map(root / "intent_to_triage.csv")
    tally = Tally()
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    if args.variants:
        splits = list(folds.split(texts, labels))[: max(1, min(args.folds, FOLDS))]
        triage_variants.compare(texts, labels, splits, expected_calibration_error)
        return 0
    for split in folds.split(texts, labels):
        model = run_fold(texts, labels, split, mapping, tally)
    report(tally, len(texts), len(set(labels)), single_text_latency_ms(model, texts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
