"""Document control of the policy (R-DOC-3).

A version is proposed as a draft (it must load and check without errors), takes effect only when
a named approver (manager or admin, not its author) approves it, and the version it replaces is
kept as superseded: `history` is the revision history. Agents acknowledge the effective version;
`require_acknowledged` refuses to assign tickets to an agent who has not.

The running services keep the Rulebook they were built with: the composition root builds a new
`Env` from `effective_rulebook` when a version takes effect.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import PolicyError, check, compile_policy
from tierdesk.policy.loader import load_text
from tierdesk.services.env import Env
from tierdesk.services.errors import (
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PolicyNotAcknowledged,
)
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import (
    AcknowledgementRecord,
    PolicyVersionRecord,
    UserRecord,
    new_id,
)
from tierdesk.services.users import (
    AGENT_ROLES,
    LEAD_ROLES,
    NOTE_ROLES,
    POLICY_APPROVER_ROLES,
    POLICY_AUTHOR_ROLES,
    actor,
)


def _checked(source: str, title: str) -> Rulebook:
    """The rules of `source`; InvalidInput listing every finding (file:line) otherwise."""
    try:
        loaded = load_text(source, title or "<policy>")
        errors = [f for f in check(loaded) if f.severity == "error"]
        if errors:
            raise PolicyError(errors)
        return compile_policy(loaded.policy)
    except PolicyError as exc:
        raise InvalidInput(
            "source",
            "the policy does not check: " + "; ".join(f.format() for f in exc.findings),
            findings=[f.format() for f in exc.findings],
        ) from None


def propose_version(
    env: Env, *, source: str, title: str, actor_id: str | None, change_note: str = ""
) -> PolicyVersionRecord:
    """Record a new draft version. `actor_id` None is the local operator (CLI, demo)."""
    if not title.strip():
        raise InvalidInput("title", "a policy version needs a title")
    _checked(source, title)
    with env.uow() as uow:
        author = "operator" if actor_id is None else actor_id
        if actor_id is not None:
            actor(uow, actor_id, POLICY_AUTHOR_ROLES, "propose policy versions")
        history = uow.policies.history()
        version = PolicyVersionRecord(
            id=new_id("pv"),
            number=(history[-1].number + 1) if history else 1,
            title=title.strip(),
            source=source,
            digest=hashlib.sha256(source.encode()).hexdigest(),
            status="draft",
            created_by=author,
            created_at=env.now(),
            change_note=change_note,
        )
        uow.policies.add(version)
        uow.commit()
        return version


def approve_version(
    env: Env, *, version_id: str, actor_id: str, note: str = ""
) -> PolicyVersionRecord:
    """A named approver approves a draft: it becomes effective, the previous effective
    version becomes superseded (kept). Forbidden for a role that may not approve or for the
    draft's own author (a second pair of eyes); InvalidTransition unless it is a draft."""
    with env.uow() as uow:
        approver = actor(uow, actor_id, POLICY_APPROVER_ROLES, "approve policy versions")
        version = _draft(uow, version_id, approver, "approve")
        now = env.now()
        current = uow.policies.effective()
        if current is not None:
            uow.policies.save(replace(current, status="superseded"))
        approved = replace(
            version,
            status="effective",
            approved_by=approver.id,
            approved_at=now,
            decision_note=note,
        )
        uow.policies.save(approved)
        uow.commit()
        return approved


def reject_version(env: Env, *, version_id: str, actor_id: str, note: str) -> PolicyVersionRecord:
    """A named approver rejects a draft, with the reason."""
    if not note.strip():
        raise InvalidInput("note", "say why the version is rejected")
    with env.uow() as uow:
        approver = actor(uow, actor_id, POLICY_APPROVER_ROLES, "reject policy versions")
        version = _draft(uow, version_id, approver, "reject")
        rejected = replace(
            version,
            status="rejected",
            approved_by=approver.id,
            approved_at=env.now(),
            decision_note=note,
        )
        uow.policies.save(rejected)
        uow.commit()
        return rejected


def _draft(
    uow: UnitOfWork, version_id: str, approver: UserRecord, verb: str
) -> PolicyVersionRecord:
    version = uow.policies.get(version_id)
    if version is None:
        raise NotFound("policy version", version_id)
    if version.status != "draft":
        raise InvalidTransition(
            f"cannot {verb} policy version {version.number}: it is {version.status}",
            version_id=version_id,
            status=version.status,
        )
    if version.created_by == approver.id:
        raise Forbidden(
            f"the author of policy version {version.number} cannot {verb} it",
            version_id=version_id,
        )
    return version


def acknowledge(env: Env, *, version_id: str, actor_id: str) -> AcknowledgementRecord:
    """The user acknowledges the effective version (idempotent: the first time stands).
    InvalidTransition for a version that is not the effective one."""
    with env.uow() as uow:
        user = actor(uow, actor_id, NOTE_ROLES, "acknowledge the policy")
        version = uow.policies.get(version_id)
        if version is None:
            raise NotFound("policy version", version_id)
        if version.status != "effective":
            raise InvalidTransition(
                f"policy version {version.number} is {version.status}; acknowledge the "
                "effective version",
                version_id=version_id,
                status=version.status,
            )
        existing = uow.policies.acknowledgement(version_id, user.id)
        if existing is not None:
            return existing
        ack = AcknowledgementRecord(version_id, user.id, env.now())
        uow.policies.add_acknowledgement(ack)
        uow.commit()
        return ack


def require_acknowledged(uow: UnitOfWork, user: UserRecord) -> None:
    """PolicyNotAcknowledged when `user` works tickets and has not acknowledged the
    effective version. Without an effective version there is nothing to acknowledge."""
    if user.role not in AGENT_ROLES | LEAD_ROLES:
        return
    version = uow.policies.effective()
    if version is None or uow.policies.acknowledgement(version.id, user.id) is not None:
        return
    raise PolicyNotAcknowledged(
        f"{user.username} has not acknowledged policy version {version.number} "
        f"({version.title}); they cannot be assigned tickets until they do",
        user_id=user.id,
        version_id=version.id,
        version=version.number,
    )


def history(env: Env) -> list[PolicyVersionRecord]:
    """Every version, by number: the revision history."""
    with env.uow() as uow:
        return uow.policies.history()


def effective_rulebook(env: Env) -> Rulebook | None:
    """The compiled rules of the effective version (None when no version was approved)."""
    with env.uow() as uow:
        version = uow.policies.effective()
    return None if version is None else _checked(version.source, version.title)


def in_force(env: Env) -> Env:
    """`env` running the rules of the effective policy version when one was approved
    (R-DOC-3: the approved version is the one in force), else `env` as it is."""
    effective = effective_rulebook(env)
    return env if effective is None else replace(env, rules=effective)


def effective_version(env: Env) -> PolicyVersionRecord | None:
    """The version in force (None before any was approved)."""
    with env.uow() as uow:
        return uow.policies.effective()
