"""Revocable browser sessions: the `sessions` table (one row per sign-in).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Frozen, like 0001 and 0002: plain column types, so later changes to `tables.py` need a new
revision. Session cookies signed by earlier releases named no stored session and stop working
with this release: everyone signs in again once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)  # tables.UTCDateTime


def upgrade() -> None:
    """Create `sessions` with its index by user."""
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("expires_at", AT, nullable=False),
        sa.Column("last_seen_at", AT, nullable=True),
        sa.Column("revoked_at", AT, nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sessions_user_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"], unique=False)


def downgrade() -> None:
    """Drop `sessions` (everyone is signed out)."""
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_table("sessions")
