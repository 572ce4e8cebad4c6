"""What the routes share: the services' Env, the settings and the web-layer helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from fastapi import Request

from tierdesk.config import Settings
from tierdesk.services.env import Env
from tierdesk.services.policies import PolicyInForce
from tierdesk.web.intake import IntakeBatcher
from tierdesk.web.ratelimit import RateLimiter

if TYPE_CHECKING:
    from tierdesk.bootstrap import LineChannel
    from tierdesk.services.held_mail import Rereader
    from tierdesk.web.auth import Hasher, Signer


@dataclass
class WebState:
    """Stored on `app.state.web` by `create_app`."""

    policy: PolicyInForce
    settings: Settings
    hasher: Hasher
    signer: Signer
    dummy_hash: str  # verified against when a username is unknown (constant-time login)
    login_limiter: RateLimiter
    failure_limiter: RateLimiter  # failed sign-ins per client address, across usernames
    public_limiter: RateLimiter
    batcher: IntakeBatcher
    line: LineChannel | None = None  # None: LINE not configured
    # Reads a held mail's original again to release it (`bootstrap.held_mail_reader`).
    reread_mail: Rereader | None = None

    @property
    def env(self) -> Env:
        """The services' Env running the policy version in force (R-DOC-3)."""
        return self.policy.env()


def web_state(request: Request) -> WebState:
    """The app's WebState (a FastAPI dependency)."""
    return cast(WebState, request.app.state.web)
