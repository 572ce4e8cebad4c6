"""The decision on a versioned draft, shared by policy versions (R-DOC-3) and triage model
versions (issue 12): only a draft is decided, never by its own author, and the decision
records who made it, when and why."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol, TypeVar

from tierdesk.services.errors import Forbidden, InvalidTransition, NotFound
from tierdesk.services.records import UserRecord


class Versioned(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def created_by(self) -> str: ...


V = TypeVar("V", bound=Versioned)


class VersionReader(Protocol[V]):  # type: ignore[misc]
    def get(self, version_id: str) -> V | None: ...


def draft(
    versions: VersionReader[V], what: str, version_id: str, approver: UserRecord, verb: str
) -> V:
    """The draft `version_id` that `approver` may `verb` ("approve", "reject"): NotFound,
    InvalidTransition unless it is a draft, Forbidden for its own author (a second pair of
    eyes). `what` names it in messages ("policy version")."""
    version = versions.get(version_id)
    if version is None:
        raise NotFound(what, version_id)
    if version.status != "draft":
        raise InvalidTransition(
            f"cannot {verb} {what} {version.number}: it is {version.status}",
            version_id=version_id,
            status=version.status,
        )
    if version.created_by == approver.id:
        raise Forbidden(
            f"the author of {what} {version.number} cannot {verb} it",
            version_id=version_id,
        )
    return version


def decided(version: V, status: str, approver: UserRecord, at: datetime, note: str) -> V:
    """`version` approved ("effective") or "rejected" by `approver` at `at`, with the note."""
    return replace(  # type: ignore[type-var]
        version, status=status, approved_by=approver.id, approved_at=at, decision_note=note
    )
