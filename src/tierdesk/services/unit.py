"""The shape every ticket command shares: load with a lock and a version check, emit events
that are folded into the state as they are made, save state and events together.

A command never edits a ticket's state directly: `TicketChange.emit` builds the event and
`tierdesk.domain.state.apply` derives the new state from it, so the stored row is always the
state the event log rebuilds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any

from tierdesk.domain.events import EventKind, TicketEvent
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.state import TicketState, apply, encode, opened
from tierdesk.services import clocks, staff_notices, webhooks
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidTransition, NotFound, StaleVersion, WrongTier
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import TicketRecord, UserRecord
from tierdesk.services.users import ROLE_TIER

_STATE_FIELDS = tuple(f.name for f in fields(TicketState))


def to_state(record: TicketRecord) -> TicketState:
    """The domain state held in a ticket row (the row without the store's own columns)."""
    return TicketState(**{name: getattr(record, name) for name in _STATE_FIELDS})


def to_record(
    state: TicketState, sweep_at: datetime | None, due: clocks.NextDue | None = None
) -> TicketRecord:
    """The row for a ticket state, with the sweeper's next look and the clock due first."""
    return TicketRecord(
        **{name: getattr(state, name) for name in _STATE_FIELDS},
        sweep_at=sweep_at,
        due_at=due.due_at if due is not None else None,
        due_warn_at=due.warning_at if due is not None else None,
        due_clock=due.clock if due is not None else None,
        due_calendar=due.calendar if due is not None else None,
    )


class TicketChange:
    """The events of one command on one ticket, folded into `state` as they are emitted."""

    def __init__(self, ticket_id: str, base: TicketState | None, actor: str, at: datetime) -> None:
        self.ticket_id = ticket_id
        self.base = base
        self._state = base
        self.actor = actor
        self.at = at
        self.events: list[TicketEvent] = []

    @property
    def state(self) -> TicketState:
        if self._state is None:
            raise RuntimeError(f"ticket {self.ticket_id}: emit `opened` first")
        return self._state

    @property
    def base_version(self) -> int:
        return 0 if self.base is None else self.base.version

    def emit(
        self,
        kind: EventKind,
        reason: str = "",
        changes: Mapping[str, Any] | None = None,
        **facts: Any,
    ) -> TicketEvent:
        """Record one event. `changes` maps state fields to their new values (only real
        changes are written, as `[old, new]`); `facts` must be JSON-able."""
        data: dict[str, Any] = dict(facts)
        if changes:
            written = {
                name: [encode(name, getattr(self._state, name, None)), encode(name, new)]
                for name, new in changes.items()
                if self._state is None or getattr(self._state, name) != new
            }
            if written:
                data["changes"] = written
        seq = 1 if self._state is None else self._state.version + 1
        event = TicketEvent(self.ticket_id, seq, self.at, self.actor, kind, data, reason)
        self._state = opened(event) if self._state is None else apply(self._state, event)
        self.events.append(event)
        return event


def load(
    uow: UnitOfWork,
    ticket_id: str,
    actor: str,
    at: datetime,
    expected_version: int | None = None,
) -> TicketChange:
    """Lock a ticket for a command. NotFound for an unknown id; StaleVersion (nothing
    changed) when `expected_version` is given and is not the stored version."""
    record = uow.tickets.get_for_update(ticket_id)
    if record is None:
        raise NotFound("ticket", ticket_id)
    if expected_version is not None and expected_version != record.version:
        raise StaleVersion(ticket_id, expected_version, record.version)
    return TicketChange(ticket_id, to_state(record), actor, at)


def act_on(
    uow: UnitOfWork,
    user: UserRecord,
    ticket_id: str,
    env: Env,
    expected_version: int | None,
    command: str,
) -> TicketChange:
    """`load` for a user's command on the ticket, refused with `wrong_tier` (R-TIER-1) when the
    ticket is in a tier above the agent's: once a ticket is in a tier only that tier's agents
    (or those of a higher tier, who may be assigned it), or leads and above, act on it.
    Internal notes are open to everyone who may read the ticket (they use `load`)."""
    change = load(uow, ticket_id, user.id, env.now(), expected_version)
    require_tier(user, change, command, env.rules)
    return change


def require_tier(user: UserRecord, change: TicketChange, command: str, rules: Rulebook) -> None:
    """WrongTier unless `user` is a lead (or above) or an agent of the ticket's tier or above."""
    own = ROLE_TIER.get(user.role)
    tier = change.state.tier
    if own is not None and rules.tier_rank(own) < rules.tier_rank(tier):
        raise WrongTier(
            f"ticket {change.ticket_id} is in {tier}: only {tier} agents or leads may "
            f"{command} it ({user.username} works {own})",
            ticket_id=change.ticket_id,
            tier=tier,
            role=user.role,
            command=command,
        )


def require_status(change: TicketChange, allowed: frozenset[str], command: str) -> None:
    """InvalidTransition unless the ticket's status is one of `allowed`."""
    status = change.state.status
    if status not in allowed:
        raise InvalidTransition(
            f"cannot {command} ticket {change.ticket_id}: it is {status}",
            ticket_id=change.ticket_id,
            status=status,
            command=command,
        )


def save(
    uow: UnitOfWork,
    change: TicketChange,
    sweep_at: datetime | None,
    due: clocks.NextDue | None = None,
) -> TicketRecord:
    """Write the ticket's new state (with the sweeper's next look and the clock due first)
    and its new events in the open unit of work, and queue the webhook deliveries of those
    events (`tierdesk.services.webhooks.queue`) in it. StaleVersion when another command
    saved the ticket since it was loaded."""
    record = to_record(change.state, sweep_at, due)
    if change.base is None:
        uow.tickets.add(record)
    elif not uow.tickets.save(record, change.base_version):
        current = uow.tickets.get(change.ticket_id)
        actual = current.version if current is not None else -1
        raise StaleVersion(change.ticket_id, change.base_version, actual)
    uow.events.append(change.events)
    webhooks.queue(uow, change.events, record)
    return record


def history(uow: UnitOfWork, change: TicketChange) -> list[TicketEvent]:
    """Every event of the ticket: the stored ones and those of this command."""
    stored = [] if change.base is None else uow.events.for_ticket(change.ticket_id)
    return [*stored, *change.events]


def finish(uow: UnitOfWork, env: Env, change: TicketChange) -> TicketRecord:
    """Save a command's ticket change with the sweeper's next look and the clock due first,
    computed from its clocks."""
    state = change.state
    sweep_at = due = None
    if state.active:
        events = history(uow, change)
        sweep_at = clocks.next_sweep(env.rules, state, events, change.at)
        due = clocks.next_due(env.rules, state, events, change.at)
    record = save(uow, change, sweep_at, due)
    staff_notices.on_ticket(uow, env, change.base, state, change.events)
    return record
