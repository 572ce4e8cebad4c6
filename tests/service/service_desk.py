"""The helpdesk the service tests drive: in-memory fakes, a fake clock, one user per role.

A uniquely named module (not `conftest`) so that test modules import it unambiguously.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tierdesk.domain.events import TicketEvent
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import users
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.records import ROLES, OutboxRecord, TicketRecord
from tierdesk.services.tickets import Opened, open_ticket
from tierdesk.testing.memory import MemoryStore

START = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Taipei, a working day

ORDER = "Where is my order #12345? It has not arrived yet."  # order_status, P3, L1
OUTAGE = "Your whole service is down, outage since this morning"  # service_outage, P1, L3


@dataclass
class Desk:
    """A helpdesk on fakes: the env, its store and clock, and one user id per role."""

    env: Env
    store: MemoryStore
    clock: FakeClock
    user: dict[str, str]

    def intake(self, text: str, email: str = "mei@example.com", **kw: Any) -> Opened:
        contact = Contact("email", email, name="Mei")
        return open_ticket(self.env, channel="email", text=text, contact=contact, **kw)

    def open(self, text: str = ORDER, email: str = "mei@example.com", **kw: Any) -> TicketRecord:
        return self.intake(text, email, **kw).ticket

    def ticket(self, ticket_id: str) -> TicketRecord:
        return self.store.tables.tickets[ticket_id]

    def events(self, ticket_id: str) -> list[TicketEvent]:
        return list(self.store.tables.events[ticket_id])

    def kinds(self, ticket_id: str) -> list[str]:
        return [e.kind.value for e in self.events(ticket_id)]

    def outbox(self, ticket_id: str, kind: str | None = None) -> list[OutboxRecord]:
        return [
            m
            for m in self.store.tables.outbox.values()
            if m.ticket_id == ticket_id and (kind is None or m.kind == kind)
        ]


def make_desk(rules: Rulebook) -> Desk:
    """A fresh helpdesk at START with one active user per role (ids in `Desk.user`)."""
    store, clock = MemoryStore(), FakeClock(START)
    env = Env(uow=store.uow, clock=clock, rules=rules)
    ids = {
        role: users.add_user(
            env, username=role.replace("_", "-"), display_name=role, role=role, actor_id=None
        ).id
        for role in ROLES
    }
    return Desk(env, store, clock, ids)
