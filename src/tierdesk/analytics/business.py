"""Business time in SQL: durations on the policy's calendars without a loop over rows.

The calendars (`tierdesk.domain.calendar`, holidays and time zones included) are laid out once
per report as a small table `bdays` of segments: every calendar's UTC days in the report's range,
each day cut into the spans where the calendar is open and the gaps where it is closed, so that
the segments of a day tile it exactly. A segment [lo, hi) carries `cum`, the open seconds of its
calendar from the start of the range to the start of its day, and `pre`, the open seconds of the
day before the segment. The business clock of an instant x is then

    F(cal, x) = cum + (pre + (x - lo if the segment is open else 0))

read from the one segment holding x: an equi-join on (calendar, day of x) and a range test
within the day, no aggregate and no subquery per row. (The same value as the former per-day
sum cum + sum of clamp(x - start, 0, end - start) over the day's spans, term for term.) The
business time between two instants a <= b is F(b) - F(a). Instants outside the range find no
segment and give NULL (the duration is then unknown, not zero).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tierdesk.analytics.sqlfn import DAY, day_of
from tierdesk.domain.calendar import calendar_for
from tierdesk.domain.rulebook import CalendarSpec

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Row = tuple[str, int, float, float, float, float, int]
# calendar, UTC day, segment lo, hi, cum (day start), pre (open before lo in the day), open 0/1


def _seconds(at: datetime) -> float:
    return (at - _EPOCH).total_seconds()


def calendar_rows(specs: tuple[CalendarSpec, ...], start: datetime, end: datetime) -> list[Row]:
    """The `bdays` segments of `specs` for every UTC day from `start` to `end` (aware)."""
    first, last = int(_seconds(start) // DAY), int(_seconds(end) // DAY)
    rows: list[Row] = []
    for spec in specs:
        rows += _rows_of(spec, first, last)
    return rows


def _rows_of(spec: CalendarSpec, first: int, last: int) -> list[Row]:
    spans: dict[int, list[tuple[float, float]]] = defaultdict(list)
    if spec.always_open:
        for day in range(first, last + 1):
            spans[day].append((float(day * DAY), float((day + 1) * DAY)))
    else:
        cal = calendar_for(spec)
        local = _EPOCH.date() + timedelta(days=first - 1)
        while local <= _EPOCH.date() + timedelta(days=last + 1):
            for a, b in cal.spans(local):
                _split(spans, _seconds(a), _seconds(b))
            local += timedelta(days=1)
    rows: list[Row] = []
    cum = 0.0
    for day in range(first, last + 1):
        todays = sorted(spans.get(day, []))
        rows += _segments(spec.name, day, cum, todays)
        cum += sum(b - a for a, b in todays)
    return rows


def _segments(name: str, day: int, cum: float, spans: list[tuple[float, float]]) -> list[Row]:
    """The day's open spans and the closed gaps around them, tiling [day, day + 1)."""
    out: list[Row] = []
    at, pre = float(day * DAY), 0.0
    for a, b in spans:
        if a > at:
            out.append((name, day, at, a, cum, pre, 0))
        if b > a:
            out.append((name, day, a, b, cum, pre, 1))
        pre = pre + (b - a)  # in span order, as the per-day SUM of the clamps added them
        at = max(at, b)
    end = float((day + 1) * DAY)
    if at < end or not out:
        out.append((name, day, at, end, cum, pre, 0))
    return out


def _split(spans: dict[int, list[tuple[float, float]]], a: float, b: float) -> None:
    """File [a, b) under each UTC day it touches."""
    while a < b:
        day = int(a // DAY)
        cut = min(b, float((day + 1) * DAY))
        spans[day].append((a, cut))
        a = cut


_COLUMNS = (
    sa.column("cal", sa.String),
    sa.column("day", sa.Integer),
    sa.column("lo", sa.Float),
    sa.column("hi", sa.Float),
    sa.column("cum", sa.Float),
    sa.column("pre", sa.Float),
    sa.column("open", sa.Integer),
)
_KEYS = tuple(c.name for c in _COLUMNS)


def days_table(rows: list[Row]) -> sa.CTE:
    """The `bdays` rows as a CTE (a VALUES list with literal numbers)."""
    values = sa.values(*_COLUMNS, name="bdays_v", literal_binds=True).data(rows)
    return values.cte("bdays")


_DAYS = sa.table("tierdesk_bdays", *(sa.column(c.name, c.type) for c in _COLUMNS))


def days_on(conn: sa.Connection, rows: list[Row]) -> sa.CTE:
    """`days_table(rows)` for the database behind `conn`. DuckDB (the Parquet path) gets them
    as a temporary table first: its planner spends seconds on a VALUES list
    of a thousand literal rows repeated at every use, 27 s -> 8 s for a report at 20k tickets
    (bench/analytics.py). The store's SQLite and PostgreSQL are read through read-only
    connections, which may not create tables: they keep the VALUES list."""
    if conn.dialect.name != "duckdb":
        return days_table(rows)
    conn.exec_driver_sql(
        "CREATE OR REPLACE TEMP TABLE tierdesk_bdays (cal VARCHAR, day INTEGER, lo DOUBLE,"
        " hi DOUBLE, cum DOUBLE, pre DOUBLE, open INTEGER)"
    )
    if rows:  # one statement with a list per column, not a row-by-row executemany
        columns = [list(c) for c in zip(*rows, strict=True)]
        unnest = ", ".join("unnest(?)" for _ in columns)
        conn.exec_driver_sql(f"INSERT INTO tierdesk_bdays SELECT {unnest}", tuple(columns))
    return sa.select(_DAYS).cte("bdays")


def clock_join(
    bdays: sa.CTE, cal: sa.ColumnElement[str], x: sa.ColumnElement[float], name: str
) -> tuple[sa.FromClause, sa.ColumnElement[bool], sa.ColumnElement[float]]:
    """(segment alias, its join condition, F(cal, x)) for an outer join to the segment of the
    epoch `x` on the calendar named `cal` (F is NULL when there is none)."""
    g = bdays.alias(name)
    c = g.c
    on = sa.and_(c.cal == cal, c.day == day_of(x), c.lo <= x, x < c.hi)
    value = c.cum + (c.pre + sa.case((c.open == 1, x - c.lo), else_=sa.literal(0.0)))
    return g, on, value


def covering(first: date, last: date) -> tuple[datetime, datetime]:
    """Aware UTC bounds of the local dates `first`..`last`, with a day to spare each side."""
    lo = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=2)
    hi = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=2)
    return lo, hi
