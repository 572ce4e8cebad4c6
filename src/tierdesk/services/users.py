"""Users and roles: who may run which command.

Roles (`tierdesk.services.records.ROLES`): agent_l1, agent_l2, agent_l3, team_lead, supervisor,
manager, qa, admin. Authority for money (refunds, discounts) is the policy's `authority` ladder,
checked by `tierdesk.services.approvals`; this module answers the plainer question "may this
role work tickets / approve policy / manage users at all".
"""

from __future__ import annotations

import re
from dataclasses import replace

from tierdesk.services.env import Env
from tierdesk.services.errors import Forbidden, InvalidInput, NotFound, UsernameTaken
from tierdesk.services.ports import DuplicateKey, UnitOfWork
from tierdesk.services.records import ROLES, UserRecord, new_id

AGENT_ROLES = frozenset({"agent_l1", "agent_l2", "agent_l3"})
LEAD_ROLES = frozenset({"team_lead", "supervisor", "manager"})
TICKET_ROLES = AGENT_ROLES | LEAD_ROLES | {"admin"}  # may change tickets
NOTE_ROLES = TICKET_ROLES | {"qa"}  # may read tickets and add internal notes
POLICY_APPROVER_ROLES = frozenset({"manager", "admin"})  # R-DOC-3 named approvers
POLICY_AUTHOR_ROLES = frozenset({"supervisor", "manager", "admin"})
# may read the metrics (report, GET /api/metrics): leads and QA judge the SOP; agents see their
# own work in their queue, not the team's numbers
METRICS_ROLES = LEAD_ROLES | {"qa", "admin"}
USER_ADMIN_ROLES = frozenset({"admin"})
# The tier each agent role works; leads work any tier.
ROLE_TIER = {"agent_l1": "L1", "agent_l2": "L2", "agent_l3": "L3"}

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def actor(uow: UnitOfWork, user_id: str, allowed: frozenset[str], command: str) -> UserRecord:
    """The active user `user_id`, whose role must be in `allowed` for `command`.

    NotFound for an unknown user; Forbidden for an inactive one or a role not allowed."""
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound("user", user_id)
    if not user.active:
        raise Forbidden(f"user {user.username} is deactivated", user_id=user_id)
    require_role(user, allowed, command)
    return user


def require_role(user: UserRecord, allowed: frozenset[str], command: str) -> None:
    """Forbidden (naming the roles that may) unless `user`'s role is in `allowed`."""
    if user.role not in allowed:
        raise Forbidden(
            f"{user.role} may not {command}",
            role=user.role,
            command=command,
            allowed_roles=sorted(allowed),
        )


def add_user(
    env: Env,
    *,
    username: str,
    display_name: str,
    role: str,
    actor_id: str | None,
    email: str | None = None,
    language: str = "en",
    password_hash: str | None = None,
) -> UserRecord:
    """Create a user. `actor_id` None means the local operator (the `tierdesk user add` CLI,
    demo seeding); every web request passes the signed-in admin. Conflict (code
    `username_taken`) for an existing username."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput("username", "2-64 characters: a-z, 0-9, '.', '_' or '-'", value=username)
    if role not in ROLES:
        raise InvalidInput("role", f"must be one of {', '.join(ROLES)}", value=role)
    with env.uow() as uow:
        if actor_id is not None:
            actor(uow, actor_id, USER_ADMIN_ROLES, "add users")
        user = UserRecord(
            id=new_id("u"),
            username=name,
            display_name=display_name.strip() or name,
            role=role,
            created_at=env.now(),
            email=email,
            language=language,
            password_hash=password_hash,
        )
        if uow.users.get_by_username(name) is not None:
            raise _taken(name)
        try:
            uow.users.add(user)
        except DuplicateKey as exc:
            raise _taken(name) from exc
        uow.commit()
        return user


def _taken(username: str) -> UsernameTaken:
    return UsernameTaken(f"username {username!r} is taken", username=username)


def update_user(
    env: Env,
    *,
    user_id: str,
    actor_id: str | None,
    role: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
    password_hash: str | None = None,
    keep_session_id: str | None = None,
) -> UserRecord:
    """Change a user's role, active flag, name or password hash (admin only).

    A new password or a deactivation ends every session of the user in the same unit of
    work (`tierdesk.services.sessions`): a copied cookie stops working with the old password.
    When users change their own password, `keep_session_id` (the session they are using) is
    kept; any other password change (an admin's reset, the CLI) and any deactivation end all."""
    if role is not None and role not in ROLES:
        raise InvalidInput("role", f"must be one of {', '.join(ROLES)}", value=role)
    with env.uow() as uow:
        if actor_id is not None:
            actor(uow, actor_id, USER_ADMIN_ROLES, "change users")
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound("user", user_id)
        user = replace(
            user,
            role=role if role is not None else user.role,
            active=active if active is not None else user.active,
            display_name=display_name if display_name is not None else user.display_name,
            password_hash=password_hash if password_hash is not None else user.password_hash,
        )
        uow.users.save(user)
        if password_hash is not None or active is False:
            own = actor_id == user_id and active is not False
            keep = keep_session_id if own else None
            uow.sessions.end_for_user(user_id, env.now(), except_id=keep)
        uow.commit()
        return user


def change_own_password(
    env: Env, *, user_id: str, password_hash: str, keep_session_id: str | None
) -> UserRecord:
    """A signed-in user sets a new password (the caller checked the current one). Every
    other session of theirs ends in the same unit of work; `keep_session_id`, the one they
    used, stays signed in (None when they used an API token: then all end)."""
    with env.uow() as uow:
        user = replace(
            actor(uow, user_id, frozenset(ROLES), "change a password"), password_hash=password_hash
        )
        uow.users.save(user)
        uow.sessions.end_for_user(user_id, env.now(), except_id=keep_session_id)
        uow.commit()
        return user


LANGUAGES = ("en", "zh-TW")


def set_language(env: Env, *, user_id: str, language: str) -> UserRecord:
    """A signed-in user picks the language of their pages (stored with the user)."""
    if language not in LANGUAGES:
        raise InvalidInput("language", f"must be one of {', '.join(LANGUAGES)}", value=language)
    with env.uow() as uow:
        user = replace(actor(uow, user_id, frozenset(ROLES), "set a language"), language=language)
        uow.users.save(user)
        uow.commit()
        return user


def get_user(env: Env, user_id: str) -> UserRecord:
    with env.reader() as uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound("user", user_id)
        return user


def list_users(env: Env, role: str | None = None) -> list[UserRecord]:
    with env.reader() as uow:
        return uow.users.search(role)


def find_user(env: Env, username: str) -> UserRecord | None:
    """The user with this username (for sign-in), or None."""
    with env.reader() as uow:
        return uow.users.get_by_username(username.strip().lower())
