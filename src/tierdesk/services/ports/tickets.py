"""Tickets and their conversation: the tickets, their event log, messages and calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tierdesk.domain.events import TicketEvent
from tierdesk.services.records import (
    CallRecord,
    MessageRecord,
    TicketFilter,
    TicketPage,
    TicketRecord,
)


class TicketRepository(Protocol):
    def add(self, ticket: TicketRecord) -> None:
        """Insert a new ticket. DuplicateKey for an existing id, idempotency key or
        (channel, channel_message_id)."""
        ...

    def get(self, ticket_id: str) -> TicketRecord | None: ...

    def with_id_prefix(self, prefix: str, limit: int = 5) -> list[TicketRecord]:
        """Up to `limit` tickets whose id starts with `prefix` (a short reference), by id."""
        ...

    def get_for_update(self, ticket_id: str, *, skip_locked: bool = False) -> TicketRecord | None:
        """Read a ticket to change it, locking its row until the transaction ends
        (PostgreSQL: FOR UPDATE; SQLite: the write transaction). With `skip_locked`, a row
        another transaction holds returns None instead of waiting (FOR UPDATE SKIP LOCKED)."""
        ...

    def save(self, ticket: TicketRecord, expected_version: int) -> bool:
        """Replace the ticket's row if its stored version is `expected_version`
        (UPDATE ... WHERE id = :id AND version = :expected). False, and nothing written,
        when the stored version differs or the ticket does not exist."""
        ...

    def find_by_idempotency_key(self, key: str) -> TicketRecord | None: ...

    def find_by_channel_message(self, channel: str, message_id: str) -> TicketRecord | None: ...

    def search(
        self, filters: TicketFilter, *, limit: int = 50, cursor: str | None = None
    ) -> TicketPage:
        """Tickets matching `filters`, newest first (created_at desc, id desc), `limit` per
        page; `cursor` is the `next_cursor` of the previous page (opaque to callers)."""
        ...

    def recent_for_customers(
        self, customer_ids: Sequence[str], since: datetime
    ) -> list[TicketRecord]:
        """Tickets of any of these customers created at or after `since`, oldest first (used
        to link repeat contacts, R-ESC-5)."""
        ...

    def due_for_sweep(self, now: datetime, limit: int) -> list[str]:
        """Ids of tickets with `sweep_at <= now`, earliest sweep_at first, at most `limit`."""
        ...

    def sweep_active_by(self, at: datetime) -> int:
        """Have the sweeper look at every active ticket (new, open, pending) by `at`: its
        `sweep_at` becomes `at` unless it is earlier already. Returns how many changed. The
        row's version is not changed (its state is not: only when the sweeper looks)."""
        ...


class EventLog(Protocol):
    def append(self, events: Sequence[TicketEvent]) -> None:
        """Append events; (ticket_id, seq) is unique (DuplicateKey otherwise). Never updates."""
        ...

    def for_ticket(self, ticket_id: str) -> list[TicketEvent]:
        """All events of one ticket in seq order."""
        ...

    def for_tickets(self, ticket_ids: Sequence[str]) -> dict[str, list[TicketEvent]]:
        """The events of each ticket in seq order, in one read (a queue page's clocks); every
        id asked for is a key, with [] for a ticket that has none."""
        ...


class MessageRepository(Protocol):
    def add(self, message: MessageRecord) -> None:
        """DuplicateKey when (channel, channel_message_id) is set and exists."""
        ...

    def find_by_channel_message(self, channel: str, message_id: str) -> MessageRecord | None:
        """The message a channel delivered with this id (retried webhooks, re-read mail)."""
        ...

    def for_ticket(self, ticket_id: str) -> list[MessageRecord]:
        """Messages of one ticket, oldest first (created_at, then insertion)."""
        ...


class CallRepository(Protocol):
    def add(self, call: CallRecord) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[CallRecord]: ...
