"""Keyset indexes (issue 15): every list page is an index seek.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

The ticket and customer lists page newest first with `(created_at, id) < (?, ?)`
(`Tx.newest_first`). An index ending in (created_at, id) turns that into a seek: on PostgreSQL
the id is compared with COLLATE "C" (bytewise, as Python orders), so the index must use the same
collation or the row comparison is only a filter. Customers are listed without the merged ones:
a partial index. Ticket filters that select few rows of a large table (an assignee, a customer,
a status) get an index with the filter column first; the others (priority, tier, category) are
read from the keyset index in order. SQLite's existing (created_at, id), (status, created_at) and
(customer_id, created_at) indexes already serve it; it gains the assignee's and the customers'.
The names start with `ix_keyset_` (tables.SEARCH_INDEX_PREFIXES): they differ by database and
are not part of `metadata`.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_PG = {
    "ix_keyset_tickets": 'tickets (created_at, id COLLATE "C")',
    "ix_keyset_tickets_status": 'tickets (status, created_at, id COLLATE "C")',
    "ix_keyset_tickets_customer": 'tickets (customer_id, created_at, id COLLATE "C")',
    "ix_keyset_tickets_assignee": 'tickets (assignee_id, created_at, id COLLATE "C")',
    "ix_keyset_customers": 'customers (created_at, id COLLATE "C") WHERE merged_into IS NULL',
}
_SQLITE = {
    "ix_keyset_tickets_assignee": "tickets (assignee_id, created_at, id)",
    "ix_keyset_customers": "customers (created_at, id) WHERE merged_into IS NULL",
}


def _indexes() -> dict[str, str]:
    return _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE


def upgrade() -> None:
    """Create the keyset indexes of this database."""
    for name, target in _indexes().items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    """Drop them."""
    for name in _indexes():
        op.execute(f"DROP INDEX {name}")
