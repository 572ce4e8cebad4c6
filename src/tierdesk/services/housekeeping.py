"""Housekeeping: delete the browser sessions and API tokens nobody needs any more.

A session or token that expired or was revoked stays stored (a user sees recently ended ones in
their lists); `purge` deletes those that ended more than a while ago: sessions after `keep`
(30 days), tokens after `token_keep` (90 days: users see recently revoked or expired tokens in
their token list for longer). A session or token still valid is never deleted, however old.
Running it in any number of workers at once is safe: a row is deleted once, whoever gets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tierdesk.services.env import Env

SESSION_KEEP = timedelta(days=30)
TOKEN_KEEP = timedelta(days=90)


@dataclass(frozen=True)
class PurgeReport:
    """What one purge deleted."""

    sessions: int = 0
    tokens: int = 0


def purge(
    env: Env,
    now: datetime | None = None,
    *,
    keep: timedelta = SESSION_KEEP,
    token_keep: timedelta = TOKEN_KEEP,
) -> PurgeReport:
    """Delete the sessions that ended (expired or were ended) more than `keep` before `now`
    (default: the clock) and the tokens that ended (expired or were revoked) more than
    `token_keep` before it, in one unit of work. One that ended exactly `keep` ago is kept."""
    at = now or env.now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"purge needs an aware time, got naive {at}")
    for name, value in (("keep", keep), ("token_keep", token_keep)):
        if value < timedelta(0):
            raise ValueError(f"purge: {name} must not be negative, got {value}")
    with env.uow() as uow:
        report = PurgeReport(
            sessions=uow.sessions.purge(at - keep),
            tokens=uow.tokens.purge(at - token_keep),
        )
        uow.commit()
    return report
