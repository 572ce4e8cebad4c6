"""Every page is an index seek (issue 15): the ticket and customer lists' keyset predicate
`(created_at, id) < (?, ?)` is planned as a SEARCH of an index on SQLite and as an Index Cond
on PostgreSQL, for the first page and a page after a cursor, with each filter the API offers.
Never a sort of the matching rows (issue 11): a list of statuses is one seek per status,
a UNION ALL of ordered, limited arms (SQLite shows each as a subquery it scans, which is
those few rows, not the table), and the due order (due_at, id) and "breaching soon" seek the
(status, due_at, id) index the same way, the tickets without a due time by (status, id), and
"breaching soon" by warning time a range of (status, due_warn_at, id).

The statement is the one the repository really runs (recorded as it executes), explained on
the same connection. PostgreSQL plans are read with sequential scans priced out (the tables
hold a few rows here; at scale the planner picks the index unaided, see bench/scale.py): what
is asserted is that the keyset comparison is an index condition, not a filter over a scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tierdesk.adapters.db import Database
from tierdesk.services.paging import NO_DUE, encode_cursor
from tierdesk.services.records import TicketFilter

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CURSOR = encode_cursor(NOW, "tkt_ffff")
UNDATED_CURSOR = encode_cursor(NO_DUE, "tkt_ffff")  # the due order's rows without a due time
ACTIVE = ("new", "open", "pending_customer")
FILTERS = {
    "none": TicketFilter(),
    "status": TicketFilter(status=("open",)),
    "statuses": TicketFilter(status=ACTIVE),
    "due": TicketFilter(status=("open",), order="due"),
    "due statuses": TicketFilter(status=ACTIVE, order="due"),
    "due any status": TicketFilter(order="due"),
    "due tier": TicketFilter(status=ACTIVE, tier=("L1",), order="due"),
    "warned": TicketFilter(status=ACTIVE, order="warned"),
    # "breaching soon" (`warned_by`) pages by warning time: a range of the warned rows. In
    # another order the planner reads that range and sorts it (the rows at risk, not the
    # table), so the queue never asks for it.
    "warned risk": TicketFilter(status=ACTIVE, order="warned", warned_by=NOW),
    "priority": TicketFilter(priority=("P1",)),
    "tier": TicketFilter(tier=("L2",)),
    "category": TicketFilter(category=("billing_payment",)),
    "assignee": TicketFilter(assignee_id="u_1"),
    "customer": TicketFilter(customer_id="cus_1"),
    # the text filter reads the full-text index and sorts its matches: test_db_ticket_search
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


# What a UNION ALL of ordered, limited arms adds to a SQLite plan: the compound, each arm as a
# co-routine (or materialized) subquery and the scan of its few rows. A scan of a table is
# still refused.
_COMPOUND = re.compile(
    r"^(COMPOUND QUERY|LEFT-MOST SUBQUERY|UNION ALL|(CO-ROUTINE|MATERIALIZE) \S+"
    r"|SCAN (\(subquery-\d+\)|anon_\d+)|SCAN CONSTANT ROW)$"
)


def _sqlite_lines(explained: str) -> list[str]:
    """The plan's lines but those a UNION ALL of subqueries adds (`_COMPOUND`)."""
    lines = [line.strip() for line in explained.splitlines()]
    return [line for line in lines if not _COMPOUND.match(line)]


def assert_seek(
    db: Database, explained: str, *, keyset: str = "created_at", sorts: bool = False
) -> None:
    """Every read of the table is an index seek, and nothing is sorted (unless `sorts`); on
    PostgreSQL the keyset comparison on `keyset` is an index condition."""
    if db.engine.dialect.name == "sqlite":
        lines = _sqlite_lines(explained)
        assert lines, explained
        for line in lines:
            if sorts and line.startswith("USE TEMP B-TREE"):
                continue
            assert line.startswith("SEARCH") and "USING" in line and "INDEX" in line, explained
    else:
        conds = [line for line in explained.splitlines() if "Index Cond" in line]
        assert any(keyset in c and "ROW(" in c for c in conds), explained
        assert "Seq Scan" not in explained, explained
        assert "Sort" not in explained, explained


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
    order = FILTERS[name].order
    by_due = order != "new"
    keys = {"new": "created_at", "due": "due_at", "warned": "due_warn_at"}
    assert_seek(sql_db, deep, keyset=keys[order])
    # the first page: no keyset, an ordered index; never a sort of what matched
    assert "TEMP B-TREE" not in first and "Sort" not in first.replace("Sort Key", ""), first
    if sql_db.engine.dialect.name == "sqlite":  # a seek, or a walk of an ordered index
        lines = _sqlite_lines(first)
        assert lines and all("USING" in line and "INDEX" in line for line in lines), first
    if len(FILTERS[name].status) > 1 or (by_due and not FILTERS[name].status):
        assert "UNION ALL" in sql_db_statement(sql_db, search), name


def sql_db_statement(db: Database, search: Any) -> str:
    """The statement `search(None)` runs."""
    with recorded(db) as seen:
        search(None)
    return seen[0][0]


@pytest.mark.parametrize("warned", [False, True])
def test_the_due_order_past_the_dated_tickets_seeks_the_undated(
    sql_db: Database, warned: bool
) -> None:
    """A cursor among the tickets without a due time reads only those (by id); "breaching
    soon" has none of them, so its page after such a cursor is empty without a query plan
    that scans."""
    if warned:
        filters = TicketFilter(status=ACTIVE, order="warned", warned_by=NOW)
    else:
        filters = TicketFilter(status=ACTIVE, order="due")

    def search(cursor: str | None) -> None:
        with sql_db.uow() as uow:
            page = uow.tickets.search(filters, limit=50, cursor=cursor)
            assert page.items == ()

    with recorded(sql_db) as seen:
        search(UNDATED_CURSOR)
    if warned:
        assert seen == []  # nothing can follow: no query at all
        return
    ((statement, params),) = seen
    explained = plan(sql_db, statement, params)
    assert "due_at IS NULL" in statement and "due_at IS NOT NULL" not in statement
    if sql_db.engine.dialect.name == "sqlite":
        lines = _sqlite_lines(explained)
        assert lines and all(line.startswith("SEARCH") for line in lines), explained
        assert "TEMP B-TREE" not in explained, explained
    else:
        assert "Seq Scan" not in explained and "Sort" not in explained, explained


@pytest.mark.parametrize("text", [None])
def test_every_customer_page_is_an_index_seek(sql_db: Database, text: str | None) -> None:
    def search(cursor: str | None) -> None:
        with sql_db.uow() as uow:
            uow.customers.search(text, limit=50, cursor=cursor)

    _, deep = _page_plans(sql_db, search)
    # SQLite plans an empty customers table's page by merged_into and sorts it (issue 11 left
    # the customer list alone: only its keyset seek is asserted here)
    assert_seek(sql_db, deep, sorts=True)
