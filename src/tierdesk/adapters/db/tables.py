"""The schema: SQLAlchemy Core tables for every record of `tierdesk.services.records`.

One table per record; a tuple of str is a JSON array, a dict a JSON object, a Decimal an exact
NUMERIC (`Amount`), a datetime an aware-UTC `UTCDateTime`. Tables whose lists the ports return "in
insertion order" carry an integer `row_id` primary key (the string `id` is unique): it is the
insertion order on both databases. Constraint names are fixed here (and in the migrations) so a
unique violation can be reported as `DuplicateKey` naming the key the ports document
(`CONSTRAINT_KEYS`).

Foreign keys are DEFERRABLE INITIALLY DEFERRED: a command writes a ticket's messages before the
ticket row itself (the row is saved last, with its final state), so they are checked at commit.
Alembic migrations in `migrations/versions` must produce exactly this schema (a test compares).
"""

from __future__ import annotations

import sqlalchemy as sa

from tierdesk.adapters.db.types import Amount, UTCDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# An autoincrementing 64-bit key (SQLite only autoincrements an INTEGER PRIMARY KEY).
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _row_id() -> sa.Column[int]:
    return sa.Column("row_id", RowId, primary_key=True, autoincrement=True)


def _fk(target: str) -> sa.ForeignKey:
    return sa.ForeignKey(target, deferrable=True, initially="DEFERRED")


def _at(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    _at("created_at"),
    sa.Column("merged_into", sa.String(64), nullable=True, index=True),
)

customer_identities = sa.Table(
    "customer_identities",
    metadata,
    _row_id(),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.String(320), nullable=False),
    sa.Column("customer_id", sa.String(64), _fk("customers.id"), nullable=False, index=True),
    _at("created_at"),
    sa.UniqueConstraint("kind", "value"),
)

tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("customer_id", sa.String(64), _fk("customers.id"), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("priority", sa.String(16), nullable=False),
    sa.Column("tier", sa.String(16), nullable=False),
    sa.Column("queue", sa.String(64), nullable=False),
    _at("created_at"),
    _at("updated_at"),
    _at("tier_since"),
    sa.Column("assignee_id", sa.String(64), nullable=True, index=True),
    sa.Column("signals", sa.JSON, nullable=False),
    sa.Column("escalate_to", sa.JSON, nullable=False),
    sa.Column("refund_amount", Amount(), nullable=True),
    sa.Column("refund_currency", sa.String(8), nullable=True),
    sa.Column("needs_human", sa.Boolean, nullable=False),
    _at("first_response_at", nullable=True),
    _at("awaiting_reply_since", nullable=True),
    _at("last_reply_at", nullable=True),
    _at("paused_at", nullable=True),
    sa.Column("paused_seconds", sa.Integer, nullable=False),
    _at("resolved_at", nullable=True),
    _at("closed_at", nullable=True),
    sa.Column("reopen_count", sa.Integer, nullable=False),
    sa.Column("merged_into", sa.String(64), nullable=True),
    sa.Column("related_to", sa.String(64), nullable=True),
    sa.Column("contact_count", sa.Integer, nullable=False),
    _at("identity_verified_at", nullable=True),
    sa.Column("escalation_count", sa.Integer, nullable=False),
    sa.Column("escalation_marks", sa.JSON, nullable=False),
    sa.Column("sla_marks", sa.JSON, nullable=False),
    sa.Column("call_seconds", sa.Integer, nullable=False),
    sa.Column("reply_count", sa.Integer, nullable=False),
    sa.Column("unedited_template_count", sa.Integer, nullable=False),
    sa.Column("csat", sa.Integer, nullable=True),
    sa.Column("nps", sa.Integer, nullable=True),
    sa.Column("policy_version_id", sa.String(64), nullable=True),
    sa.Column("idempotency_key", sa.String(200), nullable=True, unique=True),
    sa.Column("channel_message_id", sa.String(200), nullable=True),
    _at("sweep_at", nullable=True),
    _at("due_at", nullable=True),  # 0014: the running SLA clock due first
    _at("due_warn_at", nullable=True),  # 0014: when that clock warns
    sa.Column("due_clock", sa.String(32), nullable=True),  # 0014: which clock that is
    sa.Column("due_calendar", sa.String(64), nullable=True),  # 0014: and its calendar
    sa.UniqueConstraint("channel", "channel_message_id"),
    sa.Index("ix_tickets_sweep_at", "sweep_at"),
    sa.Index("ix_tickets_created_at_id", "created_at", "id"),
    sa.Index("ix_tickets_customer_id_created_at", "customer_id", "created_at"),
    sa.Index("ix_tickets_status_created_at", "status", "created_at"),
)

