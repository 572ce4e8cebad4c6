"""The open transaction the repositories of one unit of work share, and the one way they
insert rows.

`Tx.insert` is where a unique clash becomes `DuplicateKey`, and a unit of work stays usable
after one (as in the in-memory fakes). SQLite undoes only the failed statement, so its
IntegrityError is simply translated. On PostgreSQL an error would abort the whole transaction;
instead of a SAVEPOINT per insert (two more round trips each) the insert is
`ON CONFLICT DO NOTHING RETURNING key`, and only when a row comes back missing is the clashing
constraint looked up, to name it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tierdesk.adapters.db.errors import as_duplicate
from tierdesk.adapters.db.tables import CONSTRAINT_KEYS
from tierdesk.services.paging import decode_cursor
from tierdesk.services.ports import DuplicateKey

Row = Mapping[str, Any]


class OutsideUnitOfWorkError(RuntimeError):
    """A repository was used outside the `with` block of its unit of work."""


class Tx:
    """A handle on the connection of the open unit of work (None outside its block)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._conn: sa.Connection | None = None

    @property
    def conn(self) -> sa.Connection:
        if self._conn is None:
            raise OutsideUnitOfWorkError("repositories are usable only inside `with uow:`")
        return self._conn

    def bind(self, conn: sa.Connection | None) -> None:
        self._conn = conn

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgresql"

    def execute(self, statement: sa.Executable, params: Any = None) -> sa.CursorResult[Any]:
        return self.conn.execute(statement, params)

    def insert(self, table: sa.Table, rows: Row | Sequence[Row], ignore: Sequence[str] = ()) -> int:
        """Insert one row or many; the number inserted. A row whose `ignore` columns (a unique
        constraint) match an existing row is skipped quietly; any other unique clash raises
        DuplicateKey naming the key."""
        batch = [rows] if isinstance(rows, Mapping) else list(rows)
        if not batch:
            return 0
        if self.postgres:
            return self._insert_postgres(table, batch, tuple(ignore))
        statement = _sqlite_insert(table, tuple(ignore))
        try:
            return self.conn.execute(statement, batch if len(batch) > 1 else batch[0]).rowcount
        except sa.exc.IntegrityError as exc:
            duplicate = as_duplicate(exc, batch[0] if len(batch) == 1 else None)
            if duplicate is None:
                raise
            raise duplicate from exc

    def _insert_postgres(self, table: sa.Table, batch: list[Row], ignore: tuple[str, ...]) -> int:
        key = _identity(table)
        statement = _postgres_insert(table)
        params = batch if len(batch) > 1 else batch[0]
        inserted = {tuple(r) for r in self.conn.execute(statement, params).all()}
        if len(inserted) == len(batch):
            return len(batch)
        skipped = [r for r in batch if tuple(r[name] for name in key) not in inserted]
        for row in skipped or batch:  # `batch`: two rows of the batch clashed with each other
            duplicate = self._clash(table, row, ignore)
            if duplicate is not None:
                raise duplicate
        return len(inserted)

    def _clash(self, table: sa.Table, row: Row, ignore: tuple[str, ...]) -> DuplicateKey | None:
        """The DuplicateKey of a row PostgreSQL skipped; None when only `ignore` clashed."""
        for name, columns in sorted(_uniques(table), key=lambda c: c[1] == ignore):
            values = [row.get(c) for c in columns]
            if any(v is None for v in values):
                continue  # NULLs never clash
            where = [table.c[c] == v for c, v in zip(columns, values, strict=True)]
            if self.conn.execute(sa.select(sa.literal(1)).where(*where).limit(1)).first():
                if columns == ignore:
                    return None
                return DuplicateKey(CONSTRAINT_KEYS.get(name, name), ":".join(map(str, values)))
        return DuplicateKey(table.name, "")  # pragma: no cover - a clash we cannot name

    def id_order(self, column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
        """A string column compared bytewise (PostgreSQL otherwise uses the locale's
        collation; SQLite compares bytes already), so ordering matches Python's."""
        return column.collate("C") if self.postgres else column

    def newest_first(
        self, query: sa.Select[Any], table: sa.Table, limit: int, cursor: str | None
    ) -> list[sa.RowMapping]:
        """The rows of `query` newest first (created_at desc, id desc): the page after
        `cursor` (from `tierdesk.services.paging`), `limit` + 1 rows so that the caller can
        tell whether another page follows. ValueError for a bad limit or cursor."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        created, row_id = table.c.created_at, self.id_order(table.c.id)
        if cursor is not None:
            at, after_id = decode_cursor(cursor)
            # The row-value form is what both planners turn into an index seek on
            # (created_at, id); the equivalent OR of two comparisons is planned as a scan.
            query = query.where(sa.tuple_(created, row_id) < sa.tuple_(at, after_id))
        query = query.order_by(created.desc(), row_id.desc()).limit(limit + 1)
        return list(self.execute(query).mappings())


# Statements are built once per table: SQLAlchemy then reuses their cache key and compiled
# form instead of building and hashing a new statement on every insert.


@functools.cache
def _sqlite_insert(table: sa.Table, ignore: tuple[str, ...]) -> sa.Insert:
    if ignore:
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(ignore))
    return table.insert()


@functools.cache
def _postgres_insert(table: sa.Table) -> sa.Insert:
    key = _identity(table)
    return (
        postgresql.insert(table)
        .on_conflict_do_nothing()
        .returning(*(table.c[name] for name in key))
    )


def _uniques(table: sa.Table) -> list[tuple[str, tuple[str, ...]]]:
    """(name, columns) of the table's natural unique keys (not a surrogate `row_id`)."""
    return [
        (str(c.name), tuple(col.name for col in c.columns))
        for c in table.constraints
        if isinstance(c, sa.PrimaryKeyConstraint | sa.UniqueConstraint)
        and [col.name for col in c.columns] != ["row_id"]
    ]


@functools.cache
def _identity(table: sa.Table) -> tuple[str, ...]:
    """Columns that identify a row as given (the primary key, else `id`, else the first
    unique key): what RETURNING reports so skipped rows can be told apart."""
    primary = tuple(col.name for col in table.primary_key.columns)
    if primary != ("row_id",):
        return primary
    if "id" in table.c:
        return ("id",)
    return _uniques(table)[0][1]
