"""The `UnitOfWork`: one transaction, with every repository port of this package."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from tierdesk.services.ports.auth import ApiTokenRepository, SessionRepository, UserRepository
from tierdesk.services.ports.channels import ChannelEventRepository, MailRepository
from tierdesk.services.ports.customers import CustomerRepository
from tierdesk.services.ports.kb import KnowledgeBaseRepository
from tierdesk.services.ports.outbox import OutboxRepository, WebhookRepository
from tierdesk.services.ports.qa import QaRepository
from tierdesk.services.ports.staff import IncidentRepository, NoticeRepository
from tierdesk.services.ports.ticket_work import (
    ActionRepository,
    ApprovalRepository,
    EscalationRepository,
    SurveyRepository,
)
from tierdesk.services.ports.tickets import (
    CallRepository,
    EventLog,
    MessageRepository,
    TicketRepository,
)
from tierdesk.services.ports.versions import ModelVersionRepository, PolicyVersionRepository


class UnitOfWork(Protocol):
    """One transaction. Use as `with uow: ...; uow.commit()`; leaving the block without
    `commit()` rolls back. The repositories are valid only inside the block."""

    tickets: TicketRepository
    events: EventLog
    messages: MessageRepository
    calls: CallRepository
    escalations: EscalationRepository
    customers: CustomerRepository
    outbox: OutboxRepository
    users: UserRepository
    tokens: ApiTokenRepository
    sessions: SessionRepository
    policies: PolicyVersionRepository
    models: ModelVersionRepository
    approvals: ApprovalRepository
    actions: ActionRepository
    surveys: SurveyRepository
    webhooks: WebhookRepository
    mail: MailRepository
    channel_events: ChannelEventRepository
    notices: NoticeRepository
    incidents: IncidentRepository
    kb: KnowledgeBaseRepository
    qa: QaRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
