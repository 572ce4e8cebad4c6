"""Bulk changes from a queue: assign, unassign, wait on the customer, resume or resolve many
tickets at once (the console's queue checkboxes).

Each ticket is changed by the same command a single change uses (`lifecycle.assign`,
`conversation.set_pending`, ...), in its own unit of work: every rule holds per ticket (roles,
tiers, R-DOC-3 acknowledgement, statuses), a ticket that is refused is reported with its
refusal and the others are changed. Nothing here decides anything a single command does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tierdesk.services import conversation, lifecycle
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, ServiceError

MAX_TICKETS = 100
ACTIONS = ("assign", "unassign", "pending", "resume", "resolve")
NEEDS_TEXT = {"pending": "reason", "resolve": "summary"}  # the field the single command needs


@dataclass(frozen=True)
class Outcome:
    """What happened to one ticket: changed (`error` None) or refused with `error`."""

    ticket_id: str
    error: ServiceError | None = None


def apply(
    env: Env,
    *,
    actor_id: str,
    ticket_ids: Sequence[str],
    action: str,
    assignee_id: str | None = None,
    text: str = "",
) -> tuple[Outcome, ...]:
    """Run `action` on each ticket in `ticket_ids` (in order, each id once). `assignee_id` is
    whom "assign" gives the tickets to (the actor when None); `text` is the reason of
    "pending" and the summary of "resolve". InvalidInput, before any change, for an unknown
    action, no ticket, more than MAX_TICKETS, or a missing text."""
    if action not in ACTIONS:
        raise InvalidInput("action", f"must be one of {', '.join(ACTIONS)}", value=action)
    ids = list(dict.fromkeys(t for t in ticket_ids if t))
    if not ids:
        raise InvalidInput("ticket", "choose at least one ticket")
    if len(ids) > MAX_TICKETS:
        raise InvalidInput("ticket", f"at most {MAX_TICKETS} tickets at once", value=len(ids))
    if action in NEEDS_TEXT and not text.strip():
        raise InvalidInput(NEEDS_TEXT[action], "say it once for every chosen ticket")
    run = _command(env, actor_id, action, assignee_id or actor_id, text)
    outcomes = []
    for ticket_id in ids:
        try:
            run(ticket_id)
        except ServiceError as exc:
            outcomes.append(Outcome(ticket_id, exc))
        else:
            outcomes.append(Outcome(ticket_id))
    return tuple(outcomes)


def _command(
    env: Env, actor_id: str, action: str, assignee_id: str, text: str
) -> Callable[[str], object]:
    commands: dict[str, Callable[[str], object]] = {
        "assign": lambda t: lifecycle.assign(
            env, ticket_id=t, actor_id=actor_id, assignee_id=assignee_id
        ),
        "unassign": lambda t: lifecycle.assign(
            env, ticket_id=t, actor_id=actor_id, assignee_id=None
        ),
        "pending": lambda t: conversation.set_pending(
            env, ticket_id=t, actor_id=actor_id, reason=text
        ),
        "resume": lambda t: conversation.resume(env, ticket_id=t, actor_id=actor_id),
        "resolve": lambda t: lifecycle.resolve(env, ticket_id=t, actor_id=actor_id, summary=text),
    }
    return commands[action]
