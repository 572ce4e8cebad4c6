"""Channel events: the `channel_events` table (one row per LINE webhook event received).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Each event is stored before it is acted on and marked handled once its ticket, message or
greeting is committed, so a redelivered event (`isRedelivery`) is handled once. The reply
token an event carries is claimed at most once by the outbox's LINE sender.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)  # tables.UTCDateTime


def upgrade() -> None:
    """Create `channel_events` and its index by user."""
    op.create_table(
        "channel_events",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("received_at", AT, nullable=False),
        sa.Column("reply_token", sa.String(length=200), nullable=True),
        sa.Column("reply_token_used_at", AT, nullable=True),
        sa.Column("handled_at", AT, nullable=True),
        sa.Column("ticket_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("channel", "event_id", name=op.f("pk_channel_events")),
    )
    op.create_index(
        "ix_channel_events_channel_user_id",
        "channel_events",
        ["channel", "user_id", "received_at"],
        unique=False,
    )


def downgrade() -> None:
    """Drop `channel_events` (redelivered events seen before would be handled again; their
    tickets and messages are still deduplicated by channel message id)."""
    op.drop_index("ix_channel_events_channel_user_id", table_name="channel_events")
    op.drop_table("channel_events")