ticket_events = sa.Table(
    "ticket_events",
    metadata,
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    _at("at"),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

messages = sa.Table(
    "messages",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    _at("created_at"),
    sa.Column("author_id", sa.String(64), nullable=True),
    sa.Column("template_id", sa.String(64), nullable=True),
    sa.Column("template_unedited", sa.Boolean, nullable=False),
    sa.Column("event_seq", sa.Integer, nullable=False),
    sa.Column("channel_message_id", sa.String(200), nullable=True),
    sa.UniqueConstraint("channel", "channel_message_id"),
)

# 0017: each ticket's search tokens (`tierdesk.domain.kb_text.index_text`) of its subject and
# of all its messages' bodies (customer messages, replies and internal notes), written by the
# repositories (`repo_tickets`); the full-text index over them is made by the migration outside
# `metadata` (SQLite: the FTS5 table `ticket_fts` with this table as its external content,
# kept in step by triggers; PostgreSQL: the GIN index `ix_ticket_fts`).
ticket_search = sa.Table(
    "ticket_search",
    metadata,
    _row_id(),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), nullable=False, unique=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

calls = sa.Table(
    "calls",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), nullable=False, index=True),
    sa.Column("agent_id", sa.String(64), nullable=False),
    _at("started_at"),
    sa.Column("duration_seconds", sa.Integer, nullable=False),
    sa.Column("direction", sa.String(16), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("answer_seconds", sa.Integer, nullable=True),  # 0013, R-SLA-3
)

escalations = sa.Table(
    "escalations",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), nullable=False, index=True),
    sa.Column("rule_id", sa.String(64), nullable=True),
    sa.Column("from_tier", sa.String(16), nullable=False),
    sa.Column("to_tier", sa.String(16), nullable=False),
    sa.Column("targets", sa.JSON, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    _at("at"),
    sa.Column("brief", sa.JSON, nullable=False),
    sa.Column("notice", sa.Text, nullable=False),
    _at("expected_by", nullable=True),
)

outbox = sa.Table(
    "outbox",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    _at("created_at"),
    _at("next_attempt_at"),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), nullable=True, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    _at("claimed_until", nullable=True),
    _at("sent_at", nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(150), nullable=False, unique=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    _at("created_at"),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=True),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), _fk("users.id"), nullable=False, index=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _at("created_at"),
    _at("expires_at"),
    _at("last_used_at", nullable=True),
    _at("revoked_at", nullable=True),
    sa.Column("revoked_by", sa.String(64), nullable=True),
    # housekeeping deletes by these (`purge`): an index each, not a scan of every token
    sa.Index("ix_api_tokens_expires_at", "expires_at"),
    sa.Index("ix_api_tokens_revoked_at", "revoked_at"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), _fk("users.id"), nullable=False, index=True),
    _at("created_at"),
    _at("expires_at"),
    _at("last_seen_at", nullable=True),
    _at("revoked_at", nullable=True),
    sa.Column("user_agent", sa.String(200), nullable=True),
    sa.Column("address", sa.String(64), nullable=True),
    sa.Index("ix_sessions_expires_at", "expires_at"),
    sa.Index("ix_sessions_revoked_at", "revoked_at"),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("secret", sa.String(200), nullable=False),
    sa.Column("events", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    _at("created_at"),
)

