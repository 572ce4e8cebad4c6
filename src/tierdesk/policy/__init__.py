"""The SOP policy file: schema, loader with file:line:col findings, checker, presets, compiler."""

from __future__ import annotations

from pathlib import Path

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy.check import check
from tierdesk.policy.compile import compile_policy
from tierdesk.policy.loader import (
    PRESETS,
    Finding,
    LoadedPolicy,
    PolicyError,
    load_file,
    load_preset,
    preset_path,
)

__all__ = [
    "PRESETS",
    "Finding",
    "LoadedPolicy",
    "PolicyError",
    "check",
    "compile_policy",
    "load",
    "load_checked",
    "preset_path",
    "rulebook",
]


def load(policy: str | Path | None = None, preset: str | None = None) -> LoadedPolicy:
    """Load a policy file, or a packaged preset (default: cs-sop). Raises PolicyError."""
    if policy is not None:
        return load_file(policy)
    return load_preset(preset or "cs-sop")


def load_checked(
    policy: str | Path | None = None, preset: str | None = None
) -> tuple[LoadedPolicy, list[Finding]]:
    """Load and check; raises PolicyError when any finding is an error. Returns the warnings."""
    loaded = load(policy, preset)
    findings = check(loaded)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise PolicyError(errors)
    return loaded, findings


def rulebook(policy: str | Path | None = None, preset: str | None = None) -> Rulebook:
    """The compiled rules of a policy that checks without errors (default preset: cs-sop)."""
    loaded, _ = load_checked(policy, preset)
    return compile_policy(loaded.policy)
