"""In-memory implementations of the ports: for service, web and integration tests and benchmarks.

`MemoryStore` holds the committed data; `store.uow()` opens a `MemoryUnitOfWork` that works on a
private copy and writes it back on `commit()`, so a failed command changes nothing. Units of work
are serialized by one lock (a fake needs no row locks), which also makes it safe for the threads
of a test web server. Tests move time with `tierdesk.services.fake_clock.FakeClock`, never sleep.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

from tierdesk.services.ports import (
    ActionRepository,
    ApiTokenRepository,
    ApprovalRepository,
    CallRepository,
    ChannelEventRepository,
    CustomerRepository,
    EscalationRepository,
    EventLog,
    IncidentRepository,
    KnowledgeBaseRepository,
    MailRepository,
    MessageRepository,
    ModelVersionRepository,
    NoticeRepository,
    OutboxRepository,
    PolicyVersionRepository,
    QaRepository,
    SessionRepository,
    SurveyRepository,
    TicketRepository,
    UserRepository,
    WebhookRepository,
)
from tierdesk.testing.memory_kb import MemoryKnowledgeBase
from tierdesk.testing.memory_notices import MemoryIncidents, MemoryNotices
from tierdesk.testing.memory_qa import MemoryQa
from tierdesk.testing.memory_repos import (
    MemoryApprovals,
    MemoryChannelEvents,
    MemoryCustomers,
    MemoryEvents,
    MemoryMail,
    MemoryMessages,
    MemoryModels,
    MemoryOutbox,
    MemoryPolicies,
    MemorySessions,
    MemorySurveys,
    MemoryTickets,
    MemoryTokens,
    MemoryUsers,
    MemoryWebhooks,
    PerTicket,
    Tables,
)


class MemoryStore:
    """The committed data of an in-memory helpdesk. Thread-safe: units of work are serialized."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.lock = threading.RLock()
        self.commits = 0

    def uow(self) -> MemoryUnitOfWork:
        """A new unit of work on this store (the `uow` factory the services take)."""
        return MemoryUnitOfWork(self)


class MemoryUnitOfWork:
    """A transaction on a private copy of the store's tables."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._work = Tables()
        self._bind(self._work)

    def _bind(self, t: Tables) -> None:
        self.tickets: TicketRepository = MemoryTickets(t)
        self.events: EventLog = MemoryEvents(t)
        self.messages: MessageRepository = MemoryMessages(t.messages)
        self.calls: CallRepository = PerTicket(t.calls)
        self.escalations: EscalationRepository = PerTicket(t.escalations)
        self.customers: CustomerRepository = MemoryCustomers(t)
        self.outbox: OutboxRepository = MemoryOutbox(t)
        self.users: UserRepository = MemoryUsers(t)
        self.tokens: ApiTokenRepository = MemoryTokens(t)
        self.sessions: SessionRepository = MemorySessions(t)
        self.policies: PolicyVersionRepository = MemoryPolicies(t)
        self.models: ModelVersionRepository = MemoryModels(t)
        self.approvals: ApprovalRepository = MemoryApprovals(t.approvals)
        self.actions: ActionRepository = PerTicket(t.actions)
        self.surveys: SurveyRepository = MemorySurveys(t.surveys)
        self.webhooks: WebhookRepository = MemoryWebhooks(t)
        self.mail: MailRepository = MemoryMail(t)
        self.channel_events: ChannelEventRepository = MemoryChannelEvents(t)
        self.notices: NoticeRepository = MemoryNotices(t)
        self.incidents: IncidentRepository = MemoryIncidents(t)
        self.kb: KnowledgeBaseRepository = MemoryKnowledgeBase(t)
        self.qa: QaRepository = MemoryQa(t)

    def __enter__(self) -> Self:
        self._store.lock.acquire()
        self._work = self._store.tables.copy()
        self._bind(self._work)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = Tables()
        self._bind(self._work)
        self._store.lock.release()

    def commit(self) -> None:
        """Publish the work; later changes in the same block start from what was committed."""
        self._store.tables = self._work
        self._store.commits += 1
        self._work = self._store.tables.copy()
        self._bind(self._work)

    def rollback(self) -> None:
        self._work = self._store.tables.copy()
        self._bind(self._work)