channel_events = sa.Table(
    "channel_events",
    metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("event_id", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("user_id", sa.String(64), nullable=True),
    _at("received_at"),
    sa.Column("reply_token", sa.String(200), nullable=True),
    _at("reply_token_used_at", nullable=True),
    _at("handled_at", nullable=True),
    sa.Column("ticket_id", sa.String(64), nullable=True),
    sa.Index("ix_channel_events_channel_user_id", "channel", "user_id", "received_at"),
)

# Staff notices and incidents (issue 16).
notices = sa.Table(
    "notices",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), _fk("users.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    _at("created_at"),
    _at("updated_at"),
    sa.Column("ticket_id", sa.String(64), nullable=True),
    sa.Column("link", sa.Text, nullable=False),
    sa.Column("rule_ids", sa.JSON, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("urgent", sa.Boolean, nullable=False),
    _at("read_at", nullable=True),
    _at("deliver_at", nullable=True),
    _at("delivered_at", nullable=True),
    sa.Column("ref", sa.String(200), nullable=True),
    sa.UniqueConstraint("user_id", "ref"),
    sa.Index("ix_notices_user_id_updated_at", "user_id", "updated_at"),
    sa.Index("ix_notices_deliver_at", "deliver_at"),
)

notice_settings = sa.Table(
    "notice_settings",
    metadata,
    sa.Column("user_id", sa.String(64), _fk("users.id"), primary_key=True),
    sa.Column("channels", sa.JSON, nullable=False),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("line_user_id", sa.String(64), nullable=True),
    sa.Column("quiet_start", sa.String(5), nullable=True),
    sa.Column("quiet_end", sa.String(5), nullable=True),
    sa.Column("timezone", sa.String(64), nullable=False),
    _at("updated_at", nullable=True),
)

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    _at("created_at"),
    sa.Column("created_by", sa.String(64), nullable=False),
    _at("resolved_at", nullable=True),
    sa.Column("resolved_by", sa.String(64), nullable=True),
    sa.Column("resolution", sa.Text, nullable=False),
)

incident_tickets = sa.Table(
    "incident_tickets",
    metadata,
    sa.Column("incident_id", sa.String(64), _fk("incidents.id"), primary_key=True),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), primary_key=True),
    _at("linked_at"),
    sa.Column("linked_by", sa.String(64), nullable=False),
    sa.Index("ix_incident_tickets_ticket_id", "ticket_id"),
)

incident_entries = sa.Table(
    "incident_entries",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("incident_id", sa.String(64), _fk("incidents.id"), nullable=False, index=True),
    _at("at"),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)

policy_versions = sa.Table(
    "policy_versions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("number", sa.Integer, nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    _at("created_at"),
    sa.Column("change_note", sa.Text, nullable=False),
    sa.Column("approved_by", sa.String(64), nullable=True),
    _at("approved_at", nullable=True),
    sa.Column("decision_note", sa.Text, nullable=False),
    sa.Column("findings", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
)

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("number", sa.Integer, nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    _at("created_at"),
    sa.Column("trained_on", sa.Integer, nullable=False),
    sa.Column("corrected", sa.Integer, nullable=False),
    sa.Column("held_out", sa.Integer, nullable=False),
    sa.Column("accuracy", sa.Float, nullable=False),
    sa.Column("baseline", sa.Text, nullable=False),
    sa.Column("baseline_accuracy", sa.Float, nullable=False),
    sa.Column("evaluation", sa.JSON, nullable=False),
    sa.Column("baseline_evaluation", sa.JSON, nullable=False),
    sa.Column("payload_sha256", sa.String(64), nullable=False),
    sa.Column("payload_bytes", sa.Integer, nullable=False),
    sa.Column("approved_by", sa.String(64), nullable=True),
    _at("approved_at", nullable=True),
    sa.Column("decision_note", sa.Text, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),  # a model file's bytes
)

acknowledgements = sa.Table(
    "acknowledgements",
    metadata,
    _row_id(),
    sa.Column("version_id", sa.String(64), _fk("policy_versions.id"), nullable=False),
    sa.Column("user_id", sa.String(64), nullable=False),
    _at("at"),
    sa.UniqueConstraint("version_id", "user_id"),
)

approvals = sa.Table(
    "approvals",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("amount", Amount(), nullable=True),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(8), nullable=True),
    sa.Column("requested_by", sa.String(64), nullable=False),
    sa.Column("requested_role", sa.String(32), nullable=False),
    sa.Column("required_role", sa.String(32), nullable=False),
    sa.Column("justification", sa.Text, nullable=False),
    _at("created_at"),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_role", sa.String(32), nullable=True),
    _at("decided_at", nullable=True),
    sa.Column("decision_note", sa.Text, nullable=False),
    sa.Index("ix_approvals_status_created_at", "status", "created_at"),
)

actions = sa.Table(
    "actions",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("amount", Amount(), nullable=True),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(8), nullable=True),
    sa.Column("applied_by", sa.String(64), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    _at("at"),
    sa.Column("approval_id", sa.String(64), nullable=True),
    sa.Column("note", sa.Text, nullable=False),
)

