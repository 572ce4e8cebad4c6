"""In-memory repositories: the tables of `tierdesk.testing.memory` (see there)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from tierdesk.domain.events import TicketEvent
from tierdesk.domain.kb_text import index_tokens, matches, query_terms
from tierdesk.services.kb_records import (
    ArticleRecord,
    KbEventRecord,
    RevisionRecord,
    TranslationRecord,
    VoteRecord,
)
from tierdesk.services.paging import (
    cut,
    cut_by,
    decode_cursor,
    due_key,
    newest_key,
    warned_key,
)
from tierdesk.services.ports import DuplicateKey
from tierdesk.services.qa_records import QaOverrideRecord, QaReviewRecord
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

R = TypeVar("R")


@dataclass
class Tables:
    """Every table as a dict of immutable records; copying the dicts snapshots the data."""

    tickets: dict[str, TicketRecord] = field(default_factory=dict)
    events: dict[str, tuple[TicketEvent, ...]] = field(default_factory=dict)
    messages: dict[str, MessageRecord] = field(default_factory=dict)
    calls: dict[str, CallRecord] = field(default_factory=dict)
    escalations: dict[str, EscalationRecord] = field(default_factory=dict)
    customers: dict[str, CustomerRecord] = field(default_factory=dict)
    identities: dict[tuple[str, str], IdentityRecord] = field(default_factory=dict)
    outbox: dict[str, OutboxRecord] = field(default_factory=dict)
    users: dict[str, UserRecord] = field(default_factory=dict)
    tokens: dict[str, ApiTokenRecord] = field(default_factory=dict)
    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    policies: dict[str, PolicyVersionRecord] = field(default_factory=dict)
    acks: dict[tuple[str, str], AcknowledgementRecord] = field(default_factory=dict)
    models: dict[str, tuple[ModelVersionRecord, bytes]] = field(default_factory=dict)
    approvals: dict[str, ApprovalRecord] = field(default_factory=dict)
    actions: dict[str, ActionRecord] = field(default_factory=dict)
    surveys: dict[str, SurveyRecord] = field(default_factory=dict)
    webhooks: dict[str, WebhookRecord] = field(default_factory=dict)
    mail: dict[str, InboundMailRecord] = field(default_factory=dict)  # by message_id
    address_failures: dict[str, AddressFailureRecord] = field(default_factory=dict)
    channel_events: dict[tuple[str, str], ChannelEventRecord] = field(default_factory=dict)
    notices: dict[str, NoticeRecord] = field(default_factory=dict)
    notice_settings: dict[str, NoticeSettingsRecord] = field(default_factory=dict)
    incidents: dict[str, IncidentRecord] = field(default_factory=dict)
    incident_tickets: dict[tuple[str, str], IncidentTicketRecord] = field(default_factory=dict)
    incident_entries: dict[str, IncidentEntryRecord] = field(default_factory=dict)
    # the knowledge base (tierdesk.testing.memory_kb)
    kb_articles: dict[str, ArticleRecord] = field(default_factory=dict)
    kb_translations: dict[tuple[str, str], TranslationRecord] = field(default_factory=dict)
    kb_revisions: dict[tuple[str, str, int], RevisionRecord] = field(default_factory=dict)
    kb_votes: dict[tuple[str, str], VoteRecord] = field(default_factory=dict)
    kb_events: dict[str, KbEventRecord] = field(default_factory=dict)
    # QA reviews (tierdesk.testing.memory_qa): by ticket id; overrides by id
    qa_reviews: dict[str, QaReviewRecord] = field(default_factory=dict)
    qa_overrides: dict[str, QaOverrideRecord] = field(default_factory=dict)

    def copy(self) -> Tables:
        return Tables(**{name: dict(value) for name, value in vars(self).items()})


def _unique(rows: dict[str, R], key: Callable[[R], Any], value: Any, name: str) -> None:
    if value is not None and any(key(r) == value for r in rows.values()):
        raise DuplicateKey(name, str(value))


def _matches(t: TicketRecord, f: TicketFilter) -> bool:
    checks = (
        (f.status, t.status),
        (f.priority, t.priority),
        (f.tier, t.tier),
        (f.queue, t.queue),
        (f.category, t.category),
        (f.channel, t.channel),
    )
    if any(allowed and value not in allowed for allowed, value in checks):
        return False
    if f.assignee_id is not None and t.assignee_id != f.assignee_id:
        return False
    if f.customer_id is not None and t.customer_id != f.customer_id:
        return False
    if f.created_from is not None and t.created_at < f.created_from:
        return False
    if f.created_to is not None and t.created_at >= f.created_to:
        return False
    warned = t.due_warn_at
    return f.warned_by is None or (warned is not None and warned <= f.warned_by)


def _text_matches(t: Tables, text: str) -> set[str]:
    """The ids of the tickets whose subject and messages (every kind) hold every word of
    `text`, by the tokens the databases index (`tierdesk.domain.kb_text`)."""
    terms = query_terms(text)
    if terms.empty:
        return set()
    words: dict[str, set[str]] = {i: set(index_tokens(r.subject)) for i, r in t.tickets.items()}
    for m in t.messages.values():
        words.setdefault(m.ticket_id, set()).update(index_tokens(m.body))
    return {i for i, document in words.items() if matches(terms, document)}


class MemoryTickets:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, ticket: TicketRecord) -> None:
        rows = self._t.tickets
        if ticket.id in rows:
            raise DuplicateKey("tickets.id", ticket.id)
        _unique(
            rows, lambda r: r.idempotency_key, ticket.idempotency_key, "tickets.idempotency_key"
        )
        if ticket.channel_message_id is not None:
            key = (ticket.channel, ticket.channel_message_id)
            _unique(
                rows, lambda r: (r.channel, r.channel_message_id), key, "tickets.channel_message"
            )
        rows[ticket.id] = ticket

    def get(self, ticket_id: str) -> TicketRecord | None:
        return self._t.tickets.get(ticket_id)

    def with_id_prefix(self, prefix: str, limit: int = 5) -> list[TicketRecord]:
        found = sorted(k for k in self._t.tickets if k.startswith(prefix))[:limit]
        return [self._t.tickets[k] for k in found]

    def get_for_update(self, ticket_id: str, *, skip_locked: bool = False) -> TicketRecord | None:
        return self._t.tickets.get(ticket_id)

    def save(self, ticket: TicketRecord, expected_version: int) -> bool:
        current = self._t.tickets.get(ticket.id)
        if current is None or current.version != expected_version:
            return False
        self._t.tickets[ticket.id] = ticket
        return True

    def find_by_idempotency_key(self, key: str) -> TicketRecord | None:
        return next((r for r in self._t.tickets.values() if r.idempotency_key == key), None)

    def find_by_channel_message(self, channel: str, message_id: str) -> TicketRecord | None:
        return next(
            (
                r
                for r in self._t.tickets.values()
                if r.channel == channel and r.channel_message_id == message_id
            ),
            None,
        )

    def search(
        self, filters: TicketFilter, *, limit: int = 50, cursor: str | None = None
    ) -> TicketPage:
        after = decode_cursor(cursor) if cursor is not None else None
        found = [r for r in self._t.tickets.values() if _matches(r, filters)]
        if filters.text:
            hits = _text_matches(self._t, filters.text)
            found = [r for r in found if r.id in hits]
        if filters.order in ("due", "warned"):
            key = due_key if filters.order == "due" else warned_key
            rows = sorted(found, key=key)
            if after is not None:
                rows = [r for r in rows if key(r) > after]
            return TicketPage(*cut_by(rows, limit, key))
        rows = sorted(found, key=newest_key, reverse=True)
        if after is not None:
            rows = [r for r in rows if newest_key(r) < after]
        return TicketPage(*cut(rows, limit))

    def recent_for_customers(
        self, customer_ids: Sequence[str], since: datetime
    ) -> list[TicketRecord]:
        ids = set(customer_ids)
        rows = (r for r in self._t.tickets.values() if r.customer_id in ids)
        return sorted(
            (r for r in rows if r.created_at >= since), key=lambda r: (r.created_at, r.id)
        )

    def due_for_sweep(self, now: datetime, limit: int) -> list[str]:
        due = [r for r in self._t.tickets.values() if r.sweep_at is not None and r.sweep_at <= now]
        due.sort(key=lambda r: (r.sweep_at or now, r.id))
        return [r.id for r in due[:limit]]

    def sweep_active_by(self, at: datetime) -> int:
        changed = [
            r
            for r in self._t.tickets.values()
            if r.active and (r.sweep_at is None or r.sweep_at > at)
        ]
        for r in changed:
            self._t.tickets[r.id] = replace(r, sweep_at=at)
        return len(changed)


class MemoryEvents:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def append(self, events: Sequence[TicketEvent]) -> None:
        for e in events:
            have = self._t.events.get(e.ticket_id, ())
            if any(x.seq == e.seq for x in have):
                raise DuplicateKey("ticket_events.seq", f"{e.ticket_id}#{e.seq}")
            self._t.events[e.ticket_id] = (*have, e)

    def for_ticket(self, ticket_id: str) -> list[TicketEvent]:
        return sorted(self._t.events.get(ticket_id, ()), key=lambda e: e.seq)

    def for_tickets(self, ticket_ids: Sequence[str]) -> dict[str, list[TicketEvent]]:
        return {tid: self.for_ticket(tid) for tid in ticket_ids}


class PerTicket:
    """A table of records with `id` and `ticket_id`, in insertion order."""

    def __init__(self, rows: dict[str, Any]) -> None:
        self._rows = rows

    def add(self, record: Any) -> None:
        if record.id in self._rows:
            raise DuplicateKey("id", record.id)
        self._rows[record.id] = record

    def get(self, record_id: str) -> Any:
        return self._rows.get(record_id)

    def save(self, record: Any) -> None:
        self._rows[record.id] = record

    def for_ticket(self, ticket_id: str) -> list[Any]:
        return [r for r in self._rows.values() if r.ticket_id == ticket_id]


class MemoryMessages(PerTicket):
    def add(self, record: Any) -> None:
        if record.channel_message_id is not None:
            key = (record.channel, record.channel_message_id)
            _unique(
                self._rows, lambda m: (m.channel, m.channel_message_id), key, "messages.channel"
            )
        super().add(record)

    def find_by_channel_message(self, channel: str, message_id: str) -> MessageRecord | None:
        return next(
            (
                m
                for m in self._rows.values()
                if m.channel == channel and m.channel_message_id == message_id
            ),
            None,
        )

    def for_ticket(self, ticket_id: str) -> list[Any]:
        # The port promises (created_at, then insertion); sorted() is stable.
        return sorted(super().for_ticket(ticket_id), key=lambda m: m.created_at)


class MemoryCustomers:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, customer: CustomerRecord) -> None:
        if customer.id in self._t.customers:
            raise DuplicateKey("customers.id", customer.id)
        self._t.customers[customer.id] = customer

    def get(self, customer_id: str) -> CustomerRecord | None:
        return self._t.customers.get(customer_id)

    def get_many(self, customer_ids: Sequence[str]) -> dict[str, CustomerRecord]:
        return {c: self._t.customers[c] for c in customer_ids if c in self._t.customers}

    def names(self, customer_ids: Sequence[str]) -> dict[str, str]:
        return {c: self._t.customers[c].name for c in customer_ids if c in self._t.customers}

    def save(self, customer: CustomerRecord) -> None:
        self._t.customers[customer.id] = customer

    def add_identity(self, identity: IdentityRecord) -> None:
        key = (identity.kind, identity.value)
        if key in self._t.identities:
            raise DuplicateKey("customer_identities", f"{identity.kind}:{identity.value}")
        self._t.identities[key] = identity

    def find_by_identity(self, kind: str, value: str) -> CustomerRecord | None:
        ident = self._t.identities.get((kind, value))
        return None if ident is None else self._t.customers.get(ident.customer_id)

    def identities(self, customer_id: str) -> list[IdentityRecord]:
        return [i for i in self._t.identities.values() if i.customer_id == customer_id]

    def merge(self, source_id: str, target_id: str) -> None:
        for key, ident in list(self._t.identities.items()):
            if ident.customer_id == source_id:
                self._t.identities[key] = replace(ident, customer_id=target_id)
        self._t.customers[source_id] = replace(self._t.customers[source_id], merged_into=target_id)

    def merged_ids(self, customer_id: str) -> list[str]:
        return [c.id for c in self._t.customers.values() if c.merged_into == customer_id]

    def search(
        self, text: str | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> CustomerPage:
        wanted = (text or "").casefold()

        def hit(c: CustomerRecord) -> bool:
            values = [c.name] + [i.value for i in self.identities(c.id)]
            return any(wanted in v.casefold() for v in values)

        rows = sorted(
            (c for c in self._t.customers.values() if c.merged_into is None and hit(c)),
            key=lambda c: (c.created_at, c.id),
            reverse=True,
        )
        if cursor is not None:
            after = decode_cursor(cursor)
            rows = [c for c in rows if (c.created_at, c.id) < after]
        return CustomerPage(*cut(rows, limit))

    def identities_for(self, customer_ids: Sequence[str]) -> list[IdentityRecord]:
        ids = set(customer_ids)
        return [i for i in self._t.identities.values() if i.customer_id in ids]


class MemoryOutbox:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, message: OutboxRecord) -> bool:
        if any(m.dedupe_key == message.dedupe_key for m in self._t.outbox.values()):
            return False
        self._t.outbox[message.id] = message
        return True

    def claim_batch(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxRecord]:
        def ready(m: OutboxRecord) -> bool:
            if m.status == "pending":
                return m.next_attempt_at <= now
            return m.status == "sending" and (m.claimed_until is None or m.claimed_until <= now)

        batch = sorted((m for m in self._t.outbox.values() if ready(m)), key=_outbox_order)
        out = []
        for m in batch[:limit]:
            claimed = replace(
                m, status="sending", attempts=m.attempts + 1, claimed_until=now + lease
            )
            self._t.outbox[m.id] = claimed
            out.append(claimed)
        return out

    def mark_sent(self, message_id: str, at: datetime) -> None:
        m = self._t.outbox[message_id]
        self._t.outbox[message_id] = replace(m, status="sent", sent_at=at, claimed_until=None)

    def release(self, message_id: str, at: datetime) -> None:
        m = self._t.outbox[message_id]
        self._t.outbox[message_id] = replace(
            m,
            status="pending",
            attempts=max(m.attempts - 1, 0),
            claimed_until=None,
            next_attempt_at=at,
        )

    def mark_failed(self, message_id: str, error: str, retry_at: datetime | None) -> None:
        m = self._t.outbox[message_id]
        if retry_at is None:
            self._t.outbox[message_id] = replace(m, status="dead", last_error=error)
        else:
            self._t.outbox[message_id] = replace(
                m, status="pending", next_attempt_at=retry_at, claimed_until=None, last_error=error
            )

    def for_ticket(self, ticket_id: str) -> list[OutboxRecord]:
        return sorted(
            (m for m in self._t.outbox.values() if m.ticket_id == ticket_id), key=_outbox_order
        )


def _outbox_order(m: OutboxRecord) -> datetime:
    return m.created_at  # sorted() is stable: ties keep insertion order


class MemoryUsers:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, user: UserRecord) -> None:
        _unique(self._t.users, lambda u: u.username, user.username, "users.username")
        self._t.users[user.id] = user

    def get(self, user_id: str) -> UserRecord | None:
        return self._t.users.get(user_id)

    def get_by_username(self, username: str) -> UserRecord | None:
        return next((u for u in self._t.users.values() if u.username == username), None)

    def save(self, user: UserRecord) -> None:
        self._t.users[user.id] = user

    def search(self, role: str | None = None) -> list[UserRecord]:
        users = (u for u in self._t.users.values() if role is None or u.role == role)
        return sorted(users, key=lambda u: u.username)


class MemoryTokens:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, token: ApiTokenRecord) -> None:
        rows = self._t.tokens
        if token.id in rows:
            raise DuplicateKey("api_tokens.id", token.id)
        _unique(rows, lambda r: r.token_hash, token.token_hash, "api_tokens.token_hash")
        rows[token.id] = token

    def get(self, token_id: str) -> ApiTokenRecord | None:
        return self._t.tokens.get(token_id)

    def by_hash(self, token_hash: str) -> ApiTokenRecord | None:
        return next((r for r in self._t.tokens.values() if r.token_hash == token_hash), None)

    def for_user(self, user_id: str) -> list[ApiTokenRecord]:
        rows = (r for r in self._t.tokens.values() if r.user_id == user_id)
        return sorted(rows, key=lambda r: (r.created_at, r.id))

    def save(self, token: ApiTokenRecord) -> None:
        self._t.tokens[token.id] = token

    def touch(self, token_id: str, at: datetime) -> None:
        token = self._t.tokens.get(token_id)
        if token is not None:
            self._t.tokens[token_id] = replace(token, last_used_at=at)

    def purge(self, before: datetime) -> int:
        rows = self._t.tokens
        gone = [r.id for r in rows.values() if _ended_before(r.expires_at, r.revoked_at, before)]
        for token_id in gone:
            del rows[token_id]
        return len(gone)


class MemorySessions:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, session: SessionRecord) -> None:
        if session.id in self._t.sessions:
            raise DuplicateKey("sessions.id", session.id)
        self._t.sessions[session.id] = session

    def get(self, session_id: str) -> SessionRecord | None:
        return self._t.sessions.get(session_id)

    def for_user(self, user_id: str) -> list[SessionRecord]:
        rows = (r for r in self._t.sessions.values() if r.user_id == user_id)
        return sorted(rows, key=lambda r: (r.created_at, r.id))

    def save(self, session: SessionRecord) -> None:
        self._t.sessions[session.id] = session

    def touch(self, session_id: str, at: datetime) -> None:
        session = self._t.sessions.get(session_id)
        if session is not None:
            self._t.sessions[session_id] = replace(session, last_seen_at=at)

    def end_for_user(self, user_id: str, at: datetime, except_id: str | None = None) -> int:
        rows = self._t.sessions
        ending = [
            r
            for r in rows.values()
            if r.user_id == user_id and r.revoked_at is None and r.id != except_id
        ]
        for r in ending:
            rows[r.id] = replace(r, revoked_at=at)
        return len(ending)

    def purge(self, before: datetime) -> int:
        rows = self._t.sessions
        gone = [r.id for r in rows.values() if _ended_before(r.expires_at, r.revoked_at, before)]
        for session_id in gone:
            del rows[session_id]
        return len(gone)


def _ended_before(expires_at: datetime, revoked_at: datetime | None, before: datetime) -> bool:
    """A session or token that expired or was revoked before `before` (the SQL `purge`)."""
    return expires_at < before or (revoked_at is not None and revoked_at < before)


class MemoryPolicies:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, version: PolicyVersionRecord) -> None:
        _unique(self._t.policies, lambda v: v.number, version.number, "policy_versions.number")
        self._t.policies[version.id] = version

    def get(self, version_id: str) -> PolicyVersionRecord | None:
        return self._t.policies.get(version_id)

    def save(self, version: PolicyVersionRecord) -> None:
        self._t.policies[version.id] = version

    def history(self) -> list[PolicyVersionRecord]:
        return sorted(self._t.policies.values(), key=lambda v: v.number)

    def effective(self) -> PolicyVersionRecord | None:
        return next((v for v in self._t.policies.values() if v.status == "effective"), None)

    def add_acknowledgement(self, ack: AcknowledgementRecord) -> None:
        self._t.acks.setdefault((ack.version_id, ack.user_id), ack)

    def acknowledgement(self, version_id: str, user_id: str) -> AcknowledgementRecord | None:
        return self._t.acks.get((version_id, user_id))

    def acknowledgements(self, version_id: str) -> list[AcknowledgementRecord]:
        return [a for (v, _), a in self._t.acks.items() if v == version_id]


class MemoryModels:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, version: ModelVersionRecord, payload: bytes) -> None:
        numbers = {v.id: v for v, _ in self._t.models.values()}
        _unique(numbers, lambda v: v.number, version.number, "model_versions.number")
        self._t.models[version.id] = (version, payload)

    def get(self, version_id: str) -> ModelVersionRecord | None:
        found = self._t.models.get(version_id)
        return None if found is None else found[0]

    def save(self, version: ModelVersionRecord) -> None:
        self._t.models[version.id] = (version, self._t.models[version.id][1])

    def history(self) -> list[ModelVersionRecord]:
        return sorted((v for v, _ in self._t.models.values()), key=lambda v: v.number)

    def effective(self) -> ModelVersionRecord | None:
        return next((v for v in reversed(self.history()) if v.status == "effective"), None)

    def payload(self, version_id: str) -> bytes | None:
        found = self._t.models.get(version_id)
        return None if found is None else found[1]


class MemoryApprovals(PerTicket):
    def pending(self, limit: int = 100) -> list[ApprovalRecord]:
        rows = [a for a in self._rows.values() if a.status == "pending"]
        return sorted(rows, key=lambda a: a.created_at)[:limit]


class MemorySurveys(PerTicket):
    def get_by_token(self, token: str) -> SurveyRecord | None:
        return next((s for s in self._rows.values() if s.token == token), None)


class MemoryWebhooks:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, webhook: WebhookRecord) -> None:
        if webhook.id in self._t.webhooks:
            raise DuplicateKey("webhooks.id", webhook.id)
        self._t.webhooks[webhook.id] = webhook

    def get(self, webhook_id: str) -> WebhookRecord | None:
        return self._t.webhooks.get(webhook_id)

    def list(self, *, active_only: bool = False) -> list[WebhookRecord]:
        rows = (w for w in self._t.webhooks.values() if w.active or not active_only)
        return sorted(rows, key=lambda w: (w.created_at, w.id))

    def save(self, webhook: WebhookRecord) -> None:
        if webhook.id in self._t.webhooks:
            self._t.webhooks[webhook.id] = webhook


class MemoryMail:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, mail: InboundMailRecord) -> None:
        if mail.message_id in self._t.mail:
            raise DuplicateKey("inbound_mail.message_id", mail.message_id)
        self._t.mail[mail.message_id] = mail

    def find(self, message_id: str) -> InboundMailRecord | None:
        return self._t.mail.get(message_id)

    def count_from(self, sender: str, since: datetime) -> int:
        return sum(m.sender == sender and m.received_at >= since for m in self._t.mail.values())

    def for_ticket(self, ticket_id: str) -> list[InboundMailRecord]:
        found = [m for m in self._t.mail.values() if m.ticket_id == ticket_id]
        return sorted(found, key=lambda m: m.received_at)

    def get(self, mail_id: str) -> InboundMailRecord | None:
        return next((m for m in self._t.mail.values() if m.id == mail_id), None)

    def with_outcome(self, outcome: str, limit: int) -> list[InboundMailRecord]:
        found = [(m.received_at, n, m) for n, m in enumerate(self._t.mail.values())]
        found.sort(key=lambda x: (x[0], x[1]), reverse=True)  # newest, then last added first
        return [m for _, _, m in found if m.outcome == outcome][:limit]

    def settle(
        self, mail_id: str, from_outcome: str, outcome: str, ticket_id: str | None, reason: str
    ) -> bool:
        found = self.get(mail_id)
        if found is None or found.outcome != from_outcome:
            return False
        self._t.mail[found.message_id] = replace(
            found, outcome=outcome, ticket_id=ticket_id, reason=reason
        )
        return True

    def failing(self, address: str) -> AddressFailureRecord | None:
        return self._t.address_failures.get(address)

    def mark_failing(self, failure: AddressFailureRecord) -> None:
        self._t.address_failures[failure.address] = failure

    def clear_failing(self, address: str) -> bool:
        return self._t.address_failures.pop(address, None) is not None

    def blob_hashes(self) -> Iterator[str]:
        for mail in list(self._t.mail.values()):
            yield mail.raw_sha256
            yield from (a["sha256"] for a in mail.attachments if a.get("sha256"))


class MemoryChannelEvents:
    def __init__(self, t: Tables) -> None:
        self._t = t

    def add(self, event: ChannelEventRecord) -> ChannelEventRecord:
        return self._t.channel_events.setdefault((event.channel, event.event_id), event)

    def mark_handled(
        self, channel: str, event_id: str, at: datetime, ticket_id: str | None = None
    ) -> None:
        key = (channel, event_id)
        if key in self._t.channel_events:
            event = self._t.channel_events[key]
            self._t.channel_events[key] = replace(
                event, handled_at=at, ticket_id=ticket_id or event.ticket_id
            )

    def claim_reply_token(
        self, channel: str, user_id: str, since: datetime, at: datetime
    ) -> str | None:
        usable = [
            e
            for e in self._t.channel_events.values()
            if e.channel == channel
            and e.user_id == user_id
            and e.reply_token
            and e.reply_token_used_at is None
            and e.received_at >= since
        ]
        if not usable:
            return None
        newest = max(usable, key=lambda e: e.received_at)
        self._t.channel_events[(channel, newest.event_id)] = replace(newest, reply_token_used_at=at)
        return newest.reply_token

    def latest_kind(self, channel: str, user_id: str, kinds: Sequence[str]) -> str | None:
        found = [
            e
            for e in self._t.channel_events.values()
            if e.channel == channel and e.user_id == user_id and e.kind in kinds
        ]
        return max(found, key=lambda e: e.received_at).kind if found else None
