"""docs/policy-reference.md is generated from the schema and kept in step with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tierdesk.policy import reference
from tierdesk.policy.reference_notes import NOTES

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy-reference.md"


def test_the_committed_reference_matches_the_schema() -> None:
    assert DOC.read_text(encoding="utf-8") == reference.generate(), (
        "docs/policy-reference.md is stale: run `make docs` "
        "(python -m tierdesk.policy.reference > docs/policy-reference.md)"
    )


def test_the_module_prints_the_reference() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tierdesk.policy.reference"],
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    )
    assert result.stdout == reference.generate()


def test_every_schema_field_is_described() -> None:
    missing = [f"{model}.{key}" for model, key, desc in reference.fields() if not desc.strip()]
    assert missing == [], "add Field(description=...) in policy/schema/ (or a note)"


def test_every_note_names_a_field_that_exists() -> None:
    keys = {f"{model}.{key}" for model, key, _ in reference.fields()}
    assert sorted(set(NOTES) - keys) == []


def test_every_model_and_field_appears_in_the_reference() -> None:
    text = reference.generate()
    for name in reference.models():
        assert f"\n## {name}\n" in text
    sections = text.split("\n## ")
    for model, key, _ in reference.fields():
        section = next(s for s in sections if s.startswith(f"{model}\n"))
        assert f"| `{key}` |" in section, f"{model}.{key}"


def test_a_field_without_any_description_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(NOTES, "Band.role")
    missing = [f"{m}.{k}" for m, k, d in reference.fields() if not d.strip()]
    assert missing == ["Band.role"]
