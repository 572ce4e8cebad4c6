"""Composition root: the only module that knows the concrete adapters.

Entry points (cli, web, workers) call these small functions and never import `tierdesk.adapters`
(an import-linter contract enforces it). Keep this a flat module of small functions.

Errors raised here are all ValueError subclasses with a message fit to show a user as is:
`TrainingDataError` (training CSV), `ModelFileError` (model file), `IntentMapError` (intent map).
"""

from __future__ import annotations

from pathlib import Path

from tierdesk.adapters import classifier as _classifier
from tierdesk.adapters.classifier import ModelFileError as ModelFileError
from tierdesk.adapters.classifier import TrainedClassifier
from tierdesk.adapters.classifier import TrainingDataError as TrainingDataError
from tierdesk.domain.classifier import Classifier
from tierdesk.domain.intent_map import IntentMapError as IntentMapError
from tierdesk.domain.intent_map import IntentMapping


def train_classifier_from_csv(
    path: str | Path, text_col: str = "text", label_col: str = "category"
) -> TrainedClassifier:
    """Train the text classifier on a CSV file with a header row.

    `text_col` holds the texts, `label_col` the labels (e.g. Banking77 intents). Every label
    needs at least two examples. Takes 10-20 s for 10,000 texts on one core. Raises
    TrainingDataError naming the file, and the line or the missing column, on bad input.
    """
    texts, labels = _classifier.read_labelled_csv(path, text_col, label_col)
    try:
        return _classifier.train(texts, labels)
    except TrainingDataError as exc:
        raise TrainingDataError(f"{path}: {exc}") from exc


def save_classifier(model: Classifier, path: str | Path) -> None:
    """Write a model returned by `train_classifier_from_csv` to `path`, replacing it atomically.

    Raises TypeError for a Classifier that this deployment cannot persist (e.g. a test fake).
    """
    if not isinstance(model, TrainedClassifier):
        raise TypeError(f"cannot save a {type(model).__name__}; only trained classifiers")
    _classifier.save(model, path)


def load_classifier(path: str | Path) -> Classifier:
    """Load a model file written by `save_classifier`.

    Model files are trusted artifacts: loading unpickles them, so load only files your own
    deployment trained. Raises ModelFileError (naming the file) for a file that is not a model,
    was written by another format or scikit-learn version, or fails its sha256 check.
    """
    return _classifier.load(path)


def load_intent_map(path: str | Path) -> dict[str, IntentMapping]:
    """Intent -> IntentMapping (category, priority, tier, escalation_signal) from a CSV file with
    columns source_intent, category, priority, tier[, escalation_signal].

    Raises IntentMapError naming file:line for a missing column or a bad row.
    """
    return _classifier.load_intent_map(path)
