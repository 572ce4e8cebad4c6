"""Held mail (issue 13, "a sender that writes more than N messages a minute is held"): a held
mail is in the email ledger (`uow.mail`, outcome `held`) with its original kept in the blob
store, and nothing was opened. Agents and leads list it, release one (it then goes through
the normal intake once: threaded onto its ticket or opening one, with a receipt) or discard
it (it stays on record as `discarded`, no ticket). A mail is settled once: a second release
or discard of it is a Conflict, and the intake's per-Message-ID idempotency keeps two
releases racing from making two tickets.

Re-reading the original is the composition root's (`bootstrap.held_mail_reader`: the blob
store and the mail parser, with the mailbox's team and brand); the service gets it as `reread`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tierdesk.services import email_intake
from tierdesk.services.email_intake import InboundMail, Received
from tierdesk.services.env import Env
from tierdesk.services.errors import Conflict, NotFound
from tierdesk.services.records import InboundMailRecord
from tierdesk.services.users import TICKET_ROLES, actor

HELD = "held"
DISCARDED = "discarded"
ROLES = TICKET_ROLES  # agents, leads and admins look at held mail; QA does not
MAX_LIST = 200


@dataclass(frozen=True)
class Reread:
    """A held mail read again from its original, and where its mailbox routes new tickets."""

    mail: InboundMail
    team: str | None = None
    brand: str | None = None


Rereader = Callable[[InboundMailRecord], Reread]


def held(env: Env, *, actor_id: str, limit: int = 100) -> list[InboundMailRecord]:
    """The held mail, newest first."""
    with env.reader() as uow:
        actor(uow, actor_id, ROLES, "see held mail")
        return uow.mail.with_outcome(HELD, max(1, min(limit, MAX_LIST)))


def _held_one(env: Env, mail_id: str, actor_id: str, doing: str) -> tuple[InboundMailRecord, str]:
    with env.reader() as uow:
        user = actor(uow, actor_id, ROLES, doing)
        found = uow.mail.get(mail_id)
    if found is None:
        raise NotFound("held mail", mail_id)
    if found.outcome != HELD:
        raise Conflict(f"mail {mail_id} is not held (it is {found.outcome})")
    return found, user.username


def release(env: Env, *, mail_id: str, actor_id: str, reread: Rereader) -> Received:
    """Take a held mail in through the normal intake, once. NotFound for an unknown id,
    Conflict when it is no longer held; `reread` raising ValueError (the original is gone)
    is a Conflict too, and the mail stays held."""
    found, username = _held_one(env, mail_id, actor_id, "release held mail")
    try:
        again = reread(found)
    except ValueError as exc:
        raise Conflict(f"mail {mail_id} cannot be read again: {exc}") from exc
    received = email_intake.retake(env, again.mail, again.team, again.brand)
    with env.uow() as uow:
        ticket_id = received.ticket_id
        if ticket_id is not None and uow.tickets.get(ticket_id) is None:
            ticket_id = None
        reason = f"held, released by {username}" + (
            f": {received.reason}" if received.reason else ""
        )
        uow.mail.settle(mail_id, HELD, received.outcome, ticket_id, reason[:1000])
        uow.commit()
    return received


def discard(env: Env, *, mail_id: str, actor_id: str) -> None:
    """Keep a held mail on record as discarded (no ticket). NotFound / Conflict as `release`."""
    _, username = _held_one(env, mail_id, actor_id, "discard held mail")
    with env.uow() as uow:
        settled = uow.mail.settle(mail_id, HELD, DISCARDED, None, f"held, discarded by {username}")
        if not settled:
            raise Conflict(f"mail {mail_id} is not held")
        uow.commit()
