"""Ports: what the services need from storage and time, as Protocols.

Narrow and storage-agnostic: a SQLAlchemy Core adapter (SQLite and PostgreSQL) and the in-memory
fakes in `tierdesk.testing.memory` implement them. Records are in `tierdesk.services.records`
(re-exported here). Rules every implementation keeps:

- Every repository works inside the open UnitOfWork: nothing is visible to others before
  `commit()`; `rollback()` (or leaving the `with` block without commit) discards everything.
- `get` returns None for an unknown id; `add` of an existing unique key raises `DuplicateKey`.
- Times are aware UTC datetimes in and out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from tierdesk.domain.events import TicketEvent
from tierdesk.services.kb_records import (
    ArticleFilter,
    ArticleRecord,
    KbEventRecord,
    KbHit,
    KbSearch,
    RevisionRecord,
    TranslationRecord,
    VoteRecord,
)
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


class DuplicateKey(Exception):  # noqa: N818 - the name says what happened
    """An `add` hit a unique key that exists (ticket idempotency key, username, ...).

    Adapters raise it (translating IntegrityError); `key` names the constraint, e.g.
    "tickets.idempotency_key"."""

    def __init__(self, key: str, value: str = "") -> None:
        super().__init__(f"duplicate {key}: {value!r}")
        self.key = key
        self.value = value


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...


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


class EscalationRepository(Protocol):
    def add(self, escalation: EscalationRecord) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[EscalationRecord]:
        """Escalations of one ticket, oldest first."""
        ...


class CustomerRepository(Protocol):
    def add(self, customer: CustomerRecord) -> None: ...

    def get(self, customer_id: str) -> CustomerRecord | None: ...

    def get_many(self, customer_ids: Sequence[str]) -> dict[str, CustomerRecord]:
        """The customers with these ids, by id, in one read (unknown ids are left out)."""
        ...

    def save(self, customer: CustomerRecord) -> None:
        """Replace an existing customer's row."""
        ...

    def add_identity(self, identity: IdentityRecord) -> None:
        """DuplicateKey when (kind, value) belongs to a customer already."""
        ...

    def find_by_identity(self, kind: str, value: str) -> CustomerRecord | None:
        """The customer that owns (kind, value), or None."""
        ...

    def identities(self, customer_id: str) -> list[IdentityRecord]: ...

    def merge(self, source_id: str, target_id: str) -> None:
        """Move every identity of `source_id` to `target_id` and set the source's
        `merged_into` (the source row stays, for history)."""
        ...

    def merged_ids(self, customer_id: str) -> list[str]:
        """Ids of customers merged into `customer_id` (directly), for history lookups."""
        ...

    def search(
        self, text: str | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> CustomerPage:
        """Customers not merged into another, newest first. `text` matches, ignoring case,
        part of the name or of any identity value (email, phone, LINE id). ValueError for a
        cursor this store did not make."""
        ...

    def identities_for(self, customer_ids: Sequence[str]) -> list[IdentityRecord]:
        """The identities of all those customers, in one read."""
        ...


class OutboxRepository(Protocol):
    def add(self, message: OutboxRecord) -> bool:
        """Queue a message; False (and nothing written) when its dedupe_key exists."""
        ...

    def claim_batch(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxRecord]:
        """Claim up to `limit` messages that are pending with `next_attempt_at <= now`, or
        sending with an expired `claimed_until`: set status "sending", attempts + 1,
        claimed_until = now + lease. Concurrent claimers never get the same message
        (PostgreSQL: FOR UPDATE SKIP LOCKED). Returns the claimed records as updated."""
        ...

    def mark_sent(self, message_id: str, at: datetime) -> None: ...

    def mark_failed(self, message_id: str, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt: back to pending at `retry_at` (the caller's backoff), or
        dead when `retry_at` is None."""
        ...

    def release(self, message_id: str, at: datetime) -> None:
        """Give back a claimed message that was not attempted: pending again at `at`, its
        claim's attempt not counted."""
        ...

    def for_ticket(self, ticket_id: str) -> list[OutboxRecord]:
        """Messages queued for one ticket, oldest first."""
        ...


class UserRepository(Protocol):
    def add(self, user: UserRecord) -> None:
        """DuplicateKey for an existing username."""
        ...

    def get(self, user_id: str) -> UserRecord | None: ...

    def get_by_username(self, username: str) -> UserRecord | None: ...

    def save(self, user: UserRecord) -> None: ...

    def search(self, role: str | None = None) -> list[UserRecord]:
        """Users (of one role when given), by username."""
        ...


class ApiTokenRepository(Protocol):
    def add(self, token: ApiTokenRecord) -> None:
        """DuplicateKey for an existing id or token_hash."""
        ...

    def get(self, token_id: str) -> ApiTokenRecord | None: ...

    def by_hash(self, token_hash: str) -> ApiTokenRecord | None:
        """The token whose secret hashes to `token_hash` (revoked and expired ones too)."""
        ...

    def for_user(self, user_id: str) -> list[ApiTokenRecord]:
        """Every token of one user (revoked and expired ones too), oldest first
        (created_at, then id)."""
        ...

    def save(self, token: ApiTokenRecord) -> None:
        """Replace an existing token's row (e.g. to revoke it)."""
        ...

    def touch(self, token_id: str, at: datetime) -> None:
        """Set the token's `last_used_at` to `at`, writing nothing else."""
        ...

    def purge(self, before: datetime) -> int:
        """Delete every token that expired or was revoked before `before` (strictly); the
        number deleted. Tokens still valid at `before` are never touched."""
        ...


class SessionRepository(Protocol):
    def add(self, session: SessionRecord) -> None:
        """DuplicateKey for an existing id."""
        ...

    def get(self, session_id: str) -> SessionRecord | None:
        """The session with this id (ended and expired ones too)."""
        ...

    def for_user(self, user_id: str) -> list[SessionRecord]:
        """Every session of one user (ended and expired ones too), oldest first (created_at,
        then id)."""
        ...

    def save(self, session: SessionRecord) -> None:
        """Replace an existing session's row (e.g. to end it)."""
        ...

    def touch(self, session_id: str, at: datetime) -> None:
        """Set the session's `last_seen_at` to `at`, writing nothing else."""
        ...

    def end_for_user(self, user_id: str, at: datetime, except_id: str | None = None) -> int:
        """Set `revoked_at` to `at` on every session of `user_id` not yet ended (expired ones
        too), except `except_id`; the number of sessions ended. Ended sessions keep their
        first `revoked_at`."""
        ...

    def purge(self, before: datetime) -> int:
        """Delete every session that expired or was ended before `before` (strictly); the
        number deleted. Sessions still valid at `before` are never touched."""
        ...


class WebhookRepository(Protocol):
    def add(self, webhook: WebhookRecord) -> None:
        """DuplicateKey for an existing id."""
        ...

    def get(self, webhook_id: str) -> WebhookRecord | None:
        """The subscription with this id (deactivated ones too)."""
        ...

    def list(self, *, active_only: bool = False) -> list[WebhookRecord]:
        """Every subscription (only the active ones with `active_only`), oldest first
        (created_at, then id)."""
        ...

    def save(self, webhook: WebhookRecord) -> None:
        """Replace an existing subscription's row (e.g. to deactivate it)."""
        ...


class PolicyVersionRepository(Protocol):
    def add(self, version: PolicyVersionRecord) -> None:
        """DuplicateKey for an existing number."""
        ...

    def get(self, version_id: str) -> PolicyVersionRecord | None: ...

    def save(self, version: PolicyVersionRecord) -> None: ...

    def history(self) -> list[PolicyVersionRecord]:
        """Every version, by number (the revision history)."""
        ...

    def effective(self) -> PolicyVersionRecord | None:
        """The version with status "effective", if any."""
        ...

    def add_acknowledgement(self, ack: AcknowledgementRecord) -> None:
        """Idempotent: acknowledging the same version twice keeps the first."""
        ...

    def acknowledgement(self, version_id: str, user_id: str) -> AcknowledgementRecord | None: ...

    def acknowledgements(self, version_id: str) -> list[AcknowledgementRecord]: ...


class ModelVersionRepository(Protocol):
    def add(self, version: ModelVersionRecord, payload: bytes) -> None:
        """DuplicateKey for an existing number."""
        ...

    def get(self, version_id: str) -> ModelVersionRecord | None: ...

    def save(self, version: ModelVersionRecord) -> None:
        """Replace the row (status, decision); the payload never changes."""
        ...

    def history(self) -> list[ModelVersionRecord]:
        """Every version, by number."""
        ...

    def effective(self) -> ModelVersionRecord | None:
        """The version with status "effective", if any."""
        ...

    def payload(self, version_id: str) -> bytes | None:
        """The model's bytes (a model file's), None for an unknown id."""
        ...


class ApprovalRepository(Protocol):
    def add(self, approval: ApprovalRecord) -> None: ...

    def get(self, approval_id: str) -> ApprovalRecord | None: ...

    def save(self, approval: ApprovalRecord) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[ApprovalRecord]: ...

    def pending(self, limit: int = 100) -> list[ApprovalRecord]:
        """Pending approvals, oldest first."""
        ...


class ActionRepository(Protocol):
    def add(self, action: ActionRecord) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[ActionRecord]: ...


class SurveyRepository(Protocol):
    def add(self, survey: SurveyRecord) -> None: ...

    def get(self, survey_id: str) -> SurveyRecord | None: ...

    def get_by_token(self, token: str) -> SurveyRecord | None: ...

    def save(self, survey: SurveyRecord) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[SurveyRecord]: ...


class MailRepository(Protocol):
    def add(self, mail: InboundMailRecord) -> None:
        """DuplicateKey when its message_id was recorded before."""
        ...

    def find(self, message_id: str) -> InboundMailRecord | None: ...

    def count_from(self, sender: str, since: datetime) -> int:
        """How many mails from `sender` were received at or after `since`."""
        ...

    def for_ticket(self, ticket_id: str) -> list[InboundMailRecord]:
        """The mails of one ticket, oldest first."""
        ...

    def get(self, mail_id: str) -> InboundMailRecord | None:
        """The mail with this ledger id (not its Message-ID)."""
        ...

    def with_outcome(self, outcome: str, limit: int) -> list[InboundMailRecord]:
        """The newest `limit` mails with `outcome` (e.g. held), newest first."""
        ...

    def settle(
        self, mail_id: str, from_outcome: str, outcome: str, ticket_id: str | None, reason: str
    ) -> bool:
        """Change a mail's outcome (and ticket, reason) when it is still `from_outcome`;
        False when it is not (someone settled it first) or unknown."""
        ...

    def failing(self, address: str) -> AddressFailureRecord | None: ...

    def mark_failing(self, failure: AddressFailureRecord) -> None:
        """Insert or replace the failure of `failure.address`."""
        ...

    def clear_failing(self, address: str) -> bool:
        """Forget the failure of `address` (the customer wrote from it); False if none."""
        ...

    def blob_hashes(self) -> Iterator[str]:
        """Every blob hash a stored mail refers to (its original and its attachments), in no
        particular order, possibly repeated; read in batches, not all at once."""
        ...


class ChannelEventRepository(Protocol):
    def add(self, event: ChannelEventRecord) -> ChannelEventRecord:
        """Store the event unless (channel, event_id) is stored already; the stored one."""
        ...

    def mark_handled(
        self, channel: str, event_id: str, at: datetime, ticket_id: str | None = None
    ) -> None:
        """The event's effects are committed (in this unit of work)."""
        ...

    def claim_reply_token(
        self, channel: str, user_id: str, since: datetime, at: datetime
    ) -> str | None:
        """The newest unclaimed reply token of `user_id` received at or after `since`, marked
        claimed at `at` (each token is handed out once); None when there is none."""
        ...

    def latest_kind(self, channel: str, user_id: str, kinds: Sequence[str]) -> str | None:
        """The kind of `user_id`'s newest event among `kinds` (e.g. follow or unfollow)."""
        ...


class NoticeRepository(Protocol):
    """Staff notices and each user's notice settings."""

    def add(self, notice: NoticeRecord) -> None:
        """DuplicateKey ("notices.ref") when the user has a notice of the same `ref`."""
        ...

    def get(self, notice_id: str) -> NoticeRecord | None: ...

    def save(self, notice: NoticeRecord) -> None:
        """Replace an existing notice's row (a fold, a delivery)."""
        ...

    def open_about(self, user_id: str, ticket_id: str, since: datetime) -> NoticeRecord | None:
        """The user's newest unread notice about `ticket_id` last added to at or after
        `since` (the one a new notice folds into), or None."""
        ...

    def for_user(
        self, user_id: str, *, unread_only: bool = False, limit: int = 50
    ) -> list[NoticeRecord]:
        """The user's notices, latest first (updated_at desc, then id desc), at most `limit`."""
        ...

    def unread_count(self, user_id: str) -> int: ...

    def mark_read(self, user_id: str, notice_ids: Sequence[str] | None, at: datetime) -> int:
        """Set `read_at` on the user's unread notices (those of `notice_ids`, or all with
        None); the number marked. Other users' notices are never touched."""
        ...

    def due_for_delivery(self, now: datetime, limit: int) -> list[NoticeRecord]:
        """Notices with `deliver_at <= now` not yet delivered, earliest first."""
        ...

    def settings(self, user_id: str) -> NoticeSettingsRecord | None: ...

    def save_settings(self, settings: NoticeSettingsRecord) -> None:
        """Insert or replace the user's settings."""
        ...


class IncidentRepository(Protocol):
    """Incidents, their linked tickets and their timelines."""

    def add(self, incident: IncidentRecord) -> None: ...

    def get(self, incident_id: str) -> IncidentRecord | None: ...

    def save(self, incident: IncidentRecord) -> None: ...

    def search(self, status: str | None = None, limit: int = 100) -> list[IncidentRecord]:
        """Incidents (of one status when given), newest first (created_at desc, id desc)."""
        ...

    def link(self, link: IncidentTicketRecord) -> bool:
        """Link a ticket; False (nothing written) when it is linked already."""
        ...

    def unlink(self, incident_id: str, ticket_id: str) -> bool:
        """False when the ticket was not linked."""
        ...

    def tickets(self, incident_id: str) -> list[IncidentTicketRecord]:
        """The linked tickets, in the order they were linked (linked_at, then ticket id)."""
        ...

    def for_ticket(self, ticket_id: str) -> list[str]:
        """Ids of the incidents a ticket is linked to."""
        ...

    def add_entry(self, entry: IncidentEntryRecord) -> None: ...

    def timeline(self, incident_id: str) -> list[IncidentEntryRecord]:
        """The incident's entries, oldest first (at, then insertion)."""


class KnowledgeBaseRepository(Protocol):
    """Articles, their translations and revisions, votes and use events (issue 16). The
    search index follows `save_translation`: a translation is searchable exactly while it is
    live (its published copy set), by the tokens of `tierdesk.domain.kb_text`."""

    def add_article(self, article: ArticleRecord) -> None:
        """DuplicateKey for an existing id ("kb_articles.id") or slug ("kb_articles.slug")."""
        ...

    def get_article(self, article_id: str) -> ArticleRecord | None: ...

    def get_by_slug(self, slug: str) -> ArticleRecord | None: ...

    def save_article(self, article: ArticleRecord) -> None:
        """Replace an existing article's row (DuplicateKey for a slug another one has)."""
        ...

    def articles(self, filters: ArticleFilter, limit: int = 100) -> list[ArticleRecord]:
        """Articles with a translation matching `filters` (language, state, live), of the
        category, audience and tag given; most recently updated first (then id)."""
        ...

    def add_translation(self, translation: TranslationRecord) -> None:
        """DuplicateKey ("kb_translations") when the article has that language already."""
        ...

    def get_translation(self, article_id: str, language: str) -> TranslationRecord | None: ...

    def translations(self, article_ids: Sequence[str]) -> list[TranslationRecord]:
        """The translations of those articles, by article id then language."""
        ...

    def save_translation(self, translation: TranslationRecord) -> None:
        """Replace an existing translation's row and bring its search entry in step."""
        ...

    def add_revision(self, revision: RevisionRecord) -> None:
        """DuplicateKey ("kb_revisions") for an existing (article, language, number)."""
        ...

    def revisions(self, article_id: str, language: str) -> list[RevisionRecord]:
        """A translation's revisions, oldest first (by number)."""
        ...

    def search(self, query: KbSearch) -> list[KbHit]:
        """Live translations matching `query`, best first (score desc, then article id and
        language), at most `query.limit`. Nothing for empty terms."""
        ...

    def add_vote(self, vote: VoteRecord) -> bool:
        """Record a vote; False (nothing written) when the visitor voted on the article."""
        ...

    def vote_counts(self, article_id: str) -> dict[str, tuple[int, int]]:
        """Per language: (helpful, not helpful) votes."""
        ...

    def add_event(self, event: KbEventRecord) -> None: ...

    def events(
        self, since: datetime, until: datetime, kinds: Sequence[str] = ()
    ) -> list[KbEventRecord]:
        """Events with `since <= at < until` (of `kinds` when given), oldest first."""
        ...

    def live_categories(self, audiences: Sequence[str]) -> dict[str, int]:
        """For each category, how many articles of those audiences have a live translation."""
        ...


class QaRepository(Protocol):
    """QA reviews (R-QA-1): each resolved ticket's stored automatic score and verdicts, and
    the overrides QA specialists made (`tierdesk.services.qa_records`)."""

    def add_review(self, review: QaReviewRecord) -> bool:
        """Store a new review; False (nothing written) when the ticket has one already (two
        readers scoring the same ticket at once: the first one's is kept)."""
        ...

    def save_review(self, review: QaReviewRecord) -> None:
        """Replace the ticket's existing review."""
        ...

    def get_review(self, ticket_id: str) -> QaReviewRecord | None: ...

    def unscored(self, limit: int) -> list[str]:
        """Ids of resolved or closed tickets (by id, at most `limit`) that have no review, or
        an unreviewed one of another ticket version than the ticket's (it changed since)."""
        ...

    def queue(
        self, *, limit: int = 50, cursor: str | None = None, agent_id: str | None = None
    ) -> QaQueuePage:
        """Unreviewed reviews of tickets still resolved or closed (of one agent when given),
        in queue order (`QaQueuePage`); `cursor` is the previous page's `next_cursor`.
        ValueError for a cursor this store did not make."""
        ...

    def reviews(
        self, since: datetime, until: datetime, agent_id: str | None = None
    ) -> list[QaReviewRecord]:
        """Reviews with `since <= closed_at < until` (of one agent when given), by closed_at
        then ticket id."""
        ...

    def add_override(self, override: QaOverrideRecord) -> None: ...

    def overrides(self, ticket_id: str) -> list[QaOverrideRecord]:
        """The ticket's overrides, oldest first (at, then insertion)."""
        ...


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
