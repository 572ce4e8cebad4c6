"""Ports: what the services need from storage and time, as Protocols.

Narrow and storage-agnostic: a SQLAlchemy Core adapter (SQLite and PostgreSQL) and the in-memory
fakes in `tierdesk.testing.memory` implement them. Records are in `tierdesk.services.records`
(re-exported here). Rules every implementation keeps:

- Every repository works inside the open UnitOfWork: nothing is visible to others before
  `commit()`; `rollback()` (or leaving the `with` block without commit) discards everything.
- `get` returns None for an unknown id; `add` of an existing unique key raises `DuplicateKey`.
- Times are aware UTC datetimes in and out.

One module per aggregate, none importing another (they read only the records): `base`
(`DuplicateKey`, which any `add` may raise, and the `Clock`), `tickets` (tickets, event log,
messages, calls), `ticket_work` (escalations, approvals, actions, surveys), `customers`, `auth`
(users, API tokens, sessions), `outbox` (outbox, webhooks), `versions` (policy and model
versions), `channels` (mail ledger, channel events), `staff` (notices, incidents), `kb`, `qa`;
`unit_of_work` (the `UnitOfWork`) imports the repositories of all of them. Import from this
package: it re-exports every port and record named in `__all__`.
"""

from __future__ import annotations

from tierdesk.domain.events import TicketEvent
from tierdesk.services.ports.auth import ApiTokenRepository, SessionRepository, UserRepository
from tierdesk.services.ports.base import Clock, DuplicateKey
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
from tierdesk.services.ports.unit_of_work import UnitOfWork
from tierdesk.services.ports.versions import ModelVersionRepository, PolicyVersionRepository
from tierdesk.services.qa_records import QaOverrideRecord, QaQueuePage, QaReviewRecord
from tierdesk.services.records import (
    AcknowledgementRecord,
    ActionRecord,
    AddressFailureRecord,
    ApiTokenRecord,
    ApprovalRecord,
    CallRecord,
    ChannelEventRecord,
    CustomerPage,
    CustomerRecord,
    EscalationRecord,
    IdentityRecord,
    InboundMailRecord,
    MessageRecord,
    ModelVersionRecord,
    OutboxRecord,
    PolicyVersionRecord,
    SessionRecord,
    SurveyRecord,
    TicketFilter,
    TicketPage,
    TicketRecord,
    UserRecord,
    WebhookRecord,
)
from tierdesk.services.staff_records import (
    IncidentEntryRecord,
    IncidentRecord,
    IncidentTicketRecord,
    NoticeRecord,
    NoticeSettingsRecord,
)

__all__ = [
    "AcknowledgementRecord",
    "ActionRecord",
    "ActionRepository",
    "AddressFailureRecord",
    "ApiTokenRecord",
    "ApiTokenRepository",
    "ApprovalRecord",
    "ApprovalRepository",
    "CallRecord",
    "CallRepository",
    "ChannelEventRecord",
    "ChannelEventRepository",
    "Clock",
    "CustomerPage",
    "CustomerRecord",
    "CustomerRepository",
    "DuplicateKey",
    "EscalationRecord",
    "EscalationRepository",
    "EventLog",
    "IdentityRecord",
    "InboundMailRecord",
    "IncidentEntryRecord",
    "IncidentRecord",
    "IncidentRepository",
    "IncidentTicketRecord",
    "KnowledgeBaseRepository",
    "MailRepository",
    "MessageRecord",
    "MessageRepository",
    "ModelVersionRecord",
    "ModelVersionRepository",
    "NoticeRecord",
    "NoticeRepository",
    "NoticeSettingsRecord",
    "OutboxRecord",
    "OutboxRepository",
    "PolicyVersionRecord",
    "PolicyVersionRepository",
    "QaOverrideRecord",
    "QaQueuePage",
    "QaRepository",
    "QaReviewRecord",
    "SessionRecord",
    "SessionRepository",
    "SurveyRecord",
    "SurveyRepository",
    "TicketEvent",
    "TicketFilter",
    "TicketPage",
    "TicketRecord",
    "TicketRepository",
    "UnitOfWork",
    "UserRecord",
    "UserRepository",
    "WebhookRecord",
    "WebhookRepository",
]
