"""Dialect-neutral SQL pieces the metric definitions are written with (SQLAlchemy Core).

Each compiles to what SQLite and PostgreSQL understand (and PostgreSQL's spelling is what DuckDB
reads too): `epoch(ts)` seconds since 1970 as a float, `floor_div(x, n)` and `day_of(seconds)`
(the UTC day number), `least`/`greatest` of two values. SQLite stores an aware-UTC datetime as
its UTC wall time in text (`adapters.db.types.UTCDateTime`), which `julianday` reads.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

DAY = 86400


class epoch(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """Seconds since 1970-01-01 UTC of a timestamp column, as a float."""

    type = sa.Float()
    inherit_cache = True
    name = "epoch"


@compiles(epoch)
def _epoch(element: epoch, compiler: Any, **kw: Any) -> str:
    (arg,) = element.clauses
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(arg, **kw)}) AS DOUBLE PRECISION)"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    (arg,) = element.clauses
    # julianday is a double of days: round to the millisecond its precision allows
    return f"round((julianday({compiler.process(arg, **kw)}) - 2440587.5) * 86400.0, 3)"


class floor_div(FunctionElement[int]):  # noqa: N801
    """floor(x / n) as an integer, for x >= 0 and a number n > 0 (UTC days, report slices)."""

    type = sa.Integer()
    inherit_cache = True
    name = "floor_div"


@compiles(floor_div)
def _floor_div(element: floor_div, compiler: Any, **kw: Any) -> str:
    x, n = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(FLOOR(({x}) / ({n})) AS INTEGER)"


@compiles(floor_div, "sqlite")
def _floor_div_sqlite(element: floor_div, compiler: Any, **kw: Any) -> str:
    x, n = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(({x}) / ({n}) AS INTEGER)"


def day_of(x: Any) -> sa.ColumnElement[int]:
    """The UTC day number of an epoch in seconds."""
    return floor_div(x, sa.literal(float(DAY)))


class least(FunctionElement[float]):  # noqa: N801
    """The smaller of two values (NULL when either is NULL)."""

    type = sa.Float()
    inherit_cache = True
    name = "least"


class greatest(FunctionElement[float]):  # noqa: N801
    """The larger of two values (NULL when either is NULL)."""

    type = sa.Float()
    inherit_cache = True
    name = "greatest"


def _pair(element: FunctionElement[Any], compiler: Any, fn: str, **kw: Any) -> str:
    a, b = element.clauses
    return f"{fn}({compiler.process(a, **kw)}, {compiler.process(b, **kw)})"


@compiles(least)
def _least(element: least, compiler: Any, **kw: Any) -> str:
    return _pair(element, compiler, "LEAST", **kw)


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: Any, **kw: Any) -> str:
    return _pair(element, compiler, "min", **kw)


@compiles(greatest)
def _greatest(element: greatest, compiler: Any, **kw: Any) -> str:
    return _pair(element, compiler, "GREATEST", **kw)


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return _pair(element, compiler, "max", **kw)


def count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """How many rows satisfy `condition` (0 for none)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


class TempTableAs(sa.sql.expression.Executable, sa.sql.expression.ClauseElement):
    """`CREATE OR REPLACE TEMP TABLE name AS <select>` (DuckDB), bound parameters and all."""

    inherit_cache = False

    def __init__(self, name: str, select: sa.Select[Any]) -> None:
        self.name = name
        self.select = select


@compiles(TempTableAs)
def _temp_table_as(element: TempTableAs, compiler: Any, **kw: Any) -> str:
    body = compiler.process(element.select, **kw)
    return f"CREATE OR REPLACE TEMP TABLE {element.name} AS {body}"


def kept(conn: sa.Connection, name: str, query: sa.Select[Any]) -> sa.CTE:
    """`query`'s rows computed once into the temporary table `name` (DuckDB only), as a CTE
    reading that table: what several statements share is then not computed again in each."""
    conn.execute(TempTableAs(name, query))
    table = sa.table(name, *(sa.column(c.name, c.type) for c in query.selected_columns))
    return sa.select(table).cte(f"{name}_k")
