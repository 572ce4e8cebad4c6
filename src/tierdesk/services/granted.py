"""What a customer has been granted on one issue (R-AUTH-1/2): the running total of each money
action (refunds, and separately complimentary value) over a ticket and the tickets it is linked
to (repeat contacts, R-ESC-5) or merged with. Authority applies to the total, so splitting a
refund into small ones, or spreading it over linked tickets, never passes a limit.

Commands that grant take the issue's lock first (`lock_issue`: the root ticket's row, before
their own ticket's), so concurrent grants on any ticket of the issue run one after the other and
each sees the total the previous one left.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tierdesk.domain.events import EventKind
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services.customers import history_ids
from tierdesk.services.errors import IdempotencyKeyReused, NotFound
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import ActionRecord, TicketRecord

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def lock_issue(uow: UnitOfWork, ticket_id: str) -> None:
    """Lock the root ticket of `ticket_id`'s issue (its own row is locked by `load` after)."""
    record = uow.tickets.get(ticket_id)
    if record is None:
        raise NotFound("ticket", ticket_id)
    if record.related_to and record.related_to != ticket_id:
        uow.tickets.get_for_update(record.related_to)


def issue_ids(uow: UnitOfWork, record: TicketRecord) -> set[str]:
    """The ticket, the first ticket of its issue, every ticket linked to that one, and every
    ticket merged into any of them."""
    return issue_ids_among(record, customer_tickets(uow, record.customer_id))


def customer_tickets(uow: UnitOfWork, customer_id: str) -> list[TicketRecord]:
    """Every ticket of the customer and of the customers merged into it, oldest first."""
    return uow.tickets.recent_for_customers(history_ids(uow, customer_id), _EPOCH)


def issue_ids_among(record: TicketRecord, tickets: list[TicketRecord]) -> set[str]:
    """`issue_ids` of `record` from its customer's tickets (`customer_tickets`), read."""
    root = record.related_to or record.id
    ids = {record.id, root} | {t.id for t in tickets if t.related_to == root}
    while True:
        merged = {t.id for t in tickets if t.merged_into in ids} - ids
        if not merged:
            return ids
        ids |= merged


def actions_of(uow: UnitOfWork, ids: set[str]) -> list[ActionRecord]:
    return [a for t in sorted(ids) for a in uow.actions.for_ticket(t)]


def total(rules: Rulebook, actions: list[ActionRecord], action: str) -> Decimal | None:
    """The running total of a money `action` already granted; None for other actions (a
    percentage or a yes/no action is judged on its own)."""
    limit = rules.authority.action(action)
    if limit is None or limit.unit != "money":
        return None
    return sum((a.amount for a in actions if a.action == action and a.amount), Decimal(0))


def granted(rules: Rulebook, actions: list[ActionRecord]) -> dict[str, Decimal]:
    """Every money action's running total, e.g. {"refund": 900, "complimentary": 0}."""
    return {
        limit.action: total(rules, actions, limit.action) or Decimal(0)
        for limit in rules.authority.actions
        if limit.unit == "money"
    }


def digest(**request: Any) -> str:
    """A fingerprint of a request, to tell a retry from a new request under the same key."""
    text = json.dumps(request, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def replayed(uow: UnitOfWork, ticket_id: str, key: str, fingerprint: str) -> str | None:
    """The id of the action applied before under `key` on the ticket, None if none was.
    IdempotencyKeyReused when the key came with a different request."""
    for event in uow.events.for_ticket(ticket_id):
        if event.kind == EventKind.ACTION_APPLIED and event.data.get("idempotency_key") == key:
            if event.data.get("request_digest") != fingerprint:
                raise IdempotencyKeyReused(
                    "idempotency_key",
                    "this Idempotency-Key was used with a different action; the first one is "
                    "applied unchanged: use a new key for a new action",
                    ticket_id=ticket_id,
                )
            return str(event.data["action_id"])
    return None
