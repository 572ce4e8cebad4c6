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


class VersionStore(VersionReader[V], Protocol[V]):
    def effective(self) -> V | None: ...
    def save(self, version: V) -> None: ...


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


def approve(
    versions: VersionStore[V],
    what: str,
    version_id: str,
    approver: UserRecord,
    at: datetime,
    note: str,
) -> V:
    """The draft `version_id` put in force by `approver` (see `draft` for who may), saved; the
    version in force before it is saved as superseded (kept)."""
    version = draft(versions, what, version_id, approver, "approve")
    current = versions.effective()
    if current is not None:
        versions.save(replace(current, status="superseded"))  # type: ignore[type-var]
    approved = decided(version, "effective", approver, at, note)
    versions.save(approved)
    return approved


def reject(
    versions: VersionStore[V],
    what: str,
    version_id: str,
    approver: UserRecord,
    at: datetime,
    note: str,
) -> V:
    """The draft `version_id` rejected by `approver` with the reason `note`, saved."""
    rejected = decided(
        draft(versions, what, version_id, approver, "reject"), "rejected", approver, at, note
    )
    versions.save(rejected)
    return rejected
