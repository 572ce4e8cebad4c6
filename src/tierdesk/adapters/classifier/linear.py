"""A linear text classifier with calibrated confidences, behind the `Classifier` port.

Features: TF-IDF word 1-2 grams plus character 2-5 grams inside word boundaries. The character
n-grams carry most of the signal for typos and for languages written without spaces (zh-TW), so
no tokenizer or language detection is needed. Model: a one-vs-rest LinearSVC, the strongest of the
variants measured (see bench/triage_eval.py). SVM scores are not probabilities, so confidences come
from a softmax over the scores with one temperature fitted on held-out scores (temperature
scaling): it keeps the SVM's ranking, hence its accuracy, and makes `confidence` track how often
the label is right. The held-out scores come from one extra fit on 85% of the texts (not one per
fold), run beside the final fit on a second thread: liblinear releases the GIL, so on two cores
training costs about one fit.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from tierdesk.domain.classifier import Prediction
from tierdesk.domain.errors import TierdeskError

SVM_C = 1.0  # regularization; 0.3-2 all score within noise on Banking77, 1.0 is the default
CALIBRATION_SHARE = 0.15  # texts held out of the calibration fit to fit the temperature on
SEED = 0  # training is deterministic: same data, same model


class TrainingDataError(TierdeskError, ValueError):
    """Training data cannot make a classifier (empty, mismatched, too few examples per label)."""

    code = "bad_training_data"


def normalize(text: str) -> str:
    """NFKC then lower case: full-width Latin letters and digits, common in zh-TW text, become
    ASCII so "ＡＴＭ" and "atm" share features."""
    return unicodedata.normalize("NFKC", text).lower()


def _features() -> FeatureUnion:
    # `preprocessor` must be a module-level function so the fitted model pickles.
    word = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        preprocessor=normalize,
        # Keep one-character words ("a", "2", "卡"); S106 mistakes "token" for a password.
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=normalize
    )
    return FeatureUnion([("word", word), ("char", chars)])


# Model files pickle this class and `normalize` by import path: renaming or moving either, or
# changing the attributes, needs model_file.FORMAT_VERSION bumped so old files are refused.
class TrainedClassifier:
    """A fitted model. Implements `tierdesk.domain.classifier.Classifier`.

    `labels` are the known labels (sorted), `training_size` the number of training texts and
    `temperature` the fitted softmax temperature.
    """

    def __init__(
        self, features: FeatureUnion, svm: LinearSVC, temperature: float, training_size: int
    ) -> None:
        self._features = features
        self._svm = svm
        self.temperature = temperature
        self.training_size = training_size
        self.labels: tuple[str, ...] = tuple(str(c) for c in svm.classes_)

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Calibrated probabilities, shape (len(texts), len(labels)), columns in `labels` order.

        Raises TypeError for a bare string: it is a sequence too, of one-character texts.
        """
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of strings, not a string")
        if not texts:
            return np.zeros((0, len(self.labels)))
        scores = _scores(self._svm, self._features.transform(list(texts)))
        return np.asarray(softmax(scores / self.temperature, axis=1), dtype=np.float64)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per text, in order: the most likely label and its probability."""
        probs = self.probabilities(texts)
        best = probs.argmax(axis=1)
        return [
            Prediction(label=self.labels[i], confidence=float(probs[row, i]))
            for row, i in enumerate(best)
        ]


def train(texts: Sequence[str], labels: Sequence[str]) -> TrainedClassifier:
    """Fit a classifier on parallel sequences of texts and labels.

    Needs at least two distinct labels and two examples of each (the confidence calibration
    holds examples out). Raises TrainingDataError otherwise. Deterministic for the same input.
    """
    _check_training_data(texts, labels)
    features = _features()
    matrix = features.fit_transform(list(texts))
    y = np.asarray(labels)
    with ThreadPoolExecutor(max_workers=2) as pool:
        final = pool.submit(LinearSVC(C=SVM_C, random_state=SEED).fit, matrix, y)
        temperature = _fit_temperature(matrix, y)
        svm = final.result()
    return TrainedClassifier(features, svm, temperature, training_size=len(texts))


def _check_training_data(texts: Sequence[str], labels: Sequence[str]) -> None:
    if len(texts) != len(labels):
        raise TrainingDataError(f"{len(texts)} texts but {len(labels)} labels")
    counts = Counter(labels)
    if len(counts) < 2:
        raise TrainingDataError(f"need at least 2 distinct labels, got {len(counts)}")
    rare = sorted(label for label, n in counts.items() if n < 2)
    if rare:
        shown = ", ".join(repr(r) for r in rare[:5]) + (" ..." if len(rare) > 5 else "")
        raise TrainingDataError(
            f"each label needs at least 2 examples; {len(rare)} have 1: {shown}"
        )


def _scores(svm: LinearSVC, matrix: Any) -> NDArray[np.float64]:
    """SVM scores as (n, n_labels); the binary case has one column, expanded to two."""
    raw = np.asarray(svm.decision_function(matrix), dtype=np.float64)
    return np.column_stack([-raw, raw]) if raw.ndim == 1 else raw


def _fit_temperature(matrix: Any, y: NDArray[Any]) -> float:
    """The temperature that minimizes the log-loss of softmax(score / T) on held-out scores:
    an SVM fitted on 85% of the texts scores the other 15% (stratified; at least one text of
    each label held out when the labels allow it).

    The features are fitted once on all texts: the IDF weights leak a little, which costs a
    little calibration, not accuracy, and saves refitting them.
    """
    labels = sorted(set(y.tolist()))
    held = max(CALIBRATION_SHARE, len(labels) / len(y))
    stratify = y if min(Counter(y.tolist()).values()) >= 2 and held < 0.5 else None
    fit_idx, test_idx = train_test_split(
        np.arange(len(y)), test_size=min(held, 0.5), stratify=stratify, random_state=SEED
    )
    if len(set(y[fit_idx].tolist())) < 2:  # too few texts to hold any out: no calibration
        return 1.0
    svm = LinearSVC(C=SVM_C, random_state=SEED).fit(matrix[fit_idx], y[fit_idx])
    scores = _scores(svm, matrix[test_idx])
    # Columns follow the calibration fit's classes; a label it never saw cannot be scored.
    known = {c: i for i, c in enumerate(svm.classes_)}
    keep = np.array([t in known for t in y[test_idx]])
    if not keep.any():
        return 1.0
    truth = np.array([known[t] for t in y[test_idx][keep]])
    oof = scores[keep]
    rows = np.arange(len(truth))

    def log_loss(log_t: float) -> float:
        return float(-log_softmax(oof / np.exp(log_t), axis=1)[rows, truth].mean())

    # Search log T so T stays positive; e^-6..e^3 spans far beyond fitted values (~0.15).
    result = minimize_scalar(log_loss, bounds=(-6.0, 3.0), method="bounded")
    return float(np.exp(result.x))
