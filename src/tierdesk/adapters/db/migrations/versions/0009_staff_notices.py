"""Staff notifications and incidents (issue 16): `notices`, `notice_settings`, `incidents`,
`incident_tickets` and `incident_entries`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

A notice is one user's (folded) notice in the console, delivered by email or LINE too when the
user chose so (after their quiet hours unless urgent); an incident records an emergency or
outage, the tickets linked to it and its timeline.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)  # tables.UTCDateTime
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # autoincrementing on both


def upgrade() -> None:
    """Create the five tables and their indexes."""
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("resolved_at", AT, nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index(op.f("ix_incidents_status"), "incidents", ["status"], unique=False)
    op.create_table(
        "incident_entries",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.String(length=64), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_entries_incident_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_incident_entries")),
        sa.UniqueConstraint("id", name=op.f("uq_incident_entries_id")),
    )
    op.create_index(
        op.f("ix_incident_entries_incident_id"), "incident_entries", ["incident_id"], unique=False
    )
    op.create_table(
        "notice_settings",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("line_user_id", sa.String(length=64), nullable=True),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("updated_at", AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notice_settings_user_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notice_settings")),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=True),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("rule_ids", sa.JSON(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("read_at", AT, nullable=True),
        sa.Column("deliver_at", AT, nullable=True),
        sa.Column("delivered_at", AT, nullable=True),
        sa.Column("ref", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notices_user_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("user_id", "ref", name=op.f("uq_notices_user_id_ref")),
    )
    op.create_index("ix_notices_deliver_at", "notices", ["deliver_at"], unique=False)
    op.create_index(
        "ix_notices_user_id_updated_at", "notices", ["user_id", "updated_at"], unique=False
    )
    op.create_table(
        "incident_tickets",
        sa.Column("incident_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("linked_at", AT, nullable=False),
        sa.Column("linked_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_tickets_incident_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_incident_tickets_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("incident_id", "ticket_id", name=op.f("pk_incident_tickets")),
    )
    op.create_index(
        "ix_incident_tickets_ticket_id", "incident_tickets", ["ticket_id"], unique=False
    )


def downgrade() -> None:
    """Drop the five tables (the notices and incident records are lost; tickets stay)."""
    op.drop_table("incident_tickets")
    op.drop_table("notices")
    op.drop_table("notice_settings")
    op.drop_table("incident_entries")
    op.drop_table("incidents")
