"""Document control of the policy (R-DOC-3).

A version is proposed as a draft (it must load and check without errors), takes effect only when
a named approver (manager or admin, not its author) approves it, and the version it replaces is
kept as superseded: `history` is the revision history; `changes` says what a version changes
(semantically, see `tierdesk.policy.compare`) against the one in force. Agents acknowledge the
effective version; `require_acknowledged` refuses to assign tickets to an agent who has not.

Running processes follow the version in force through `PolicyInForce`: every server and worker
re-reads which version is effective every few seconds and switches to a newly approved one without a
restart (the approving server switches at once).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tierdesk.domain.notify_rules import NoticeEvent
from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import PolicyError, check, compile_policy
from tierdesk.policy.compare import Change, compare
from tierdesk.policy.loader import MAX_POLICY_BYTES, Finding, load_text
from tierdesk.policy.loader import PolicyTooComplex as TooComplexText
from tierdesk.policy.schema import Policy
from tierdesk.services import model_versions, staff_notices, versioning
from tierdesk.services.env import Env
from tierdesk.services.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PolicyNotAcknowledged,
    PolicyTooComplex,
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

_WHAT = "policy version"


def _checked(
    source: str, title: str, max_bytes: int = MAX_POLICY_BYTES
) -> tuple[Rulebook, list[Finding]]:
    """The rules of `source` and the checker's warnings; PolicyTooComplex (too large, too
    deep, an alias bomb) or InvalidInput listing every finding (file:line) otherwise."""
    try:
        loaded = load_text(source, title or "<policy>", max_bytes)
        findings = check(loaded)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            raise PolicyError(errors)
        return compile_policy(loaded.policy), findings
    except PolicyError as exc:
        error = PolicyTooComplex if isinstance(exc, TooComplexText) else InvalidInput
        raise error(
            "source",
            "the policy does not check: " + "; ".join(f.format() for f in exc.findings),
            findings=[f.format() for f in exc.findings],
        ) from None


def propose_version(
    env: Env,
    *,
    source: str,
    title: str,
    actor_id: str | None,
    change_note: str = "",
    max_bytes: int = MAX_POLICY_BYTES,
) -> PolicyVersionRecord:
    """Record a new draft version. `actor_id` None is the local operator (CLI, demo). The
    role is checked before the YAML is read: a caller who may not propose costs no parsing."""
    if actor_id is not None:
        with env.reader() as uow:
            actor(uow, actor_id, POLICY_AUTHOR_ROLES, "propose policy versions")
    if not title.strip():
        raise InvalidInput("title", "a policy version needs a title")
    _, findings = _checked(source, title, max_bytes)
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
            findings=tuple(f.to_json() for f in findings),
        )
        uow.policies.add(version)
        uow.commit()
        return version


# Open tickets are re-timed under a newly approved version: the sweeper looks at each this long
# after the approval (every process runs the version by then: `PolicyInForce` re-reads every
# RECHECK_SECONDS) and stores its clocks, due time and next look as the new rules set them.
RECHECK_SECONDS = 5.0
RECLOCK_AFTER = timedelta(seconds=3 * RECHECK_SECONDS)


def approve_version(
    env: Env, *, version_id: str, actor_id: str, note: str = ""
) -> PolicyVersionRecord:
    """A named approver approves a draft: it becomes effective, the previous effective
    version becomes superseded (kept). Forbidden for a role that may not approve or for the
    draft's own author (a second pair of eyes); InvalidTransition unless it is a draft.
    Every open ticket is then re-timed under the new rules by the sweeper (`RECLOCK_AFTER`)."""
    announced = _announcing(env, version_id)  # compiled before the write transaction opens
    with env.uow() as uow:
        approver = actor(uow, actor_id, POLICY_APPROVER_ROLES, "approve policy versions")
        now = env.now()
        approved = versioning.approve(uow.policies, _WHAT, version_id, approver, now, note)
        staff_notices.record(uow, announced, [_in_force(approved, approver.id, now)])
        uow.tickets.sweep_active_by(now + RECLOCK_AFTER)
        uow.commit()
        return approved


def _announcing(env: Env, version_id: str) -> Env:
    """`env` with the rules of the version about to come into force: its own notification
    rules say who is told of it (`env` itself when it cannot be read; approval then refuses)."""
    with env.reader() as uow:
        version = uow.policies.get(version_id)
    if version is None:
        return env
    try:
        return replace(env, rules=compile_policy(_stored(version, "version_id")))
    except InvalidInput:
        return env


def _in_force(version: PolicyVersionRecord, approver_id: str, at: datetime) -> NoticeEvent:
    """The staff notice event of a version that came into force (to acknowledge)."""
    subject = f"{version.number} ({version.title})"
    return NoticeEvent("policy_version", at, version.id, subject=subject, actor_id=approver_id)


def reject_version(env: Env, *, version_id: str, actor_id: str, note: str) -> PolicyVersionRecord:
    """A named approver rejects a draft, with the reason."""
    if not note.strip():
        raise InvalidInput("note", "say why the version is rejected")
    with env.uow() as uow:
        approver = actor(uow, actor_id, POLICY_APPROVER_ROLES, "reject policy versions")
        rejected = versioning.reject(uow.policies, _WHAT, version_id, approver, env.now(), note)
        uow.commit()
        return rejected


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
    with env.reader() as uow:
        return uow.policies.history()


def get_version(env: Env, version_id: str) -> PolicyVersionRecord:
    """One version with its source and the checker's findings. NotFound for an unknown id."""
    with env.reader() as uow:
        version = uow.policies.get(version_id)
    if version is None:
        raise NotFound("policy version", version_id)
    return version


