"""The knowledge base: articles, translations, revisions, votes, events and the search index.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Search runs on the database's own full-text index over the tokens of
`tierdesk.domain.kb_text` (words, and Chinese as single characters plus bigrams), kept in
`kb_translations.search_title` / `search_body`: on SQLite the FTS5 table `kb_fts` (rowid = the
translation's row_id, tokenizer unicode61, which sees exactly those tokens; ranked by bm25), on
PostgreSQL a GIN index on their tsvector (`to_tsvector('simple')`: no stemmer, no stop words).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)  # tables.UTCDateTime
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The tsvector the PostgreSQL index holds and `repo_kb` searches (the same expression).
PG_VECTOR = (
    "setweight(to_tsvector('simple', search_title), 'A') || "
    "setweight(to_tsvector('simple', search_body), 'D')"
)


def _fk(name: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [name.split(".")[1]],
        [target],
        name=op.f(f"fk_{name.replace('.', '_')}"),
        deferrable=True,
        initially="DEFERRED",
    )


def upgrade() -> None:
    """Create the knowledge base's tables and its full-text index."""
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_kb_articles_slug")),
    )
    op.create_index("ix_kb_articles_category", "kb_articles", ["category"], unique=False)
    op.create_table(
        "kb_translations",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", AT, nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", AT, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("published_title", sa.Text(), nullable=True),
        sa.Column("published_body", sa.Text(), nullable=True),
        sa.Column("published_revision", sa.Integer(), nullable=True),
        sa.Column("published_at", AT, nullable=True),
        sa.Column("search_title", sa.Text(), nullable=False),
        sa.Column("search_body", sa.Text(), nullable=False),
        _fk("kb_translations.article_id", "kb_articles.id"),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_kb_translations")),
        sa.UniqueConstraint(
            "article_id", "language", name=op.f("uq_kb_translations_article_id_language")
        ),
    )
    op.create_table(
        "kb_revisions",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("kb_revisions.article_id", "kb_articles.id"),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_kb_revisions")),
        sa.UniqueConstraint(
            "article_id",
            "language",
            "number",
            name=op.f("uq_kb_revisions_article_id_language_number"),
        ),
    )
    op.create_table(
        "kb_votes",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("at", AT, nullable=False),
        _fk("kb_votes.article_id", "kb_articles.id"),
        sa.PrimaryKeyConstraint("article_id", "visitor", name=op.f("pk_kb_votes")),
    )
    op.create_table(
        "kb_events",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("ticket_id", sa.String(length=64), nullable=True),
        sa.Column("visitor", sa.String(length=64), nullable=True),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_kb_events")),
        sa.UniqueConstraint("id", name=op.f("uq_kb_events_id")),
    )
    op.create_index("ix_kb_events_at", "kb_events", ["at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_kb_fts ON kb_translations USING gin (({PG_VECTOR}))")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE kb_fts USING fts5(title, body, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )


def downgrade() -> None:
    """Drop the knowledge base (its articles are lost; `tierdesk kb export` keeps them)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_kb_fts")
    else:
        op.execute("DROP TABLE IF EXISTS kb_fts")
    op.drop_index("ix_kb_events_at", table_name="kb_events")
    op.drop_table("kb_events")
    op.drop_table("kb_votes")
    op.drop_table("kb_revisions")
    op.drop_table("kb_translations")
    op.drop_index("ix_kb_articles_category", table_name="kb_articles")
    op.drop_table("kb_articles")