surveys = sa.Table(
    "surveys",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), nullable=False, index=True),
    sa.Column("customer_id", sa.String(64), nullable=False),
    sa.Column("token", sa.String(128), nullable=False, unique=True),
    _at("sent_at"),
    sa.Column("csat", sa.Integer, nullable=True),
    sa.Column("nps", sa.Integer, nullable=True),
    sa.Column("comment", sa.Text, nullable=False),
    _at("answered_at", nullable=True),
)

inbound_mail = sa.Table(
    "inbound_mail",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("mailbox", sa.String(100), nullable=False),
    sa.Column("message_id", sa.String(1000), nullable=False, unique=True),
    sa.Column("sender", sa.String(320), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    _at("received_at"),
    sa.Column("raw_sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), nullable=True, index=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("full_text", sa.Text, nullable=False),
    sa.Column("html", sa.Text, nullable=True),
    sa.Column("attachments", sa.JSON, nullable=False),
    sa.Index("ix_inbound_mail_sender_received_at", "sender", "received_at"),
)

mail_address_failures = sa.Table(
    "mail_address_failures",
    metadata,
    sa.Column("address", sa.String(320), primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    _at("failed_at"),
    sa.Column("bounces", sa.Integer, nullable=False),
    sa.Column("customer_id", sa.String(64), nullable=True, index=True),
)

# --- the knowledge base (issue 16; tierdesk.services.kb_records) --------------------------------

kb_articles = sa.Table(
    "kb_articles",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("slug", sa.String(120), nullable=False, unique=True),
    sa.Column("category", sa.String(64), nullable=False, index=True),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("audience", sa.String(16), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    _at("created_at"),
    _at("updated_at"),
)

# `row_id` is the translation's rowid in SQLite's FTS5 index `kb_fts`; `search_title` and
# `search_body` hold the published copy's tokens (tierdesk.domain.kb_text), empty when the
# translation is not live; PostgreSQL indexes them with the GIN expression index `ix_kb_fts`.
kb_translations = sa.Table(
    "kb_translations",
    metadata,
    _row_id(),
    sa.Column("article_id", sa.String(64), _fk("kb_articles.id"), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    _at("updated_at"),
    sa.Column("submitted_by", sa.String(64), nullable=True),
    _at("submitted_at", nullable=True),
    sa.Column("approved_by", sa.String(64), nullable=True),
    _at("approved_at", nullable=True),
    sa.Column("decision_note", sa.Text, nullable=False),
    sa.Column("published_title", sa.Text, nullable=True),
    sa.Column("published_body", sa.Text, nullable=True),
    sa.Column("published_revision", sa.Integer, nullable=True),
    _at("published_at", nullable=True),
    sa.Column("search_title", sa.Text, nullable=False),
    sa.Column("search_body", sa.Text, nullable=False),
    sa.UniqueConstraint("article_id", "language"),
)

kb_revisions = sa.Table(
    "kb_revisions",
    metadata,
    _row_id(),
    sa.Column("article_id", sa.String(64), _fk("kb_articles.id"), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("author_id", sa.String(64), nullable=False),
    _at("at"),
    sa.Column("note", sa.Text, nullable=False),
    sa.UniqueConstraint("article_id", "language", "number"),
)

kb_votes = sa.Table(
    "kb_votes",
    metadata,
    sa.Column("article_id", sa.String(64), _fk("kb_articles.id"), nullable=False),
    sa.Column("visitor", sa.String(64), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("helpful", sa.Boolean, nullable=False),
    _at("at"),
    sa.PrimaryKeyConstraint("article_id", "visitor"),
)

kb_events = sa.Table(
    "kb_events",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    _at("at"),
    sa.Column("article_id", sa.String(64), nullable=True),
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("ticket_id", sa.String(64), nullable=True),
    sa.Column("visitor", sa.String(64), nullable=True),
    sa.Column("actor_id", sa.String(64), nullable=True),
    sa.Column("query", sa.Text, nullable=False),
    sa.Index("ix_kb_events_at", "at"),
)

# QA reviews (R-QA-1, `tierdesk.services.qa_records`): one per resolved ticket, and the
# overrides of its items. The queue reads unreviewed rows by automatic score; scorecards by
# when the ticket was resolved.
qa_reviews = sa.Table(
    "qa_reviews",
    metadata,
    sa.Column("ticket_id", sa.String(64), _fk("tickets.id"), primary_key=True),
    sa.Column("ticket_version", sa.Integer, nullable=False),
    sa.Column("agent_id", sa.String(64), nullable=True),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    _at("closed_at"),
    _at("scored_at"),
    sa.Column("auto_score", sa.Float, nullable=True),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("verdicts", sa.JSON, nullable=False),
    sa.Column("reviewed_by", sa.String(64), nullable=True),
    _at("reviewed_at", nullable=True),
    sa.Index("ix_qa_reviews_closed_at", "closed_at"),
    sa.Index("ix_qa_reviews_reviewed_at_auto_score", "reviewed_at", "auto_score"),
)

qa_overrides = sa.Table(
    "qa_overrides",
    metadata,
    _row_id(),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("ticket_id", sa.String(64), _fk("qa_reviews.ticket_id"), nullable=False, index=True),
    sa.Column("item_id", sa.String(64), nullable=False),
    sa.Column("passed", sa.Boolean, nullable=True),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("reviewer_id", sa.String(64), nullable=False),
    _at("at"),
)

# Full-text indexes kept beside the tables, made by the migrations outside `metadata`: SQLite
# FTS5 virtual tables (with their shadow tables, named after them) and PostgreSQL expression
# indexes. Names start with one of these prefixes; the schema comparison leaves them out.
# The keyset indexes of the lists (ix_keyset_*, migration 0010) differ by database (PostgreSQL's
# compare ids with COLLATE "C"), so they are made there too and left out the same way.
SEARCH_INDEX_PREFIXES: tuple[str, ...] = (
    "kb_fts",
    "ix_kb_fts",
    "ix_keyset_",
    "customer_fts",
    "customer_name_fts",
    "ix_trgm_",
    "ticket_fts",
    "ix_ticket_fts",
)


def in_metadata(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name` hook: False for the search indexes above (they are no table
    of `metadata`), True for everything else."""
    return not (name or "").startswith(SEARCH_INDEX_PREFIXES)


# Unique constraint (or primary key) name -> the key `DuplicateKey` reports (as the ports and the
# in-memory fakes name them).
CONSTRAINT_KEYS: dict[str, str] = {
    "pk_customers": "customers.id",
    "uq_customer_identities_kind_value": "customer_identities",
    "pk_tickets": "tickets.id",
    "uq_tickets_idempotency_key": "tickets.idempotency_key",
    "uq_tickets_channel_channel_message_id": "tickets.channel_message",
    "pk_ticket_events": "ticket_events.seq",
    "uq_messages_channel_channel_message_id": "messages.channel",
    "uq_messages_id": "messages.id",
    "uq_ticket_search_ticket_id": "ticket_search.ticket_id",
    "uq_calls_id": "calls.id",
    "uq_escalations_id": "escalations.id",
    "uq_outbox_id": "outbox.id",
    "uq_outbox_dedupe_key": "outbox.dedupe_key",
    "pk_users": "users.id",
    "uq_users_username": "users.username",
    "pk_api_tokens": "api_tokens.id",
    "uq_api_tokens_token_hash": "api_tokens.token_hash",
    "pk_sessions": "sessions.id",
    "pk_webhooks": "webhooks.id",
    "pk_channel_events": "channel_events",
    "pk_notices": "notices.id",
    "uq_notices_user_id_ref": "notices.ref",
    "pk_incidents": "incidents.id",
    "uq_incident_entries_id": "incident_entries.id",
    "pk_policy_versions": "policy_versions.id",
    "uq_policy_versions_number": "policy_versions.number",
    "uq_acknowledgements_version_id_user_id": "acknowledgements",
    "pk_model_versions": "model_versions.id",
    "uq_model_versions_number": "model_versions.number",
    "uq_approvals_id": "approvals.id",
    "uq_actions_id": "actions.id",
    "uq_surveys_id": "surveys.id",
    "uq_surveys_token": "surveys.token",
    "uq_inbound_mail_id": "inbound_mail.id",
    "uq_inbound_mail_message_id": "inbound_mail.message_id",
    "pk_mail_address_failures": "mail_address_failures.address",
    "pk_kb_articles": "kb_articles.id",
    "uq_kb_articles_slug": "kb_articles.slug",
    "uq_kb_translations_article_id_language": "kb_translations",
    "uq_kb_revisions_article_id_language_number": "kb_revisions",
    "pk_kb_votes": "kb_votes",
    "uq_kb_events_id": "kb_events.id",
    "pk_qa_reviews": "qa_reviews.ticket_id",
    "uq_qa_overrides_id": "qa_overrides.id",
}
