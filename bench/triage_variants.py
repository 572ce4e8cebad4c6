"""Candidate intent classifiers for bench/triage_eval.py --variants, beside the shipped one.

Each variant is TF-IDF features (word and char_wb n-grams, options as named) and one or more
linear models. A member's scores become probabilities by temperature scaling fitted once on a
15% held-out share (as the shipped model does); an ensemble averages its members' calibrated
probabilities. Training seconds cover features, the calibration fits and the final fits, run
two at a time (two cores). Prints figures; asserts nothing.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from tierdesk.adapters.classifier import train
from tierdesk.adapters.classifier.linear import normalize

BUDGET_S = 30.0
MARGIN = 0.005  # accuracy gain below which a variant is not worth a new model format

MEMBERS: dict[str, Callable[[], Any]] = {
    "svc": lambda: LinearSVC(C=1.0, random_state=0),
    "lr": lambda: LogisticRegression(C=30, max_iter=300),
    "sgd": lambda: SGDClassifier(loss="modified_huber", alpha=1e-4, random_state=0),
    "cnb": lambda: ComplementNB(alpha=0.3),
}


@dataclass(frozen=True)
class Variant:
    name: str
    word: tuple[int, int] | None = (1, 2)
    char: tuple[int, int] = (2, 5)
    sublinear: bool = True
    min_df: int = 1
    members: tuple[str, ...] = ("svc",)


VARIANTS = (
    Variant("char_wb 1-5", char=(1, 5)),
    Variant("char_wb 2-6", char=(2, 6)),
    Variant("word 1-3", word=(1, 3)),
    Variant("char only", word=None),
    Variant("no sublinear_tf", sublinear=False),
    Variant("min_df 2", min_df=2),
    Variant("svc + cnb", members=("svc", "cnb")),
    Variant("svc + sgd", members=("svc", "sgd")),
    Variant("svc + lr", members=("svc", "lr")),
)


@dataclass
class Result:
    accuracy: list[float] = field(default_factory=list)
    train_s: list[float] = field(default_factory=list)
    confidence: list[float] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)


def features(v: Variant) -> FeatureUnion:
    parts = []
    if v.word is not None:
        word = TfidfVectorizer(
            ngram_range=v.word,
            sublinear_tf=v.sublinear,
            min_df=v.min_df,
            preprocessor=normalize,
            token_pattern=r"(?u)\b\w+\b",  # noqa: S106
        )
        parts.append(("word", word))
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=v.char,
        sublinear_tf=v.sublinear,
        min_df=v.min_df,
        preprocessor=normalize,
    )
    return FeatureUnion([*parts, ("char", chars)])


def scores(model: Any, matrix: Any) -> np.ndarray:
    if hasattr(model, "decision_function") and not isinstance(model, LogisticRegression):
        return np.asarray(model.decision_function(matrix))
    return np.asarray(model.predict_log_proba(matrix))


def temperature(raw: np.ndarray, truth: np.ndarray) -> float:
    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        return float(-log_softmax(raw / np.exp(log_t), axis=1)[rows, truth].mean())

    return float(np.exp(minimize_scalar(loss, bounds=(-6.0, 3.0), method="bounded").x))


def fit_predict(v: Variant, x_train: list[str], y: np.ndarray, x_test: list[str]) -> np.ndarray:
    """Train the variant and return its calibrated probabilities for x_test."""
    feats = features(v)
    matrix = feats.fit_transform(x_train)
    fit_idx, cal_idx = train_test_split(
        np.arange(len(y)), test_size=0.15, stratify=y, random_state=0
    )
    jobs = [(m, None) for m in v.members] + [(m, fit_idx) for m in v.members]
    with ThreadPoolExecutor(max_workers=2) as pool, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = list(
            pool.map(
                lambda job: MEMBERS[job[0]]().fit(
                    matrix if job[1] is None else matrix[job[1]],
                    y if job[1] is None else y[job[1]],
                ),
                jobs,
            )
        )
    final, calib = fitted[: len(v.members)], fitted[len(v.members) :]
    test = feats.transform(x_test)
    classes = final[0].classes_
    truth = np.searchsorted(classes, y[cal_idx])
    probs = np.zeros((len(x_test), len(classes)))
    for f, c in zip(final, calib, strict=True):
        t = temperature(scores(c, matrix[cal_idx]), truth)
        probs += softmax(scores(f, test) / t, axis=1)
    return np.asarray(probs / len(v.members))


def measure(
    v: Variant | None,
    texts: list[str],
    labels: list[str],
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
) -> Result:
    """The variant (None: the shipped `train`) over the splits."""
    out = Result()
    y = np.asarray(labels)
    for train_idx, test_idx in splits:
        x_train = [texts[i] for i in train_idx]
        x_test = [texts[i] for i in test_idx]
        started = time.perf_counter()
        if v is None:
            model = train(x_train, list(y[train_idx]))
            out.train_s.append(time.perf_counter() - started)
            probs, classes = model.probabilities(x_test), np.asarray(model.labels)
        else:
            probs = fit_predict(v, x_train, y[train_idx], x_test)
            out.train_s.append(time.perf_counter() - started)
            classes = np.asarray(sorted(set(y[train_idx].tolist())))
        guess = classes[probs.argmax(axis=1)]
        hit = guess == y[test_idx]
        out.accuracy.append(float(hit.mean()))
        out.confidence += probs.max(axis=1).tolist()
        out.correct += hit.tolist()
    return out


def compare(
    texts: list[str],
    labels: list[str],
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    ece: Callable[[list[float], list[bool]], float],
) -> None:
    """Print each variant beside the shipped model, and the choice."""
    print(f"variants on {len(splits)} fold(s) of 5 ({len(splits[0][1])} held-out texts each)")
    base = measure(None, texts, labels, splits)
    acc0, s0 = float(np.mean(base.accuracy)), float(np.mean(base.train_s))

    def line(name: str, r: Result) -> None:
        acc, sec = float(np.mean(r.accuracy)), float(np.mean(r.train_s))
        print(
            f"{name:<34} accuracy {acc:.4f} ({acc - acc0:+.4f})  "
            f"ECE {ece(r.confidence, r.correct):.3f}"
            f"  training {sec:5.1f} s ({sec / s0:.2f}x)",
            flush=True,
        )

    line("shipped (word 1-2, char_wb 2-5, svc)", base)
    best: tuple[float, str, float] = (acc0, "shipped", s0)
    for v in VARIANTS:
        r = measure(v, texts, labels, splits)
        line(v.name, r)
        acc, sec = float(np.mean(r.accuracy)), float(np.mean(r.train_s))
        if sec < BUDGET_S and acc > best[0] and acc - acc0 > MARGIN:
            best = (acc, v.name, sec)
    print(
        f"chosen: {best[1]}: accuracy {best[0]:.4f} vs shipped {acc0:.4f} "
        f"({best[0] / acc0:.3f}x), training {best[2]:.1f} s vs {s0:.1f} s ({best[2] / s0:.2f}x); "
        f"goal 0.93 in under {BUDGET_S:.0f} s"
    )
