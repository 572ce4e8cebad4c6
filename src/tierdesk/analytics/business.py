"""Business time in SQL: durations on the policy's calendars without a loop over rows.

The calendars (`tierdesk.domain.calendar`, holidays and time zones included) are laid out once
per report as a small table `bdays`: for every calendar and UTC day in the report's range, the
day's opening spans as epoch seconds and `cum`, the open seconds of that calendar from the start
of the range to the start of the day. Then the business clock of an instant x is

    F(cal, x) = cum(day of x) + sum over the day's spans of clamp(x - start, 0, end - start)

and the business time between two instants a <= b is F(b) - F(a): one equality lookup per
instant, whatever the number of tickets. A closed day has one empty span, so it still has its
`cum`. Instants outside the range give NULL (the duration is then unknown, not zero).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tierdesk.analytics.sqlfn import DAY, day_of, greatest, least
from tierdesk.domain.calendar import calendar_for
from tierdesk.domain.rulebook import CalendarSpec

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Row = tuple[str, int, float, float, float]  # calendar, UTC day, cum, span start, span end


def _seconds(at: datetime) -> float:
    return (at - _EPOCH).total_seconds()


def calendar_rows(specs: tuple[CalendarSpec, ...], start: datetime, end: datetime) -> list[Row]:
    """The `bdays` rows of `specs` for every UTC day from `start` to `end` (aware)."""
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
        todays = sorted(spans.get(day, [])) or [(float(day * DAY), float(day * DAY))]
        rows += [(spec.name, day, cum, a, b) for a, b in todays]
        cum += sum(b - a for a, b in todays)
    return rows


def _split(spans: dict[int, list[tuple[float, float]]], a: float, b: float) -> None:
    """File [a, b) under each UTC day it touches."""
    while a < b:
        day = int(a // DAY)
        cut = min(b, float((day + 1) * DAY))
        spans[day].append((a, cut))
        a = cut


def days_table(rows: list[Row]) -> sa.CTE:
    """The `bdays` rows as a CTE (a VALUES list with literal numbers)."""
    values = sa.values(
        sa.column("cal", sa.String),
        sa.column("day", sa.Integer),
        sa.column("cum", sa.Float),
        sa.column("s", sa.Float),
        sa.column("e", sa.Float),
        name="bdays_v",
        literal_binds=True,
    ).data(rows)
    return values.cte("bdays")


_DAYS = sa.table(
    "tierdesk_bdays",
    sa.column("cal", sa.String),
    sa.column("day", sa.Integer),
    sa.column("cum", sa.Float),
    sa.column("s", sa.Float),
    sa.column("e", sa.Float),
)


def days_on(conn: sa.Connection, rows: list[Row]) -> sa.CTE:
    """`days_table(rows)` for the database behind `conn`. DuckDB (the Parquet path) gets them
    as a temporary table first: its planner spends seconds on a VALUES list of a thousand
    literal rows repeated at every use, 27 s -> 8 s for a report at 20k tickets
    (bench/analytics.py). The store's SQLite and PostgreSQL are read through read-only
    connections, which may not create tables: they keep the VALUES list."""
    if conn.dialect.name != "duckdb":
        return days_table(rows)
    conn.exec_driver_sql(
        "CREATE OR REPLACE TEMP TABLE tierdesk_bdays"
        " (cal VARCHAR, day INTEGER, cum DOUBLE, s DOUBLE, e DOUBLE)"
    )
    if rows:
        keys = ("cal", "day", "cum", "s", "e")
        conn.execute(_DAYS.insert(), [dict(zip(keys, r, strict=True)) for r in rows])
    return sa.select(_DAYS).cte("bdays")


def clock_at(
    bdays: sa.CTE, cal: sa.ColumnElement[str], x: sa.ColumnElement[float]
) -> sa.ColumnElement[float]:
    """F(cal, x): the business clock of the epoch `x` on the calendar named `cal`."""
    c = bdays.c
    part = least(greatest(x - c.s, sa.literal(0.0)), c.e - c.s)
    return (
        sa.select(sa.func.max(c.cum) + sa.func.sum(part))
        .where(c.cal == cal, c.day == day_of(x))
        .correlate_except(bdays)  # to whichever enclosing query `cal` and `x` come from
        .scalar_subquery()
    )


def covering(first: date, last: date) -> tuple[datetime, datetime]:
    """Aware UTC bounds of the local dates `first`..`last`, with a day to spare each side."""
    lo = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=2)
    hi = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=2)
    return lo, hi
