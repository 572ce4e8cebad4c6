"""Ticket search by text through an index (issue 15): `ticket_search` and its full-text index.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

`GET /api/tickets?q=` (and the console queue's search box) finds the tickets whose subject or
messages (the customer's, the agents' replies and internal notes) hold every word of `q`. The
words are those of the knowledge base (`tierdesk.domain.kb_text`: words, and Chinese as single
characters plus bigrams, so 退款 is found inside 我想申請退款), kept as space-separated tokens
in `ticket_search` (one row per ticket: `subject`, and `body`, the tokens of all its messages),
which the repositories write (`repo_tickets`): tokenizing is Python, on both databases.
SQLite: the FTS5 table `ticket_fts` (tokenizer unicode61, which sees exactly those tokens) with
`ticket_search` as its external content (rowid = `row_id`), kept in step by the triggers
`ticket_fts_ai/_au/_ad`. PostgreSQL: the GIN index `ix_ticket_fts` on
`to_tsvector('simple', subject || ' ' || body)`. Both are outside `metadata`
(tables.SEARCH_INDEX_PREFIXES). The upgrade fills `ticket_search` from the existing tickets
and messages.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

from tierdesk.domain.kb_text import index_text

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
BATCH = 2_000

# The tsvector the PostgreSQL index holds and `repo_tickets` searches (the same expression).
PG_VECTOR = "to_tsvector('simple', subject || ' ' || body)"

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, body, content = 'ticket_search', "
    "content_rowid = 'row_id', tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER ticket_fts_ai AFTER INSERT ON ticket_search BEGIN "
    "INSERT INTO ticket_fts (rowid, subject, body) VALUES (new.row_id, new.subject, new.body); "
    "END",
    "CREATE TRIGGER ticket_fts_ad AFTER DELETE ON ticket_search BEGIN "
    "INSERT INTO ticket_fts (ticket_fts, rowid, subject, body) "
    "VALUES ('delete', old.row_id, old.subject, old.body); END",
    "CREATE TRIGGER ticket_fts_au AFTER UPDATE ON ticket_search BEGIN "
    "INSERT INTO ticket_fts (ticket_fts, rowid, subject, body) "
    "VALUES ('delete', old.row_id, old.subject, old.body); "
    "INSERT INTO ticket_fts (rowid, subject, body) VALUES (new.row_id, new.subject, new.body); "
    "END",
]
_SQLITE_DOWN = [
    "DROP TRIGGER ticket_fts_ai",
    "DROP TRIGGER ticket_fts_ad",
    "DROP TRIGGER ticket_fts_au",
    "DROP TABLE ticket_fts",
]


def _fill(bind: sa.Connection) -> None:
    """One `ticket_search` row per existing ticket, in batches of tickets."""
    search = sa.table(
        "ticket_search", sa.column("ticket_id"), sa.column("subject"), sa.column("body")
    )
    last = ""
    while True:
        rows = bind.execute(
            sa.text("SELECT id, subject FROM tickets WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        bodies: dict[str, list[str]] = defaultdict(list)
        messages = bind.execute(
            sa.text(
                "SELECT ticket_id, body FROM messages WHERE ticket_id IN :ids ORDER BY row_id"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": ids},
        )
        for m in messages:
            tokens = index_text(m.body)
            if tokens:
                bodies[m.ticket_id].append(tokens)
        values: list[dict[str, Any]] = [
            {"ticket_id": r.id, "subject": index_text(r.subject), "body": " ".join(bodies[r.id])}
            for r in rows
        ]
        bind.execute(sa.insert(search), values)
        last = ids[-1]


def upgrade() -> None:
    """Create `ticket_search` and this database's index over it, and fill them."""
    op.create_table(
        "ticket_search",
        sa.Column("row_id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_search_ticket_id"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_ticket_search")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_ticket_search_ticket_id")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _fill(bind)
        op.execute(f"CREATE INDEX ix_ticket_fts ON ticket_search USING gin (({PG_VECTOR}))")
        return
    for statement in _SQLITE_UP:
        op.execute(statement)
    _fill(bind)  # the insert trigger indexes each row


def downgrade() -> None:
    """Drop the index and `ticket_search` (rebuilt from the messages by the next upgrade)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_ticket_fts")
    else:
        for statement in _SQLITE_DOWN:
            op.execute(statement)
    op.drop_table("ticket_search")
