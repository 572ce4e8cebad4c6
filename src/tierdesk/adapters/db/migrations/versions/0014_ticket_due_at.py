"""The ticket's next due moment, and the console queue's indexes (issue 11).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

`tickets.due_at` is when the running SLA clock due first is due and `due_warn_at` when that
clock warns (NULL while no clock runs or they are paused), `due_clock` which clock it is and
`due_calendar` the policy calendar it counts on (so the queue shows it without the events),
kept by the unit of work that saves the ticket (`tierdesk.services.unit.finish`, beside
`sweep_at`): the queue sorts by it and "breaching soon" reads it across pages.

Backfill: the due times need the policy in force and each ticket's events, which a migration
does not have. Instead every new or open ticket is put up for the SLA sweeper now
(`sweep_at` no later than the upgrade); the sweeper saves each one it looks at through the
same unit of work, which fills both columns. So after `tierdesk db upgrade`, a running worker
fills them within its next sweeps (200 tickets each), or run `tierdesk worker --once` until
it looks at none. Until then such a ticket sorts last by due time, as one without a clock.

The queue lists several statuses at once (the active ones). An IN list over an index is
planned as a sort of every matching row, so the store runs one seek per status and merges
them (`SqlTickets.search`): newest first on (status, created_at, id), which PostgreSQL has
since 0010 (ix_keyset_tickets_status) and SQLite gains here (its (status, created_at) left the
id part of the order to a sort); by due time on (status, due_at, id); "breaching soon" by
warning time on (status, due_warn_at, id), a range of the warned only (by due time it would
read every ticket of the status while few are at risk); the last two new on both. SQLite's
(customer_id, created_at) gains the id likewise (PostgreSQL has it since 0010), so a
customer's tickets are not sorted either. As in 0010 the id is compared with COLLATE "C" on
PostgreSQL, so the index uses it; the names start with `ix_keyset_` and are not part of
`metadata`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from tierdesk.adapters.db.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_PG = {
    "ix_keyset_tickets_status_due": 'tickets (status, due_at, id COLLATE "C")',
    "ix_keyset_tickets_status_warn": 'tickets (status, due_warn_at, id COLLATE "C")',
}
_SQLITE = {
    "ix_keyset_tickets_status": "tickets (status, created_at, id)",
    "ix_keyset_tickets_customer": "tickets (customer_id, created_at, id)",
    "ix_keyset_tickets_status_due": "tickets (status, due_at, id)",
    "ix_keyset_tickets_status_warn": "tickets (status, due_warn_at, id)",
}


def _indexes() -> dict[str, str]:
    return _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE


def upgrade() -> None:
    """Add the columns and the indexes; put the running tickets up for the sweeper."""
    op.add_column("tickets", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tickets", sa.Column("due_warn_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tickets", sa.Column("due_clock", sa.String(32), nullable=True))
    op.add_column("tickets", sa.Column("due_calendar", sa.String(64), nullable=True))
    for name, target in _indexes().items():
        op.execute(f"CREATE INDEX {name} ON {target}")
    sweep = sa.text(
        "UPDATE tickets SET sweep_at = :at WHERE status IN ('new', 'open') "
        "AND (sweep_at IS NULL OR sweep_at > :at)"
    ).bindparams(sa.bindparam("at", type_=UTCDateTime()))
    op.get_bind().execute(sweep, {"at": datetime.now(UTC)})


def downgrade() -> None:
    """Drop them."""
    for name in _indexes():
        op.execute(f"DROP INDEX {name}")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("due_calendar")
        batch.drop_column("due_clock")
        batch.drop_column("due_warn_at")
        batch.drop_column("due_at")
