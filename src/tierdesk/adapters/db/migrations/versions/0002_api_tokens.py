"""Revocable API tokens: the `api_tokens` table (one row per token, its secret only hashed).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Frozen, like 0001: plain column types, so later changes to `tables.py` need a new revision.
Tokens signed by earlier releases were never stored and stop working with this release; users
make new ones (POST /api/auth/tokens).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)  # tables.UTCDateTime


def upgrade() -> None:
    """Create `api_tokens` with its unique hash and its index by user."""
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("expires_at", AT, nullable=False),
        sa.Column("last_used_at", AT, nullable=True),
        sa.Column("revoked_at", AT, nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_api_tokens_user_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)


def downgrade() -> None:
    """Drop `api_tokens` (every token stops working)."""
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
