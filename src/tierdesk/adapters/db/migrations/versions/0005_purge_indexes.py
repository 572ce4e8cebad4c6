"""Indexes for housekeeping: `expires_at` and `revoked_at` of `sessions` and `api_tokens`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

The hourly purge deletes the rows that ended (expired or revoked) long ago; with these indexes
it finds them without reading every session and token.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_sessions_expires_at", "sessions", "expires_at"),
    ("ix_sessions_revoked_at", "sessions", "revoked_at"),
    ("ix_api_tokens_expires_at", "api_tokens", "expires_at"),
    ("ix_api_tokens_revoked_at", "api_tokens", "revoked_at"),
)


def upgrade() -> None:
    """Create the four indexes."""
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade() -> None:
    """Drop them."""
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
