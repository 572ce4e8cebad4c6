"""Triage model versions (issue 12): the models learned from the store, their held-out figures
beside the model in force, and a manager's approval that puts one in force."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from tierdesk.services import model_versions
from tierdesk.services.records import ModelVersionRecord
from tierdesk.web.api.common import State
from tierdesk.web.auth import CurrentUser
from tierdesk.web.schemas import DecisionIn, RefusalIn

router = APIRouter(prefix="/model-versions", tags=["triage models"])
VersionId = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("", response_model=list[ModelVersionRecord])
def history(user: CurrentUser, state: State) -> list[ModelVersionRecord]:
    """Every version by number, with its evaluation (leads, supervisors, managers, QA, admins)."""
    return model_versions.history(state.env, actor_id=user.user_id)


@router.get("/{version_id}", response_model=ModelVersionRecord)
def version(version_id: VersionId, user: CurrentUser, state: State) -> ModelVersionRecord:
    """One version: accuracy per category and the confusion pairs on the held-out slice, for
    it and for what it was weighed against."""
    return model_versions.get(state.env, version_id, actor_id=user.user_id)


@router.post("/{version_id}/approve", response_model=ModelVersionRecord)
def approve(
    version_id: VersionId, body: DecisionIn, user: CurrentUser, state: State
) -> ModelVersionRecord:
    """A manager or an admin puts a draft in force; the previous one is superseded. This server
    triages with it at once; other servers and workers within seconds."""
    approved = model_versions.approve(
        state.env, version_id=version_id, actor_id=user.user_id, note=body.note
    )
    state.policy.refresh()
    return approved


@router.post("/{version_id}/reject", response_model=ModelVersionRecord)
def reject(
    version_id: VersionId, body: RefusalIn, user: CurrentUser, state: State
) -> ModelVersionRecord:
    """A manager or an admin rejects a draft, saying why."""
    return model_versions.reject(
        state.env, version_id=version_id, actor_id=user.user_id, note=body.note
    )
