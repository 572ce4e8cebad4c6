"""Customer search through an index (issue 15): names, emails, phones and LINE ids by substring.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

`GET /api/customers?q=` finds customers whose name or any identity contains `q`, ignoring case.
SQLite: two FTS5 tables with the trigram tokenizer (any substring of 3 or more characters,
Chinese names included, case folded): `customer_fts` holds each identity (its rowid is the
identity's row_id) and `customer_name_fts` each customer's name; triggers keep them in step
with every insert, update (a merge moves identities) and delete. Shorter substrings cannot be
looked up by trigrams: the repository reads them with LIKE (`repo_people.SqlCustomers.search`).
PostgreSQL: pg_trgm GIN indexes on name and value, which the planner uses for `x ILIKE '%q%'`
(SQLAlchemy's icontains there) itself. The extension is made in `public` when missing: it ships
with PostgreSQL and is trusted, so the database owner may create it.
Their names start with `customer_fts`, `customer_name_fts` and `ix_trgm_`
(tables.SEARCH_INDEX_PREFIXES): they are not part of `metadata`.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE customer_fts USING fts5("
    "value, customer_id UNINDEXED, tokenize = 'trigram')",
    "CREATE VIRTUAL TABLE customer_name_fts USING fts5("
    "name, customer_id UNINDEXED, tokenize = 'trigram')",
    "INSERT INTO customer_fts (rowid, value, customer_id) "
    "SELECT row_id, value, customer_id FROM customer_identities",
    "INSERT INTO customer_name_fts (name, customer_id) SELECT name, id FROM customers",
    "CREATE TRIGGER customer_fts_ai AFTER INSERT ON customer_identities BEGIN "
    "INSERT INTO customer_fts (rowid, value, customer_id) "
    "VALUES (new.row_id, new.value, new.customer_id); END",
    "CREATE TRIGGER customer_fts_au AFTER UPDATE OF value, customer_id ON customer_identities "
    "BEGIN UPDATE customer_fts SET value = new.value, customer_id = new.customer_id "
    "WHERE rowid = new.row_id; END",
    "CREATE TRIGGER customer_fts_ad AFTER DELETE ON customer_identities BEGIN "
    "DELETE FROM customer_fts WHERE rowid = old.row_id; END",
    "CREATE TRIGGER customer_name_fts_ai AFTER INSERT ON customers BEGIN "
    "INSERT INTO customer_name_fts (name, customer_id) VALUES (new.name, new.id); END",
    # Names change rarely (never in the services today): find the row by customer.
    "CREATE TRIGGER customer_name_fts_au AFTER UPDATE OF name ON customers BEGIN "
    "DELETE FROM customer_name_fts WHERE customer_id = old.id; "
    "INSERT INTO customer_name_fts (name, customer_id) VALUES (new.name, new.id); END",
    "CREATE TRIGGER customer_name_fts_ad AFTER DELETE ON customers BEGIN "
    "DELETE FROM customer_name_fts WHERE customer_id = old.id; END",
]
_SQLITE_DOWN = [
    *(
        f"DROP TRIGGER {name}"
        for name in (
            "customer_fts_ai",
            "customer_fts_au",
            "customer_fts_ad",
            "customer_name_fts_ai",
            "customer_name_fts_au",
            "customer_name_fts_ad",
        )
    ),
    "DROP TABLE customer_fts",
    "DROP TABLE customer_name_fts",
]
_TRGM_SCHEMA = "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"


def upgrade() -> None:
    """Create this database's search indexes and fill them."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        for statement in _SQLITE_UP:
            op.execute(statement)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    schema = bind.exec_driver_sql(_TRGM_SCHEMA).scalar_one()
    ops = f"{schema}.gin_trgm_ops"
    op.execute(f"CREATE INDEX ix_trgm_customers_name ON customers USING gin (name {ops})")
    op.execute(
        "CREATE INDEX ix_trgm_customer_identities_value "
        f"ON customer_identities USING gin (value {ops})"
    )


def downgrade() -> None:
    """Drop them (the extension stays: others may use it)."""
    if op.get_bind().dialect.name != "postgresql":
        for statement in _SQLITE_DOWN:
            op.execute(statement)
        return
    op.execute("DROP INDEX ix_trgm_customers_name")
    op.execute("DROP INDEX ix_trgm_customer_identities_value")
