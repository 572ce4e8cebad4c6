"""Every page is an index seek (issue 15): the ticket and customer lists' keyset predicate
`(created_at, id) < (?, ?)` is planned as a SEARCH of an index on SQLite and as an Index Cond
on PostgreSQL, for the first page and a page after a cursor, with each filter the API offers.

The statement is the one the repository really runs (recorded as it executes), explained on
the same connection. PostgreSQL plans are read with sequential scans priced out (the tables
hold a few rows here; at scale the planner picks the index unaided, see bench/scale.py): what
is asserted is that the keyset comparison is an index condition, not a filter over a scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tierdesk.adapters.db import Database
from tierdesk.services.paging import encode_cursor
from tierdesk.services.records import TicketFilter

CURSOR = encode_cursor(datetime(2026, 1, 1, tzinfo=UTC), "tkt_ffff")
FILTERS = {
    "none": TicketFilter(),
    "status": TicketFilter(status=("open",)),
    "statuses": TicketFilter(status=("open", "pending")),
    "priority": TicketFilter(priority=("P1",)),
    "tier": TicketFilter(tier=("L2",)),
    "category": TicketFilter(category=("billing_payment",)),
    "assignee": TicketFilter(assignee_id="u_1"),
    "customer": TicketFilter(customer_id="cus_1"),
    "text": TicketFilter(text="refund"),
}


@contextmanager
def recorded(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements run on `db` meanwhile, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def plan(db: Database, statement: str, params: Any, *, bitmaps: bool = False) -> str:
    """The plan of `statement`; on PostgreSQL with sequential scans (and bitmap scans unless
    `bitmaps`: GIN indexes are read only by them) priced out."""
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            return "\n".join(str(r[-1]) for r in rows)
        conn.exec_driver_sql("SET enable_seqscan = off")
        if not bitmaps:
            conn.exec_driver_sql("SET enable_bitmapscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, params).all()
        return "\n".join(str(r[0]) for r in rows)


def assert_seek(db: Database, explained: str) -> None:
    if db.engine.dialect.name == "sqlite":
        assert "SEARCH" in explained and "USING" in explained and "INDEX" in explained, explained
        assert "SCAN" not in explained.replace("SCAN CONSTANT ROW", ""), explained
    else:
        conds = [line for line in explained.splitlines() if "Index Cond" in line]
        assert any("created_at" in c and "ROW(" in c for c in conds), explained
        assert "Seq Scan" not in explained, explained


def _page_plans(db: Database, search: Any) -> list[str]:
    with recorded(db) as seen:
        search(None)
        search(CURSOR)
    assert len(seen) == 2
    return [plan(db, statement, params) for statement, params in seen]


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_ticket_page_is_an_index_seek(sql_db: Database, name: str) -> None:
    def search(cursor: str | None) -> None:
        with sql_db.uow() as uow:
            uow.tickets.search(FILTERS[name], limit=50, cursor=cursor)

    first, deep = _page_plans(sql_db, search)
    assert_seek(sql_db, deep)
    if sql_db.engine.dialect.name == "sqlite":  # the first page: no keyset, an ordered index
        assert "USE TEMP B-TREE FOR ORDER BY" not in first or name == "statuses", first


@pytest.mark.parametrize("text", [None])
def test_every_customer_page_is_an_index_seek(sql_db: Database, text: str | None) -> None:
    def search(cursor: str | None) -> None:
        with sql_db.uow() as uow:
            uow.customers.search(text, limit=50, cursor=cursor)

    _, deep = _page_plans(sql_db, search)
    assert_seek(sql_db, deep)
