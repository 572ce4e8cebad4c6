"""The initial schema: every table of tierdesk.adapters.db.tables at its first release.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Frozen: it spells out plain column types (the TypeDecorators of `tables` store these), so later
changes to `tables.py` need a new revision, never an edit here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)  # tables.UTCDateTime
AMOUNT = sa.Numeric().with_variant(sa.Text(), "sqlite")  # tables.Amount: exact decimals
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # autoincrementing on both


def upgrade() -> None:
    """Create every table, constraint and index."""
    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("merged_into", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_index(op.f("ix_customers_merged_into"), "customers", ["merged_into"], unique=False)
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", AT, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("number", name=op.f("uq_policy_versions_number")),
    )
    op.create_index(op.f("ix_policy_versions_status"), "policy_versions", ["status"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "acknowledgements",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("version_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_versions.id"],
            name=op.f("fk_acknowledgements_version_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_acknowledgements")),
        sa.UniqueConstraint(
            "version_id", "user_id", name=op.f("uq_acknowledgements_version_id_user_id")
        ),
    )
    op.create_table(
        "customer_identities",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_identities_customer_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_customer_identities")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_customer_identities_kind_value")),
    )
    op.create_index(
        op.f("ix_customer_identities_customer_id"),
        "customer_identities",
        ["customer_id"],
        unique=False,
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("tier_since", AT, nullable=False),
        sa.Column("assignee_id", sa.String(length=64), nullable=True),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("escalate_to", sa.JSON(), nullable=False),
        sa.Column("refund_amount", AMOUNT, nullable=True),
        sa.Column("refund_currency", sa.String(length=8), nullable=True),
        sa.Column("needs_human", sa.Boolean(), nullable=False),
        sa.Column("first_response_at", AT, nullable=True),
        sa.Column("awaiting_reply_since", AT, nullable=True),
        sa.Column("last_reply_at", AT, nullable=True),
        sa.Column("paused_at", AT, nullable=True),
        sa.Column("paused_seconds", sa.Integer(), nullable=False),
        sa.Column("resolved_at", AT, nullable=True),
        sa.Column("closed_at", AT, nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("merged_into", sa.String(length=64), nullable=True),
        sa.Column("related_to", sa.String(length=64), nullable=True),
        sa.Column("contact_count", sa.Integer(), nullable=False),
        sa.Column("identity_verified_at", AT, nullable=True),
        sa.Column("escalation_count", sa.Integer(), nullable=False),
        sa.Column("escalation_marks", sa.JSON(), nullable=False),
        sa.Column("sla_marks", sa.JSON(), nullable=False),
        sa.Column("call_seconds", sa.Integer(), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("unedited_template_count", sa.Integer(), nullable=False),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("policy_version_id", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("channel_message_id", sa.String(length=200), nullable=True),
        sa.Column("sweep_at", AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_tickets_customer_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint(
            "channel", "channel_message_id", name=op.f("uq_tickets_channel_channel_message_id")
        ),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_tickets_idempotency_key")),
    )
    op.create_index(op.f("ix_tickets_assignee_id"), "tickets", ["assignee_id"], unique=False)
    op.create_index("ix_tickets_created_at_id", "tickets", ["created_at", "id"], unique=False)
    op.create_index(
        "ix_tickets_customer_id_created_at", "tickets", ["customer_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_tickets_status_created_at", "tickets", ["status", "created_at"], unique=False
    )
    op.create_index("ix_tickets_sweep_at", "tickets", ["sweep_at"], unique=False)
    op.create_table(
        "actions",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("amount", AMOUNT, nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("applied_by", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("approval_id", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_actions_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_actions")),
        sa.UniqueConstraint("id", name=op.f("uq_actions_id")),
    )
    op.create_index(op.f("ix_actions_ticket_id"), "actions", ["ticket_id"], unique=False)
    op.create_table(
        "approvals",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("amount", AMOUNT, nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_role", sa.String(length=32), nullable=False),
        sa.Column("required_role", sa.String(length=32), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_role", sa.String(length=32), nullable=True),
        sa.Column("decided_at", AT, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_approvals_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_approvals")),
        sa.UniqueConstraint("id", name=op.f("uq_approvals_id")),
    )
    op.create_index(
        "ix_approvals_status_created_at", "approvals", ["status", "created_at"], unique=False
    )
    op.create_index(op.f("ix_approvals_ticket_id"), "approvals", ["ticket_id"], unique=False)
    op.create_table(
        "calls",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", AT, nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_calls_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_calls")),
        sa.UniqueConstraint("id", name=op.f("uq_calls_id")),
    )
    op.create_index(op.f("ix_calls_ticket_id"), "calls", ["ticket_id"], unique=False)
    op.create_table(
        "escalations",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=True),
        sa.Column("from_tier", sa.String(length=16), nullable=False),
        sa.Column("to_tier", sa.String(length=16), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("brief", sa.JSON(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("expected_by", AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_escalations_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_escalations")),
        sa.UniqueConstraint("id", name=op.f("uq_escalations_id")),
    )
    op.create_index(op.f("ix_escalations_ticket_id"), "escalations", ["ticket_id"], unique=False)
    op.create_table(
        "messages",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=True),
        sa.Column("template_id", sa.String(length=64), nullable=True),
        sa.Column("template_unedited", sa.Boolean(), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("channel_message_id", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_messages_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "channel", "channel_message_id", name=op.f("uq_messages_channel_channel_message_id")
        ),
        sa.UniqueConstraint("id", name=op.f("uq_messages_id")),
    )
    op.create_index(op.f("ix_messages_ticket_id"), "messages", ["ticket_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("next_attempt_at", AT, nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", AT, nullable=True),
        sa.Column("sent_at", AT, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_outbox_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
        sa.UniqueConstraint("id", name=op.f("uq_outbox_id")),
    )
    op.create_index(
        "ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"], unique=False
    )
    op.create_index(op.f("ix_outbox_ticket_id"), "outbox", ["ticket_id"], unique=False)
    op.create_table(
        "surveys",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=128), nullable=False),
        sa.Column("sent_at", AT, nullable=False),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_at", AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_surveys_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("id", name=op.f("uq_surveys_id")),
        sa.UniqueConstraint("token", name=op.f("uq_surveys_token")),
    )
    op.create_index(op.f("ix_surveys_ticket_id"), "surveys", ["ticket_id"], unique=False)
    op.create_table(
        "ticket_events",
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_events_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("ticket_id", "seq", name=op.f("pk_ticket_events")),
    )


def downgrade() -> None:
    """Drop every table (children first)."""
    op.drop_table("ticket_events")
    op.drop_table("surveys")
    op.drop_table("outbox")
    op.drop_table("messages")
    op.drop_table("escalations")
    op.drop_table("calls")
    op.drop_table("approvals")
    op.drop_table("actions")
    op.drop_table("tickets")
    op.drop_table("customer_identities")
    op.drop_table("acknowledgements")
    op.drop_table("users")
    op.drop_table("policy_versions")
    op.drop_table("customers")
