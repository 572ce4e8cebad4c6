"""Model files: a one-line JSON header, then the pickled `TrainedClassifier`.

SECURITY: model files are trusted artifacts. Unpickling runs code chosen by whoever wrote the
file, so load only files your own deployment trained. The header's sha256 catches truncation,
corruption and casual edits, and the format and library versions catch files this code cannot
read correctly; none of it stops someone who can rewrite the whole file.

Layout (all UTF-8 up to the first newline):

    {"format": "tierdesk-classifier", "format_version": 1, "labels": [...], ...}\\n
    <pickle payload>
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

import sklearn

from tierdesk.adapters.classifier.linear import TrainedClassifier
from tierdesk.domain.errors import TierdeskError

FORMAT = "tierdesk-classifier"
FORMAT_VERSION = 1
MAX_HEADER_BYTES = 1024 * 1024  # a header lists labels; a megabyte is thousands of them


class ModelFileError(TierdeskError, ValueError):
    """The file is not a model this code can load; the message names the file and the reason."""

    code = "bad_model_file"


def dumps(model: TrainedClassifier) -> bytes:
    """`model` as the bytes of a model file (header + payload), e.g. to store as a version."""
    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "labels": list(model.labels),
        "training_size": model.training_size,
        "sklearn_version": sklearn.__version__,
        "payload_bytes": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    line = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    return line + payload


def save(model: TrainedClassifier, path: str | Path) -> None:
    """Write `model` to `path` (header + payload). Replaces the file atomically, so a crash
    mid-write leaves the previous model in place rather than a truncated one."""
    target = Path(path)
    data = dumps(model)
    tmp = target.with_name(target.name + ".tmp")
    try:
        with tmp.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def read_header(path: str | Path) -> dict[str, Any]:
    """The JSON header of a model file, without unpickling anything. Raises ModelFileError."""
    source = Path(path)
    try:
        with source.open("rb") as f:
            data = f.read(MAX_HEADER_BYTES)
    except OSError as exc:
        raise ModelFileError(f"{source}: cannot read model file: {exc.strerror}") from exc
    header, _ = _split(data, str(source))
    return header


def load(path: str | Path) -> TrainedClassifier:
    """Load a model written by `save`. Model files are trusted artifacts (see module docstring).

    Raises ModelFileError, naming the file, when it is not a tierdesk model, was written by
    another format version or scikit-learn version, or its payload does not match the sha256
    in its header.
    """
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"{source}: cannot read model file: {exc.strerror}") from exc
    return loads(data, str(source))


def loads(data: bytes, name: str) -> TrainedClassifier:
    """The model in `data` (the bytes `dumps` made); `name` says where they came from in the
    ModelFileError `load` describes. The same trust applies: only bytes this deployment wrote."""
    header, payload = _split(data, name)
    _check_header(name, header)
    if len(payload) != header["payload_bytes"]:
        raise ModelFileError(
            f"{name}: payload is {len(payload)} bytes, header says {header['payload_bytes']}"
            " (truncated or modified file)"
        )
    if hashlib.sha256(payload).hexdigest() != header["payload_sha256"]:
        raise ModelFileError(f"{name}: payload sha256 does not match its header (modified file)")
    # The hash matched the header written with it; the file is trusted by contract (docstring).
    model = pickle.loads(payload)  # noqa: S301
    if not isinstance(model, TrainedClassifier) or list(model.labels) != header["labels"]:
        raise ModelFileError(f"{name}: payload is not the classifier its header describes")
    return model


def _split(data: bytes, source: str) -> tuple[dict[str, Any], bytes]:
    end = data.find(b"\n", 0, MAX_HEADER_BYTES)
    try:
        header = json.loads(data[:end]) if end > 0 else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{source}: not a tierdesk classifier model file")
    return header, data[end + 1 :]


def _check_header(source: str, header: dict[str, Any]) -> None:
    version = header.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{source}: model format version {version!r}, this tierdesk reads {FORMAT_VERSION};"
            " retrain the model"
        )
    trained_with = header.get("sklearn_version")
    # scikit-learn does not support unpickling across versions; a mismatch may predict wrongly.
    if trained_with != sklearn.__version__:
        raise ModelFileError(
            f"{source}: trained with scikit-learn {trained_with}, running {sklearn.__version__};"
            " retrain the model"
        )
    keys = ("labels", "training_size", "payload_bytes", "payload_sha256")
    missing = [k for k in keys if k not in header]
    if missing:
        raise ModelFileError(f"{source}: header lacks {', '.join(missing)}")
