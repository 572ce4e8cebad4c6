"""Triage model versions (issue 12): a model learned from the store is proposed as a draft
with its evaluation, and takes effect only when a manager or an admin approves it, like a
policy version (R-DOC-3). The version in force supersedes the one before it; every running
server and worker switches to it within seconds (`policies.PolicyInForce`).

The model's bytes are a model file's (`bootstrap.model_bytes`): trusted artifacts that only
`tierdesk triage train --from-store` writes. No endpoint accepts a model upload.
"""

from __future__ import annotations

import hashlib
import logging

from tierdesk.domain.classifier import Classifier
from tierdesk.domain.errors import TierdeskError
from tierdesk.domain.triage_eval import EvalReport
from tierdesk.services import versioning
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.records import ModelVersionRecord, new_id
from tierdesk.services.users import METRICS_ROLES, POLICY_APPROVER_ROLES, actor

MODEL_VIEW_ROLES = METRICS_ROLES  # who may read the versions and their figures (as metrics)
MODEL_APPROVER_ROLES = POLICY_APPROVER_ROLES  # who may put a model in force (managers, admins)
PHRASES = "the phrases alone"
_WHAT = "model version"

log = logging.getLogger("tierdesk.triage")


def propose(
    env: Env,
    *,
    payload: bytes,
    trained_on: int,
    corrected: int,
    candidate: EvalReport,
    baseline: EvalReport,
    baseline_name: str,
    actor_id: str | None = None,
) -> ModelVersionRecord:
    """Record a trained model as a draft version with both evaluations. `actor_id` None is the
    operator at the command line."""
    with env.uow() as uow:
        author = (
            "operator"
            if actor_id is None
            else actor(uow, actor_id, MODEL_VIEW_ROLES, "propose triage models").id
        )
        history = uow.models.history()
        version = ModelVersionRecord(
            id=new_id("mv"),
            number=(history[-1].number + 1) if history else 1,
            status="draft",
            created_by=author,
            created_at=env.now(),
            trained_on=trained_on,
            corrected=corrected,
            held_out=candidate.total,
            accuracy=round(candidate.accuracy, 4),
            baseline=baseline_name,
            baseline_accuracy=round(baseline.accuracy, 4),
            evaluation=candidate.to_json(),
            baseline_evaluation=baseline.to_json(),
            payload_sha256=hashlib.sha256(payload).hexdigest(),
            payload_bytes=len(payload),
        )
        uow.models.add(version, payload)
        uow.commit()
        return version


def approve(env: Env, *, version_id: str, actor_id: str, note: str = "") -> ModelVersionRecord:
    """A manager or an admin puts a draft in force; the version in force before it is
    superseded (kept). Forbidden for other roles and for the draft's author; InvalidTransition
    unless it is a draft."""
    with env.uow() as uow:
        approver = actor(uow, actor_id, MODEL_APPROVER_ROLES, "approve triage models")
        approved = versioning.approve(uow.models, _WHAT, version_id, approver, env.now(), note)
        uow.commit()
    log.info("triage model version %s approved by %s", approved.number, approver.username)
    return approved


def reject(env: Env, *, version_id: str, actor_id: str, note: str) -> ModelVersionRecord:
    """A manager or an admin rejects a draft, saying why."""
    if not note.strip():
        raise InvalidInput("note", "say why the model is rejected")
    with env.uow() as uow:
        approver = actor(uow, actor_id, MODEL_APPROVER_ROLES, "reject triage models")
        rejected = versioning.reject(uow.models, _WHAT, version_id, approver, env.now(), note)
        uow.commit()
        return rejected


def history(env: Env, *, actor_id: str | None = None) -> list[ModelVersionRecord]:
    """Every version, by number (`actor_id` None: the operator)."""
    with env.reader() as uow:
        if actor_id is not None:
            actor(uow, actor_id, MODEL_VIEW_ROLES, "read triage model versions")
        return uow.models.history()


def get(env: Env, version_id: str, *, actor_id: str | None = None) -> ModelVersionRecord:
    """One version with its evaluation. NotFound for an unknown id."""
    with env.reader() as uow:
        if actor_id is not None:
            actor(uow, actor_id, MODEL_VIEW_ROLES, "read triage model versions")
        version = uow.models.get(version_id)
    if version is None:
        raise NotFound("model version", version_id)
    return version


def in_force(env: Env) -> tuple[ModelVersionRecord | None, Classifier | None]:
    """The version in force and its model (None, None without one or when `env` cannot load
    stored models). A model that no longer loads (a scikit-learn upgrade) is logged and left
    out: triage goes on with the phrases rather than stopping the helpdesk."""
    if env.load_model is None:
        return None, None
    with env.reader() as uow:
        version = uow.models.effective()
        payload = None if version is None else uow.models.payload(version.id)
    if version is None or payload is None:
        return None, None
    return version, loaded(env, version, payload)


def loaded(env: Env, version: ModelVersionRecord, payload: bytes) -> Classifier | None:
    """The model in `payload`, or None (logged) when it no longer loads."""
    if env.load_model is None:
        return None
    try:
        return env.load_model(payload)
    except TierdeskError as exc:
        log.error(
            "triage model version %s no longer loads (%s); triaging with the phrases alone",
            version.number,
            exc,
        )
        return None


def name(version: ModelVersionRecord | None) -> str:
    """How a figure names what triaged: "model version 3", or the phrases alone."""
    return PHRASES if version is None else f"model version {version.number}"
