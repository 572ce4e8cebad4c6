"""The SOP policy file: schema, loader with file:line:col findings, checker, presets, compiler."""

from __future__ import annotations

from pathlib import Path

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy.check import check
from tierdesk.policy.compile import compile_policy
from tierdesk.policy.loader import (
    MAX_POLICY_BYTES,
    PRESETS,
    Finding,
    LoadedPolicy,
    PolicyError,
    PolicyTooComplex,
    load_file,
    load_preset,
    preset_path,
)

__all__ = [
    "MAX_POLICY_BYTES",
    "PRESETS",
    "Finding",
    "LoadedPolicy",
    "PolicyError",
    "PolicyTooComplex",
    "check",
    "compile_policy",
    "load",
    "load_checked",
    "preset_path",
    "rulebook",
]


def load(
    policy: str | Path | None = None,
    preset: str | None = None,
    max_bytes: int = MAX_POLICY_BYTES,
) -> LoadedPolicy:
    """Load a policy file (at most `max_bytes`), or a packaged preset (default: cs-sop).
    Raises PolicyError (PolicyTooComplex for a file too large, too deep or an alias bomb)."""
    if policy is not None:
        return load_file(policy, max_bytes)
    return load_preset(preset or "cs-sop")


def load_checked(
    policy: str | Path | None = None,
    preset: str | None = None,
    max_bytes: int = MAX_POLICY_BYTES,
) -> tuple[LoadedPolicy, list[Finding]]:
    """Load and check; raises PolicyError when any finding is an error. Returns the warnings."""
    loaded = load(policy, preset, max_bytes)
    findings = check(loaded)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise PolicyError(errors)
    return loaded, findings


def rulebook(
    policy: str | Path | None = None,
    preset: str | None = None,
    max_bytes: int = MAX_POLICY_BYTES,
) -> Rulebook:
    """The compiled rules of a policy that checks without errors (default preset: cs-sop)."""
    loaded, _ = load_checked(policy, preset, max_bytes)
    return compile_policy(loaded.policy)