@dataclass(frozen=True)
class VersionChanges:
    """What version `version_id` changes compared with version `against_id` (what an approver
    reviews before approving, R-DOC-3). `against_id` None: there was nothing to compare with,
    and `note` says why."""

    version_id: str
    against_id: str | None
    changes: tuple[Change, ...] = ()
    note: str = ""
    findings: tuple[dict[str, Any], ...] = ()  # the checker's, stored with the version


def changes(env: Env, version_id: str, against_id: str | None = None) -> VersionChanges:
    """The semantic changes from `against_id` (default: the version in force) to `version_id`,
    ordered by path (see `tierdesk.policy.compare`). NotFound for an unknown id."""
    with env.reader() as uow:
        version = uow.policies.get(version_id)
        if version is None:
            raise NotFound("policy version", version_id)
        against = uow.policies.effective() if against_id is None else uow.policies.get(against_id)
        if against is None and against_id is not None:
            raise NotFound("policy version", against_id)
    if against is None:
        note = "no version is in force yet, so there is nothing to compare with"
        return VersionChanges(version.id, None, (), note, version.findings)
    found = compare(_stored(against, "against"), _stored(version, "version_id"))
    note = "this is the version in force" if against.id == version.id and against_id is None else ""
    return VersionChanges(version.id, against.id, tuple(found), note, version.findings)


def _stored(version: PolicyVersionRecord, field: str) -> Policy:
    """The validated policy of a stored version (it checked when it was proposed)."""
    try:
        return load_text(version.source, f"policy version {version.number}").policy
    except PolicyError as exc:  # the schema changed since: say so, never a 500
        raise InvalidInput(
            field,
            f"policy version {version.number} no longer loads",
            findings=[f.format() for f in exc.findings],
        ) from None


def in_force(env: Env) -> Env:
    """`env` running the rules of the effective policy version when one was approved
    (R-DOC-3: the approved version is the one in force), else `env` as it is."""
    return PolicyInForce(env).env()


log = logging.getLogger("tierdesk.policy")


class PolicyInForce:
    """The Env that runs the policy version in force, followed while the process runs (R-DOC-3),
    with the triage model version in force (issue 12) when `base` can load stored models.

    `base` runs the configured rules, used until a version is approved. `env()` re-reads which
    versions are effective at most every `recheck` seconds (a row each) and, when another took
    effect, compiles or loads it and switches; so every server and worker runs a newly approved
    version within `recheck` seconds, without a restart. `refresh()` switches at once (after an
    approval in this process). A failed re-read keeps what is in force and is retried at the
    next recheck. Thread-safe: one thread re-reads while the others go on with the current Env.
    """

    def __init__(
        self,
        base: Env,
        *,
        recheck: float = RECHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base = base
        self._recheck = recheck
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._env = base
        self._version_id: str | None = None
        self._model_id: str | None = None
        self._checked_at = 0.0
        self.refresh()

    @property
    def version_id(self) -> str | None:
        """The id of the version whose rules run (None: the configured rules)."""
        return self._version_id

    @property
    def model_id(self) -> str | None:
        """The id of the model version that triages (None: the configured model, if any)."""
        return self._model_id

    def env(self) -> Env:
        """The Env in force; re-reads the effective versions when `recheck` has passed."""
        if self._monotonic() - self._checked_at >= self._recheck and self._lock.acquire(
            blocking=False
        ):
            try:
                self._reread()
            except Exception:  # the database is down or the stored source no longer loads
                log.exception("could not re-read the policy version in force; keeping the last")
            finally:
                self._lock.release()
        return self._env

    def refresh(self) -> Env:
        """Re-read the effective versions now (errors propagate) and return the Env in force."""
        with self._lock:
            self._reread()
        return self._env

    def _reread(self) -> None:
        self._checked_at = self._monotonic()
        reads_models = self._base.load_model is not None
        with self._base.reader() as uow:
            version = uow.policies.effective()
            model = uow.models.effective() if reads_models else None
            new_model = model is not None and model.id != self._model_id
            payload = uow.models.payload(model.id) if model is not None and new_model else None
        changes: dict[str, Any] = {}
        if version is not None and version.id != self._version_id:
            changes["rules"] = _checked(version.source, version.title)[0]
        if model is not None and payload is not None:
            # A stored model was trained on categories: no intent map applies to it.
            changes["classifier"] = model_versions.loaded(self._base, model, payload)
            changes["intent_map"] = None
        if not changes:
            return
        self._env = replace(self._env, **changes)
        if "rules" in changes and version is not None:
            self._version_id = version.id
            log.info("policy version %s (%s) is in force", version.number, version.title)
        if model is not None and payload is not None:
            self._model_id = model.id
            log.info("triage model version %s is in force", model.number)


EnvSource = Env | PolicyInForce


def current(source: EnvSource) -> Env:
    """The Env to run the next step on: `source` itself, or the one in force now."""
    return source if isinstance(source, Env) else source.env()
