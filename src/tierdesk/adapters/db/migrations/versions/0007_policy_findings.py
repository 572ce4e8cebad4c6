"""`policy_versions.findings`: the checker's findings stored with each version (R-DOC-3), so
the approver sees the warnings (such as the IRON LAW one) the author saw.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Frozen: plain column types, so later changes to `tables.py` need a new revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add `findings` (a JSON list; versions stored before have none recorded)."""
    with op.batch_alter_table("policy_versions") as batch:
        batch.add_column(
            sa.Column("findings", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("policy_versions") as batch:
        batch.drop_column("findings")
