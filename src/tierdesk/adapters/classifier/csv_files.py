"""CSV inputs of the classifier: labelled training texts and the intent-to-triage map.

Both readers accept UTF-8 with or without a byte-order mark (spreadsheet exports add one) and
report problems as `file:line: message`, the line being where the offending record starts.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from tierdesk.adapters.classifier.linear import TrainingDataError
from tierdesk.domain.intent_map import IntentMapError, IntentMapping

INTENT_MAP_COLUMNS = ("source_intent", "category", "priority", "tier")


def read_labelled_csv(
    path: str | Path, text_col: str = "text", label_col: str = "category"
) -> tuple[list[str], list[str]]:
    """Texts and labels from the named columns of a CSV file with a header row.

    Raises TrainingDataError naming the file (and line) when the file cannot be read, has no
    header or no data rows, lacks a column, or a row has an empty text or label.
    """
    source = Path(path)
    texts: list[str] = []
    labels: list[str] = []
    for line, row in _records(source, (text_col, label_col), TrainingDataError):
        text, label = row[text_col].strip(), row[label_col].strip()
        if not text or not label:
            empty = text_col if not text else label_col
            raise TrainingDataError(f"{source}:{line}: empty {empty!r}")
        texts.append(text)
        labels.append(label)
    if not texts:
        raise TrainingDataError(f"{source}: no data rows")
    return texts, labels


def read_labelled(
    path: str | Path, text_col: str = "text", label_col: str = "category"
) -> tuple[list[str], list[str]]:
    """`read_labelled_csv`, or for a `.jsonl` file one JSON object per line with the two keys.

    Raises TrainingDataError naming file:line for a line that is not an object with a
    non-empty text and label.
    """
    source = Path(path)
    if source.suffix.lower() not in {".jsonl", ".ndjson"}:
        return read_labelled_csv(source, text_col, label_col)
    texts: list[str] = []
    labels: list[str] = []
    try:
        with source.open(encoding="utf-8-sig") as handle:
            for line, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise TrainingDataError(f"{source}:{line}: not JSON: {exc.msg}") from exc
                if not isinstance(record, dict):
                    raise TrainingDataError(f"{source}:{line}: expected a JSON object")
                text, label = record.get(text_col), record.get(label_col)
                for name, value in ((text_col, text), (label_col, label)):
                    if not isinstance(value, str) or not value.strip():
                        raise TrainingDataError(f"{source}:{line}: missing or empty {name!r}")
                texts.append(str(text).strip())
                labels.append(str(label).strip())
    except UnicodeDecodeError as exc:
        raise TrainingDataError(f"{source}: not UTF-8 text: {exc.reason}") from exc
    except OSError as exc:
        raise TrainingDataError(f"{source}: cannot read: {exc.strerror}") from exc
    if not texts:
        raise TrainingDataError(f"{source}: no data rows")
    return texts, labels


def load_intent_map(path: str | Path) -> dict[str, IntentMapping]:
    """Intent -> IntentMapping from a CSV with columns source_intent, category, priority, tier
    and, optionally, escalation_signal (empty means none).

    Raises IntentMapError naming file:line for a missing column, a bad priority (not P1-P9) or
    tier (not L1-L9), an unknown escalation signal, an empty intent or a duplicate intent.
    """
    source = Path(path)
    mapping: dict[str, IntentMapping] = {}
    for line, row in _records(source, INTENT_MAP_COLUMNS, IntentMapError):
        intent = row["source_intent"].strip()
        if not intent:
            raise IntentMapError(f"{source}:{line}: empty source_intent")
        if intent in mapping:
            raise IntentMapError(f"{source}:{line}: duplicate source_intent {intent!r}")
        signal = (row.get("escalation_signal") or "").strip() or None
        try:
            mapping[intent] = IntentMapping(
                category=row["category"].strip(),
                priority=row["priority"].strip(),
                tier=row["tier"].strip(),
                escalation_signal=signal,
            )
        except IntentMapError as exc:
            raise IntentMapError(f"{source}:{line}: {intent}: {exc}") from exc
    if not mapping:
        raise IntentMapError(f"{source}: no data rows")
    return mapping


def _records(
    source: Path, required: tuple[str, ...], error: type[ValueError]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(start line, row) for each non-blank record; raises `error` with file:line on bad input."""
    start = 1
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            if not header:
                raise error(f"{source}: empty file (expected a header row)")
            missing = [c for c in required if c not in header]
            if missing:
                found = ", ".join(header)
                raise error(f"{source}:1: missing column(s) {', '.join(missing)}; found: {found}")
            start = reader.line_num + 1
            for fields in reader:
                if any(f.strip() for f in fields):
                    if len(fields) != len(header):
                        raise error(
                            f"{source}:{start}: {len(fields)} fields, the header has {len(header)}"
                        )
                    yield start, dict(zip(header, fields, strict=True))
                start = reader.line_num + 1
    except csv.Error as exc:
        raise error(f"{source}:{start}: malformed CSV: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{source}: not UTF-8 text: {exc.reason}") from exc
    except OSError as exc:
        raise error(f"{source}: cannot read: {exc.strerror}") from exc
