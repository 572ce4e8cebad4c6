"""IntegrityError -> `DuplicateKey` naming the key (see `tables.CONSTRAINT_KEYS`).

PostgreSQL names the violated constraint (SQLSTATE 23505, `diag.constraint_name`); SQLite names
its columns ("UNIQUE constraint failed: tickets.channel, tickets.channel_message_id"), which are
mapped back to the constraint through the metadata. Any other integrity error (a foreign key, a
NOT NULL) is not a duplicate and is left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from tierdesk.adapters.db.tables import CONSTRAINT_KEYS, metadata
from tierdesk.services.ports import DuplicateKey

_SQLITE_UNIQUE = "UNIQUE constraint failed: "


def _constraints() -> list[tuple[str, str, tuple[str, ...]]]:
    """(table, constraint name, columns) of every primary key and unique constraint."""
    return [
        (table.name, str(c.name), tuple(col.name for col in c.columns))
        for table in metadata.tables.values()
        for c in table.constraints
        if isinstance(c, sa.PrimaryKeyConstraint | sa.UniqueConstraint)
    ]


_COLUMNS = {name: cols for _, name, cols in _constraints()}
# "tickets.channel, tickets.channel_message_id" -> "uq_tickets_channel_channel_message_id"
_BY_SQLITE_MESSAGE = {
    ", ".join(f"{table}.{col}" for col in cols): name for table, name, cols in _constraints()
}


def _constraint_name(exc: sa.exc.IntegrityError) -> str | None:
    orig: Any = exc.orig
    if getattr(orig, "sqlstate", None) == "23505":  # psycopg unique_violation
        return str(orig.diag.constraint_name)
    message = str(orig)
    if message.startswith(_SQLITE_UNIQUE):
        columns = message.removeprefix(_SQLITE_UNIQUE).strip()
        return _BY_SQLITE_MESSAGE.get(columns, columns)
    return None


def as_duplicate(
    exc: sa.exc.IntegrityError, row: Mapping[str, Any] | None = None
) -> DuplicateKey | None:
    """The DuplicateKey an IntegrityError means, or None when it is not a unique violation.
    `row` (the inserted values) supplies the duplicate value for the message."""
    name = _constraint_name(exc)
    if name is None:
        return None
    columns = _COLUMNS.get(name, ())
    value = ""
    if row is not None and columns and all(c in row for c in columns):
        value = ":".join(str(row[c]) for c in columns)
    return DuplicateKey(CONSTRAINT_KEYS.get(name, name), value)
