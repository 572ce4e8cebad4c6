"""User administration (admin only): create, change, list. Passwords are hashed here (argon2id)
before the service stores them; neither passwords nor hashes are ever returned or logged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from tierdesk.domain.model import Role
from tierdesk.services import users
from tierdesk.services.users import USER_ADMIN_ROLES
from tierdesk.web.api.common import State, user_out
from tierdesk.web.auth import Principal, require_role
from tierdesk.web.schemas import UserIn, UserOut, UserPatch

router = APIRouter(prefix="/users", tags=["users"])
# The list and read services take no actor, so the role is checked here.
Admin = Annotated[Principal, Depends(require_role(USER_ADMIN_ROLES, "manage users"))]
UserId = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("", response_model=list[UserOut])
def list_users(
    admin: Admin, state: State, role: Annotated[Role | None, Query()] = None
) -> list[UserOut]:
    """Users (of one role when given), by username."""
    return [user_out(u) for u in users.list_users(state.env, role)]


@router.post("", status_code=201, response_model=UserOut)
def add_user(body: UserIn, admin: Admin, state: State) -> UserOut:
    """Create a user with a password; 409 `username_taken` for an existing username."""
    created = users.add_user(
        state.env,
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        actor_id=admin.user_id,
        email=body.email,
        language=body.language,
        password_hash=state.hasher.hash(body.password),
    )
    return user_out(created)


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: UserId, body: UserPatch, admin: Admin, state: State) -> UserOut:
    """Change a user's role, active flag, display name or password. A new password or a
    deactivation ends every session of the user (an admin changing their own password keeps
    the session of this request)."""
    changed = users.update_user(
        state.env,
        user_id=user_id,
        actor_id=admin.user_id,
        role=body.role,
        active=body.active,
        display_name=body.display_name,
        password_hash=state.hasher.hash(body.password) if body.password is not None else None,
        keep_session_id=admin.session_id,
    )
    return user_out(changed)
