"""Outgoing webhooks: the `webhooks` table (one row per subscription).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Frozen, like 0001-0003: plain column types, so later changes to `tables.py` need a new
revision. Deliveries are outbox messages (kind "webhook"), so the outbox needs no change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)  # tables.UTCDateTime


def upgrade() -> None:
    """Create `webhooks`."""
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )


def downgrade() -> None:
    """Drop `webhooks` (every subscription is forgotten; queued webhook messages stay in the
    outbox and fail when sent, their subscription being gone)."""
    op.drop_table("webhooks")
