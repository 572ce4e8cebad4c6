"""The email channel: `inbound_mail` (every mail received, unique by Message-ID, with its
outcome) and `mail_address_failures` (addresses that bounced).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Frozen: plain column types, so later changes to `tables.py` need a new revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)  # tables.UTCDateTime
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # autoincrementing on both


def upgrade() -> None:
    """Create `inbound_mail` and `mail_address_failures`."""
    op.create_table(
        "inbound_mail",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("mailbox", sa.String(length=100), nullable=False),
        sa.Column("message_id", sa.String(length=1000), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("received_at", AT, nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("full_text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_inbound_mail_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint("id", name=op.f("uq_inbound_mail_id")),
        sa.UniqueConstraint("message_id", name=op.f("uq_inbound_mail_message_id")),
    )
    op.create_index(
        "ix_inbound_mail_sender_received_at",
        "inbound_mail",
        ["sender", "received_at"],
        unique=False,
    )
    op.create_index(op.f("ix_inbound_mail_ticket_id"), "inbound_mail", ["ticket_id"], unique=False)
    op.create_table(
        "mail_address_failures",
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("failed_at", AT, nullable=False),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_mail_address_failures")),
    )
    op.create_index(
        op.f("ix_mail_address_failures_customer_id"),
        "mail_address_failures",
        ["customer_id"],
        unique=False,
    )


def downgrade() -> None:
    """Drop both tables (the mail already turned into tickets stays on them)."""
    op.drop_index(op.f("ix_mail_address_failures_customer_id"), table_name="mail_address_failures")
    op.drop_table("mail_address_failures")
    op.drop_index(op.f("ix_inbound_mail_ticket_id"), table_name="inbound_mail")
    op.drop_index("ix_inbound_mail_sender_received_at", table_name="inbound_mail")
    op.drop_table("inbound_mail")
