"""QA reviews (R-QA-1): each resolved ticket's stored automatic score and verdicts, and the
overrides QA specialists make (with their comments).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

(0014 is another branch's; the chain is made whole when the branches are merged.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)  # tables.UTCDateTime
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(name: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [name.split(".")[1]],
        [target],
        name=op.f(f"fk_{name.replace('.', '_')}"),
        deferrable=True,
        initially="DEFERRED",
    )


def upgrade() -> None:
    """Create qa_reviews and qa_overrides."""
    op.create_table(
        "qa_reviews",
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_version", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("closed_at", AT, nullable=False),
        sa.Column("scored_at", AT, nullable=False),
        sa.Column("auto_score", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("verdicts", sa.JSON(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", AT, nullable=True),
        _fk("qa_reviews.ticket_id", "tickets.id"),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_qa_reviews")),
    )
    op.create_index("ix_qa_reviews_closed_at", "qa_reviews", ["closed_at"], unique=False)
    op.create_index(
        "ix_qa_reviews_reviewed_at_auto_score",
        "qa_reviews",
        ["reviewed_at", "auto_score"],
        unique=False,
    )
    op.create_table(
        "qa_overrides",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.String(length=64), nullable=False),
        sa.Column("at", AT, nullable=False),
        _fk("qa_overrides.ticket_id", "qa_reviews.ticket_id"),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_qa_overrides")),
        sa.UniqueConstraint("id", name=op.f("uq_qa_overrides_id")),
    )
    op.create_index("ix_qa_overrides_ticket_id", "qa_overrides", ["ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_qa_overrides_ticket_id", table_name="qa_overrides")
    op.drop_table("qa_overrides")
    op.drop_index("ix_qa_reviews_reviewed_at_auto_score", table_name="qa_reviews")
    op.drop_index("ix_qa_reviews_closed_at", table_name="qa_reviews")
    op.drop_table("qa_reviews")
