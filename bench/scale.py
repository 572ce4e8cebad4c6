"""List pages, customer search and ticket text search at scale (issue 15), on SQLite.

    .venv/bin/python bench/scale.py [--sizes 10000 100000] [--million] [--repeat 5]

For each size N: a fresh, migrated SQLite file; a seed set through the service layer (tickets
opened with `open_ticket`: triaged, routed, clocked, a customer each), then set-based copies
(one INSERT ... SELECT over a recursive counter per table) up to N tickets and N/2 customers
with their identities, spread over a year, then ANALYZE. Then, each the median of --repeat:

- the ticket page (50 rows) first, at 50% and at 99% depth, with no filter and with a status
  filter, through the repository (`(created_at, id) < (?, ?)`, an index seek), beside the same
  page read with the predicate it replaced (`created_at < ? OR (created_at = ? AND id < ?)`):
  the ratio old/new says what the row-value form saves at that depth;
- the customer list first and at 99% depth;
- customer search (`q`): a substring one customer in 200 has, one more than half have (every
  match is read from the index, then the newest 50 taken), one of 1 character (no trigram:
  LIKE, a scan that stops at 50 hits) and one nobody has;
- ticket text search (`TicketFilter.text`, the FTS5 index `ticket_fts` over subject and
  messages): a common word (2 tickets in 5), a rare one (1 in 10,000, added to the copies'
  index rows), a Chinese two-character word (訂單, 1 in 5), a common word with a status
  filter, and no match. Up to 2,000 matches (`repo_tickets.TEXT_LIST_CAP`, counted first)
  are read from the index, then the newest 50 taken; more (the common word) walk the page's
  keyset index, testing each ticket, and stop at 50 (goal: < 50 ms at 1M).

The floor is the first page: a page at any depth should cost what it does. Prints figures;
asserts nothing. The default run (10k and 100k) takes well under a minute; --million adds 1M.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tierdesk import bootstrap
from tierdesk.adapters.db.tables import customer_identities, customers, ticket_search, tickets
from tierdesk.policy import rulebook
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.paging import encode_cursor
from tierdesk.services.records import TicketFilter
from tierdesk.services.tickets import open_ticket

SEED = 200
TEXTS = [
    "Where is my order? It has not arrived.",
    "My card was charged twice for one order",
    "I cannot sign in to my account",
    "請問我的訂單什麼時候會到？",
    "The app crashes when I open settings",
]
RARE_EVERY = 10_000  # one ticket in this many has the rare word
PER_SEED_SECONDS = 31_536_000  # the copies spread over a year before the seed


def _copy(conn: sa.Connection, table: sa.Table, copies: int, unique: set[str]) -> None:
    """`copies` copies of every row of `table`: string keys get a suffix, times move back."""
    cols = []
    for column in table.columns:
        name = column.name
        if name == "row_id":
            continue
        if name in unique:
            cols.append((name, f"{name} || '_' || n.i"))
        elif name == "created_at":
            step = PER_SEED_SECONDS // max(copies, 1)
            cols.append(
                (name, f"datetime({name}, '-' || (n.i * {step}) || ' seconds') || '.000000'")
            )
        else:
            cols.append((name, name))
    names = ", ".join(n for n, _ in cols)
    exprs = ", ".join(e for _, e in cols)
    counter = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {copies})"  # noqa: S608
    insert = f"INSERT INTO {table.name} ({names}) SELECT {exprs} FROM {table.name}, n"  # noqa: S608
    conn.exec_driver_sql(f"{counter} {insert}")


def build(url: str, n: int) -> float:
    """Seed through the services, then copy set-based to `n` tickets; seconds taken."""
    started = time.perf_counter()
    db = bootstrap.open_database(url)
    env = Env(uow=db.uow, clock=FakeClock(datetime(2026, 12, 1, tzinfo=UTC)), rules=rulebook())
    for i in range(SEED):
        contact = Contact("email", f"customer{i}@example.com", f"Customer {i} 陳")
        open_ticket(env, channel="email", text=TEXTS[i % len(TEXTS)], contact=contact)
    copies = max(n // SEED - 1, 0)
    with db.engine.begin() as conn:
        _copy(conn, tickets, copies, {"id", "idempotency_key", "channel_message_id"})
        _copy(conn, ticket_search, copies, {"ticket_id"})  # its triggers fill ticket_fts
        conn.exec_driver_sql(
            f"UPDATE ticket_search SET body = body || ' zebra' WHERE row_id % {RARE_EVERY} = 7"  # noqa: S608
        )
        _copy(conn, customers, copies // 2, {"id", "name"})
        _copy(conn, customer_identities, copies // 2, {"value", "customer_id"})
        conn.exec_driver_sql("ANALYZE")
    db.dispose()
    return time.perf_counter() - started


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _cursor_at(conn: sa.Connection, table: sa.Table, depth: float, where: str = "") -> str:
    count = f"SELECT count(*) FROM {table.name} {where}"  # noqa: S608 (our names)
    total = conn.execute(sa.text(count)).scalar_one()
    offset = max(int(total * depth) - 1, 0)
    at, row_id = conn.execute(
        sa.text(
            f"SELECT created_at, id FROM {table.name} {where} "  # noqa: S608
            f"ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET {offset}"
        )
    ).one()
    when = datetime.fromisoformat(str(at)).replace(tzinfo=UTC)
    return encode_cursor(when, str(row_id))


def _old_page(db: Any, cursor: str, status: str | None) -> None:
    """The page as the replaced predicate read it (for the ratio)."""
    micros, _, row_id = cursor.partition(".")
    at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))
    c = tickets.c
    query = sa.select(tickets).where(
        sa.or_(c.created_at < at, sa.and_(c.created_at == at, c.id < row_id))
    )
    if status is not None:
        query = query.where(c.status == status)
    with db.engine.connect() as conn:
        conn.execute(query.order_by(c.created_at.desc(), c.id.desc()).limit(51)).all()


def measure(url: str, repeat: int) -> None:
    db = bootstrap.open_database(url)
    with db.engine.connect() as conn:  # the positions first (every connection writes)
        count = conn.execute(sa.text("SELECT count(*) FROM tickets")).scalar_one()
        people = conn.execute(
            sa.text("SELECT count(*) FROM customers WHERE merged_into IS NULL")
        ).scalar_one()
        status = conn.execute(sa.text("SELECT status FROM tickets LIMIT 1")).scalar_one()
        where = f"WHERE status = '{status}'"
        cursors = {
            (label, depth): _cursor_at(conn, tickets, depth, w)
            for label, w in (("none", ""), ("status", where))
            for depth in (0.5, 0.99)
        }
        deep_customer = _cursor_at(conn, customers, 0.99, "WHERE merged_into IS NULL")
    print(f"\n{count:,} tickets, {people:,} customers")
    for label, filters, st in (
        ("none", TicketFilter(), None),
        ("status", TicketFilter(status=(status,)), status),
    ):
        first = median_ms(lambda f=filters: _search(db, f, None), repeat)
        line = f"  tickets, filter {label if st is None else 'status=' + st}: first {first:.2f} ms"
        for depth in (0.5, 0.99):
            cursor = cursors[(label, depth)]
            new = median_ms(lambda f=filters, c=cursor: _search(db, f, c), repeat)
            old = median_ms(lambda c=cursor, s=st: _old_page(db, c, s), repeat)
            line += f"; {depth:.0%} {new:.2f} ms (OR form {old:.2f} ms, {old / new:.1f}x)"
        print(line)
    first = median_ms(lambda: _customers(db, None, None), repeat)
    deep = median_ms(lambda: _customers(db, None, deep_customer), repeat)
    print(f"  customers: first page {first:.2f} ms; 99% {deep:.2f} ms")
    for label, q in (
        ("a match: 1 in 200 customers", "customer17@"),
        ("a broad match: over half of them", "ustomer 1"),
        ("short, LIKE", "陳"),
        ("no match", "zzqx"),
    ):
        took = median_ms(lambda q=q: _customers(db, q, None), repeat)
        print(f"  customer search q={q!r} ({label}): {took:.2f} ms")
    for label, filters in (
        ("common word, 2 in 5", TicketFilter(text="order")),
        ("rare word, 1 in 10,000", TicketFilter(text="zebra")),
        ("Chinese two-character word, 1 in 5", TicketFilter(text="訂單")),
        ("common word and a status", TicketFilter(text="order", status=(status,))),
        ("no match", TicketFilter(text="zzqx")),
    ):
        took = median_ms(lambda f=filters: _search(db, f, None), repeat)
        print(f"  ticket text search q={filters.text!r} ({label}): {took:.2f} ms")
    db.dispose()


def _search(db: Any, filters: TicketFilter, cursor: str | None) -> None:
    with db.uow() as uow:
        uow.tickets.search(filters, limit=50, cursor=cursor)


def _customers(db: Any, q: str | None, cursor: str | None) -> None:
    with db.uow() as uow:
        uow.customers.search(q, limit=50, cursor=cursor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="add 1,000,000 tickets")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [*args.sizes, *([1_000_000] if args.million else [])]
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"scale-{n}.db"
            url = f"sqlite:///{path}"
            bootstrap.upgrade_database(url)
            took = build(url, n)
            size = path.stat().st_size / 2**20
            print(f"built {n:,} tickets in {took:.1f} s ({size:.0f} MiB)", end="")
            measure(url, args.repeat)


if __name__ == "__main__":
    main()
