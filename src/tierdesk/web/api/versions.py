"""Policy versions (R-DOC-3): propose, approve, reject, acknowledge, history, changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from tierdesk.services import policies
from tierdesk.services.records import AcknowledgementRecord, PolicyVersionRecord
from tierdesk.web.api.common import State
from tierdesk.web.auth import CurrentUser
from tierdesk.web.schemas import DecisionIn, PolicyProposeIn, RefusalIn

router = APIRouter(prefix="/policy-versions", tags=["policy versions"])
VersionId = Annotated[str, Path(min_length=1, max_length=100)]
AgainstId = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        description="The version to compare with (default: the version in force).",
    ),
]


@router.get("", response_model=list[PolicyVersionRecord])
def history(user: CurrentUser, state: State) -> list[PolicyVersionRecord]:
    """Every version by number: the revision history (any signed-in user may read it)."""
    return policies.history(state.env)


@router.get("/{version_id}", response_model=PolicyVersionRecord)
def version(version_id: VersionId, user: CurrentUser, state: State) -> PolicyVersionRecord:
    """One version: its source, status and the checker's findings stored with it (R-DOC-3)."""
    return policies.get_version(state.env, version_id)


@router.get("/{version_id}/changes", response_model=policies.VersionChanges)
def changes(
    version_id: VersionId, user: CurrentUser, state: State, against: AgainstId = None
) -> policies.VersionChanges:
    """What a version changes compared with another (default: the version in force), one
    entry per change: {path, kind (changed, added, removed), old, new}. Any signed-in user may
    read it."""
    return policies.changes(state.env, version_id, against)


@router.post("", status_code=201, response_model=PolicyVersionRecord)
def propose(body: PolicyProposeIn, user: CurrentUser, state: State) -> PolicyVersionRecord:
    """Propose a new draft (the role is checked first, then the YAML; findings are a 422,
    `policy_too_complex` for a text too large, too deep or an alias bomb)."""
    return policies.propose_version(
        state.env,
        source=body.source,
        title=body.title,
        actor_id=user.user_id,
        change_note=body.change_note,
        max_bytes=state.settings.policy_max_bytes,
    )


@router.post("/{version_id}/approve", response_model=PolicyVersionRecord)
def approve(
    version_id: VersionId, body: DecisionIn, user: CurrentUser, state: State
) -> PolicyVersionRecord:
    """A named approver makes a draft effective; the previous one is superseded. This
    server runs it at once; other servers and workers within seconds."""
    approved = policies.approve_version(
        state.env, version_id=version_id, actor_id=user.user_id, note=body.note
    )
    state.policy.refresh()
    return approved


@router.post("/{version_id}/reject", response_model=PolicyVersionRecord)
def reject(
    version_id: VersionId, body: RefusalIn, user: CurrentUser, state: State
) -> PolicyVersionRecord:
    """A named approver rejects a draft, saying why."""
    return policies.reject_version(
        state.env, version_id=version_id, actor_id=user.user_id, note=body.note
    )


@router.post("/{version_id}/acknowledge", response_model=AcknowledgementRecord)
def acknowledge(version_id: VersionId, user: CurrentUser, state: State) -> AcknowledgementRecord:
    """The caller acknowledges the effective version (needed before taking tickets)."""
    return policies.acknowledge(state.env, version_id=version_id, actor_id=user.user_id)
