"""Triage corrections: a person sets a ticket's category and/or priority and says why.

A correction is one `triage_corrected` event on the ticket: who (`actor`), when, why (`reason`)
and what (`changes`: category and priority as `[old, new]`). It also clears `needs_human`: a
person has now triaged the ticket. The tier stays (moving a ticket is an escalation, with its
warm-handoff brief); a new priority re-times the SLA clocks, as the clocks read the priority.

Corrections are training data: the corrected category is the label a person gave the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tierdesk.domain.events import EventKind, TicketEvent
from tierdesk.domain.state import TicketStatus
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.records import TicketRecord
from tierdesk.services.unit import act_on, finish, require_status
from tierdesk.services.users import NOTE_ROLES, TICKET_ROLES, actor

# A merged ticket lives on in its target; every other status may be corrected, resolved and
# closed ones included (a wrong category is worth fixing for the reports and the model).
CORRECTABLE = frozenset(s for s in TicketStatus if s is not TicketStatus.MERGED)


@dataclass(frozen=True)
class Correction:
    """One triage correction as the ticket's event log holds it."""

    ticket_id: str
    seq: int
    at: datetime
    actor_id: str
    category: tuple[str, str] | None  # (old, new), None when the category was kept
    priority: tuple[str, str] | None
    reason: str


def correct_triage(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    reason: str,
    category: str | None = None,
    priority: str | None = None,
    expected_version: int | None = None,
) -> TicketRecord:
    """Set the ticket's category and/or priority, recorded with who and why.

    InvalidInput for an empty reason, neither field given, a category or priority the policy
    does not define, or values equal to the current ones (nothing to correct); WrongTier
    for an agent of a lower tier than the ticket's (R-TIER-1).
    """
    why = reason.strip()
    if not why:
        raise InvalidInput("reason", "say why the triage was wrong")
    if category is None and priority is None:
        raise InvalidInput("category", "give a category and/or a priority")
    rules = env.rules
    categories = [c.id for c in rules.categories]
    if category is not None and category not in categories:
        raise InvalidInput(
            "category", f"not a category of the policy ({', '.join(categories)})", value=category
        )
    priorities = [p.id for p in rules.priorities]
    if priority is not None and priority not in priorities:
        raise InvalidInput(
            "priority", f"not a priority of the policy ({', '.join(priorities)})", value=priority
        )
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "correct the triage of tickets")
        change = act_on(uow, user, ticket_id, env, expected_version, "correct the triage of")
        require_status(change, CORRECTABLE, "correct the triage of")
        state = change.state
        changes: dict[str, object] = {}
        if category is not None and category != state.category:
            changes["category"] = category
        if priority is not None and priority != state.priority:
            changes["priority"] = priority
        if not changes:
            raise InvalidInput(
                "category",
                f"the ticket is already {state.category} {state.priority}: nothing to correct",
            )
        changes["needs_human"] = False
        change.emit(EventKind.TRIAGE_CORRECTED, why, changes=changes)
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def corrections(env: Env, *, ticket_id: str, actor_id: str) -> list[Correction]:
    """The triage corrections of one ticket, oldest first."""
    with env.reader() as uow:
        actor(uow, actor_id, NOTE_ROLES, "read tickets")
        if uow.tickets.get(ticket_id) is None:
            raise NotFound("ticket", ticket_id)
        return [as_correction(e) for e in uow.events.for_ticket(ticket_id) if is_correction(e)]


def is_correction(event: TicketEvent) -> bool:
    return event.kind == EventKind.TRIAGE_CORRECTED


def as_correction(event: TicketEvent) -> Correction:
    """The correction an event records (the event must be `triage_corrected`)."""
    changes = event.get("changes") or {}

    def pair(name: str) -> tuple[str, str] | None:
        value = changes.get(name)
        return (str(value[0]), str(value[1])) if value else None

    return Correction(
        ticket_id=event.ticket_id,
        seq=event.seq,
        at=event.at,
        actor_id=event.actor,
        category=pair("category"),
        priority=pair("priority"),
        reason=event.reason,
    )
