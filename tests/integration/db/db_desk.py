"""A helpdesk for the storage tests: the real services on any unit-of-work factory (the
in-memory fakes or a database), a fake clock, one user per role. Reads go through the ports,
so the same helper works on every store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tierdesk.domain.events import TicketEvent
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import users
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.ports import TicketFilter, UnitOfWork
from tierdesk.services.records import ROLES, OutboxRecord, TicketRecord
from tierdesk.services.tickets import open_ticket

START = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Taipei, a working day
ORDER = "Where is my order #12345? It has not arrived yet."  # order_status, P3, L1


@dataclass
class StoreDesk:
    env: Env
    clock: FakeClock
    user: dict[str, str]

    def open(self, text: str = ORDER, email: str = "mei@example.com") -> TicketRecord:
        contact = Contact("email", email, name="Mei")
        return open_ticket(self.env, channel="email", text=text, contact=contact).ticket

    def ticket(self, ticket_id: str) -> TicketRecord:
        with self.env.uow() as uow:
            found = uow.tickets.get(ticket_id)
        assert found is not None, ticket_id
        return found

    def tickets(self) -> list[TicketRecord]:
        with self.env.uow() as uow:
            return list(uow.tickets.search(TicketFilter(), limit=1000).items)

    def events(self, ticket_id: str) -> list[TicketEvent]:
        with self.env.uow() as uow:
            return uow.events.for_ticket(ticket_id)

    def kinds(self, ticket_id: str) -> list[str]:
        return [e.kind.value for e in self.events(ticket_id)]

    def outbox(self, ticket_id: str, kind: str | None = None) -> list[OutboxRecord]:
        with self.env.uow() as uow:
            found = uow.outbox.for_ticket(ticket_id)
        return [m for m in found if kind is None or m.kind == kind]


def make_store_desk(uow: Callable[[], UnitOfWork], rules: Rulebook) -> StoreDesk:
    """A helpdesk at START on `uow` with one active user per role. When `uow` is a
    Database's, queries go through that database's reader, as in production."""
    clock = FakeClock(START)
    reader = getattr(getattr(uow, "__self__", None), "reader", None)
    env = Env(uow=uow, read=reader, clock=clock, rules=rules)
    ids = {
        role: users.add_user(
            env, username=role.replace("_", "-"), display_name=role, role=role, actor_id=None
        ).id
        for role in ROLES
    }
    return StoreDesk(env, clock, ids)
