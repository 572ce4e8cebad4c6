"""Tickets and their event log on SQLAlchemy Core (the TicketRepository and EventLog ports).

Text search (`TicketFilter.text`, issue 15) reads the full-text index over `ticket_search`
(migration 0017): one row per ticket with the `kb_text` tokens of its subject and of all its
messages' bodies, written here (`add`, `save` when the subject changes) and by
`index_message` (the message repository's `add`). The filter is `tickets.id IN` the tickets
the index matches (SQLite: `ticket_fts MATCH`, every token quoted; PostgreSQL: the tsquery of
the same tokens on the GIN index `ix_ticket_fts`), combined with the other filters and the
keyset pages as before.

That list is the plan for words few tickets hold. A common word ("order", in half of them)
would have every match read and kept before the page's 50 rows are cut, so each search first
counts the matches, stopping at `TEXT_LIST_CAP` (`_text_walks`): when there are more, the page
instead walks the tickets in its own order (the keyset index of its seek) and tests each with
a correlated EXISTS on the index (SQLite: `ticket_fts MATCH` with `rowid =` the ticket's
`ticket_search` row, a last word typed on tested on that row's tokens; PostgreSQL: the tsvector
expression `@@` on that row), stopping after the page's rows. Both plans give the same rows,
in the same order, with the same cursors.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY

from tierdesk.adapters.db.mapping import event_from_row, event_to_row, from_row, to_row
from tierdesk.adapters.db.repo_kb import fts5_query, tsquery
from tierdesk.adapters.db.tables import ticket_events, ticket_search, tickets
from tierdesk.adapters.db.tx import Tx
from tierdesk.adapters.db.types import UTCDateTime
from tierdesk.domain.events import TicketEvent
from tierdesk.domain.kb_text import SearchTerms, index_text, query_terms
from tierdesk.domain.state import ACTIVE_STATUSES, TicketStatus
from tierdesk.services.paging import (
    NO_DUE,
    cut,
    cut_by,
    decode_cursor,
    due_key,
    warned_key,
)
from tierdesk.services.ports import TicketFilter, TicketPage, TicketRecord

_T = tickets.c
_S = ticket_search.c
# Must be the expression of the index `ix_ticket_fts` (migration 0017) for PostgreSQL to use it.
_PG_VECTOR = "to_tsvector('simple', ticket_search.subject || ' ' || ticket_search.body)"
_ALL_STATUSES = tuple(str(s) for s in TicketStatus)
# A text matching more tickets than this is searched by walking the page's index (see the
# module docstring). Chosen, not tuned: reading this many matches costs a few ms (bench/scale.py),
# and a walk reads about tickets / matches rows per row of its page (at 1M tickets and 2,000
# matches, ~25,000 for 50 rows; far more when the matches are old or other filters cut them).
TEXT_LIST_CAP = 2000
_TIMED = {"due": _T.due_at, "warned": _T.due_warn_at}  # the orders by a time, ascending

# The statements of intake and of every command's load, built once so that SQLAlchemy reuses
# their cache key and compiled form (building a `select(tickets)` costs more than running it).
_BY_ID = sa.select(tickets).where(_T.id == sa.bindparam("p_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
_BY_ID_LOCKED_SKIP = _BY_ID.with_for_update(skip_locked=True)
_BY_KEY = sa.select(tickets).where(_T.idempotency_key == sa.bindparam("p_key"))
_BY_MESSAGE = sa.select(tickets).where(
    _T.channel == sa.bindparam("p_channel"), _T.channel_message_id == sa.bindparam("p_message")
)


@functools.cache
def _recent(postgres: bool, one: bool) -> sa.Select[Any]:
    """Tickets of customers created since a time, oldest first: of one customer (`one`) or
    of a list (an expanding IN, which SQLAlchemy must render anew on every call)."""
    owner = (
        _T.customer_id == sa.bindparam("p_customer")
        if one
        else _T.customer_id.in_(sa.bindparam("p_customers", expanding=True))
    )
    ticket_id = _T.id.collate("C") if postgres else _T.id
    return (
        sa.select(tickets)
        .where(owner, _T.created_at >= sa.bindparam("p_since"))
        .order_by(_T.created_at, ticket_id)
    )


class SqlTickets:
    """TicketRepository (see `tierdesk.services.ports`)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _one(self, query: sa.Select[Any], **params: Any) -> TicketRecord | None:
        row = self._tx.execute(query, params or None).mappings().first()
        return None if row is None else from_row(TicketRecord, row)

    def add(self, ticket: TicketRecord) -> None:
        self._tx.insert(tickets, to_row(ticket))
        self._tx.execute(
            sa.insert(ticket_search).values(
                ticket_id=ticket.id, subject=index_text(ticket.subject), body=""
            )
        )

    def get(self, ticket_id: str) -> TicketRecord | None:
        return self._one(_BY_ID, p_id=ticket_id)

    def with_id_prefix(self, prefix: str, limit: int = 5) -> list[TicketRecord]:
        # a range on the id's unique index (portable, unlike LIKE's use of an index); ids are
        # ASCII, so every id starting with `prefix` sorts below prefix + U+FFFF
        c = tickets.c
        query = (
            sa.select(tickets)
            .where(c.id >= prefix, c.id < prefix + "\uffff")
            .order_by(c.id)
            .limit(limit)
        )
        return [from_row(TicketRecord, r) for r in self._tx.execute(query).mappings()]

    def get_for_update(self, ticket_id: str, *, skip_locked: bool = False) -> TicketRecord | None:
        query = _BY_ID
        if self._tx.postgres:
            query = _BY_ID_LOCKED_SKIP if skip_locked else _BY_ID_LOCKED
        # SQLite: every unit of work is a BEGIN IMMEDIATE write transaction, which already
        # excludes all other writers, so no row is ever held by someone else.
        return self._one(query, p_id=ticket_id)

    def save(self, ticket: TicketRecord, expected_version: int) -> bool:
        values = to_row(ticket)
        del values["id"]
        result = self._tx.execute(
            tickets.update()
            .where(_T.id == ticket.id, _T.version == expected_version)
            .values(**values)
        )
        if result.rowcount != 1:
            return False
        # a changed subject (no command changes one today; imports and repairs may): a seek
        # on the ticket's row that writes nothing when the tokens are the same
        subject = index_text(ticket.subject)
        self._tx.execute(
            sa.update(ticket_search)
            .where(_S.ticket_id == ticket.id, _S.subject != subject)
            .values(subject=subject)
        )
        return True

    def find_by_idempotency_key(self, key: str) -> TicketRecord | None:
        return self._one(_BY_KEY, p_key=key)

    def find_by_channel_message(self, channel: str, message_id: str) -> TicketRecord | None:
        return self._one(_BY_MESSAGE, p_channel=channel, p_message=message_id)

    def search(
        self, filters: TicketFilter, *, limit: int = 50, cursor: str | None = None
    ) -> TicketPage:
        # Each page is index seeks, never a sort of every matching row: an IN list of
        # statuses (or the due and warning orders, whose indexes start with the status) is
        # one seek per status on (status, created_at | due_at | due_warn_at, id), each ordered
        # and cut to the page in the database, run as one UNION ALL; the merge of those few
        # rows is here.
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        after = decode_cursor(cursor) if cursor is not None else None
        timed = _TIMED.get(filters.order)
        walk = filters.text is not None and self._text_walks(filters.text)
        if not filters.status and timed is None:
            query = sa.select(tickets).where(
                *_conditions(
                    filters, warned=filters.warned_by, postgres=self._tx.postgres, walk=walk
                )
            )
            found = self._tx.newest_first(query, tickets, limit, cursor)
            return TicketPage(*cut([from_row(TicketRecord, r) for r in found], limit))
        place = "none" if after is None else "undated" if after[0] >= NO_DUE else "dated"
        # the statement of this filter and cursor kind, built once (building the arms costs
        # more than running them); the times, the cursor and the limit are its parameters
        shape = replace(filters, warned_by=NO_DUE if filters.warned_by is not None else None)
        statement = _statement(self._tx.postgres, shape, place, walk)
        if statement is None:  # "breaching soon" after the dated tickets: nothing can follow
            return TicketPage((), None)
        params: dict[str, Any] = {"p_limit": limit + 1}
        if after is not None:
            params["p_after_at"], params["p_after_id"] = after
        if filters.warned_by is not None:
            params["p_warned_by"] = filters.warned_by
        rows = list(self._tx.execute(statement, params).mappings())
        # merged on the raw rows: only the page's (limit + 1 of up to that many per arm)
        # become records
        if timed is not None:
            name = timed.name

            def position(row: sa.RowMapping) -> tuple[datetime, str]:
                at = row[name]
                return (at if at is not None else NO_DUE), row["id"]

            chosen = heapq.nsmallest(limit + 1, rows, key=position)
            key = due_key if filters.order == "due" else warned_key
            return TicketPage(*cut_by([from_row(TicketRecord, r) for r in chosen], limit, key))
        chosen = heapq.nlargest(limit + 1, rows, key=_newest_position)
        return TicketPage(*cut([from_row(TicketRecord, r) for r in chosen], limit))

    def _text_walks(self, text: str) -> bool:
        """Whether `text` matches more than TEXT_LIST_CAP tickets (counted up to one more):
        its pages then walk the tickets rather than list the matches."""
        terms = query_terms(text)
        if terms.empty or terms.mode != "all":
            return False
        if self._tx.postgres:
            query = _PG_COUNT
            params: dict[str, Any] = {"p_query": tsquery(terms)}
        else:
            query = _SQLITE_COUNT
            params = {"p_query": fts5_query(terms)}
        params["p_cap"] = TEXT_LIST_CAP + 1
        return int(self._tx.execute(query, params).scalar_one()) > TEXT_LIST_CAP

    def recent_for_customers(
        self, customer_ids: Sequence[str], since: datetime
    ) -> list[TicketRecord]:
        if not customer_ids:
            return []
        one = len(customer_ids) == 1
        query = _recent(self._tx.postgres, one)
        params: dict[str, Any] = {"p_since": since}
        if one:
            params["p_customer"] = customer_ids[0]
        else:
            params["p_customers"] = list(customer_ids)
        return [from_row(TicketRecord, r) for r in self._tx.execute(query, params).mappings()]

    def due_for_sweep(self, now: datetime, limit: int) -> list[str]:
        query = (
            sa.select(_T.id)
            .where(_T.sweep_at.is_not(None), _T.sweep_at <= now)
            .order_by(_T.sweep_at, self._tx.id_order(_T.id))
            .limit(limit)
        )
        return list(self._tx.execute(query).scalars())

    def sweep_active_by(self, at: datetime) -> int:
        later = sa.or_(_T.sweep_at.is_(None), _T.sweep_at > at)
        active = _T.status.in_([str(s) for s in sorted(ACTIVE_STATUSES)])
        result = self._tx.execute(sa.update(tickets).where(active, later).values(sweep_at=at))
        return result.rowcount


# The matches of a text, counted up to a cap (`SqlTickets._text_walks`): the index alone.
_SQLITE_COUNT = sa.text(
    "SELECT count(*) FROM (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH :p_query "
    "LIMIT :p_cap)"
)
_PG_COUNT = sa.text(
    f"SELECT count(*) FROM (SELECT 1 FROM ticket_search WHERE {_PG_VECTOR} @@ "  # noqa: S608
    "CAST(:p_query AS tsquery) LIMIT :p_cap) AS matched"
)

_AFTER_AT = sa.bindparam("p_after_at", type_=UTCDateTime())
_AFTER_ID = sa.bindparam("p_after_id", type_=sa.String())
_LIMIT = sa.bindparam("p_limit", type_=sa.Integer())
_WARNED = sa.bindparam("p_warned_by", type_=UTCDateTime())


@functools.lru_cache(maxsize=256)
def _statement(
    postgres: bool, f: TicketFilter, place: str, walk: bool = False
) -> sa.Executable | None:
    """The page query of a filter naming statuses or ordered by a time: one arm per status
    (a UNION ALL when there are several), after a cursor `place`d "none", "dated" or
    "undated" (among the rows without the order's time). None when nothing can follow.
    `walk`: the text is tested on each ticket walked (`_text_match`)."""
    timed = _TIMED.get(f.order)
    statuses = sorted(set(f.status or _ALL_STATUSES))
    warned = _WARNED if f.warned_by is not None else None
    where = _conditions(f, warned=warned, postgres=postgres, walk=walk)
    row_id = _T.id.collate("C") if postgres else _T.id
    arms: list[sa.Select[Any]] = []
    for status in statuses:
        seek = [_T.status == status, *where]
        if timed is None:
            arms.append(_newest(seek, row_id, after=place != "none"))
        else:
            arms += _by_time(timed, seek, row_id, place, dated_only=f.warned_by is not None)
    if not arms:
        return None
    return arms[0] if len(arms) == 1 else sa.union_all(*(_from(a) for a in arms))


def _newest(
    where: list[sa.ColumnElement[bool]], row_id: sa.ColumnElement[str], *, after: bool
) -> sa.Select[Any]:
    """One status's page newest first (created_at desc, id desc), after the cursor."""
    created = _T.created_at
    if after:
        # the row-value form is what both planners turn into an index seek
        where = [*where, sa.tuple_(created, row_id) < sa.tuple_(_AFTER_AT, _AFTER_ID)]
    query = sa.select(tickets).where(*where)
    return query.order_by(created.desc(), row_id.desc()).limit(_LIMIT)


def _by_time(
    due: sa.Column[datetime],
    where: list[sa.ColumnElement[bool]],
    row_id: sa.ColumnElement[str],
    place: str,
    *,
    dated_only: bool,
) -> list[sa.Select[Any]]:
    """One status's page by a time column (`due`: due_at or due_warn_at, then id) after the
    cursor's `place`: the tickets with that time, then those without (by id): two seeks, as
    NULL has no place in a row-value comparison. `dated_only`: the filter already excludes
    the undated (due_warn_at is NULL exactly when due_at is)."""
    arms = []
    if place != "undated":
        dated = [*where, due.is_not(None)]
        if place == "dated":
            dated.append(sa.tuple_(due, row_id) > sa.tuple_(_AFTER_AT, _AFTER_ID))
        arms.append(sa.select(tickets).where(*dated).order_by(due, row_id).limit(_LIMIT))
    if not dated_only:
        undated = [*where, due.is_(None)]
        if place == "undated":
            undated.append(row_id > _AFTER_ID)
        # ordered by (due_at, id), all NULL, as PostgreSQL reads the index's order only
        # after equalities (IS NULL is none): by id alone it would sort them
        arms.append(sa.select(tickets).where(*undated).order_by(due, row_id).limit(_LIMIT))
    return arms


def _conditions(
    f: TicketFilter,
    *,
    warned: datetime | sa.BindParameter[datetime] | None,
    postgres: bool,
    walk: bool = False,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of a ticket filter but its statuses (empty tuple / None: any): the
    status is each seek's own (`_statement`); `warned` is what due_warn_at must not pass
    (the filter's time, or the parameter standing for it); `walk`: the text's plan
    (`_text_match`)."""
    out: list[sa.ColumnElement[bool]] = []
    for column, allowed in (
        (_T.priority, f.priority),
        (_T.tier, f.tier),
        (_T.queue, f.queue),
        (_T.category, f.category),
        (_T.channel, f.channel),
    ):
        if allowed:
            out.append(column.in_(list(allowed)))
    if f.assignee_id is not None:
        out.append(_T.assignee_id == f.assignee_id)
    if f.customer_id is not None:
        out.append(_T.customer_id == f.customer_id)
    if f.created_from is not None:
        out.append(_T.created_at >= f.created_from)
    if f.created_to is not None:
        out.append(_T.created_at < f.created_to)
    if f.text:
        out.append(_text_match(f.text, postgres, walk=walk))
    if warned is not None:
        out.append(_T.due_warn_at <= warned)
    return out


def _text_match(text: str, postgres: bool, *, walk: bool = False) -> sa.ColumnElement[bool]:
    """The tickets whose subject and messages hold every word of `text` (the last one as a
    prefix while typed on), by the full-text index; none when `text` has no word. Not
    `walk`: `tickets.id IN` the index's matches (read whole, for few). `walk`: a correlated
    EXISTS testing the ticket's own `ticket_search` row on the index, so that the page's
    seek stops after its rows (for many)."""
    terms = query_terms(text)
    if terms.empty:
        return sa.false()
    if postgres:
        q = sa.cast(sa.literal(tsquery(terms)), TSQUERY)
        match = sa.literal_column(_PG_VECTOR).op("@@")(q)
        if walk:
            # OFFSET 0 keeps the EXISTS a subplan run per ticket walked: PostgreSQL would
            # otherwise make it a semi-join and may read every match from the GIN index
            one = sa.select(sa.literal(1)).where(_S.ticket_id == _T.id, match)
            return one.offset(0).exists()
        return _T.id.in_(sa.select(_S.ticket_id).where(match))
    fts = sa.table("ticket_fts", sa.column("rowid"))
    if walk:
        return _sqlite_walk_match(terms, fts)
    match = sa.literal_column("ticket_fts").op("MATCH")(sa.literal(fts5_query(terms)))
    matched = (
        sa.select(_S.ticket_id).select_from(fts).join(ticket_search, _S.row_id == fts.c.rowid)
    ).where(match)
    return _T.id.in_(matched)


def _sqlite_walk_match(terms: SearchTerms, fts: sa.TableClause) -> sa.ColumnElement[bool]:
    """The test of one walked ticket on SQLite: its `ticket_search` row (by the unique
    ticket_id), then the index at that rowid for the whole words (`MATCH` with `rowid =`, a
    seek in each word's list). FTS5 reads a prefix's matches whole on every call, so the last
    word typed on (a prefix) is tested on the row's stored tokens instead: one starts with it
    (a space, then the prefix, in the space-separated tokens the index reads; tokens hold only
    letters and digits, so the prefix has no LIKE wildcard), which is what the index's
    prefix match and the in-memory store's (`kb_text.matches`) answer."""
    words, prefix = terms.tokens, None
    if terms.prefix:
        words, prefix = words[:-1], words[-1]
    where: list[sa.ColumnElement[bool]] = [_S.ticket_id == _T.id]
    if words:
        whole = fts5_query(replace(terms, tokens=words, prefix=False))
        match = sa.literal_column("ticket_fts").op("MATCH")(sa.literal(whole))
        where += [fts.c.rowid == _S.row_id, match]
    if prefix is not None:
        stored = sa.literal(" ") + _S.subject + sa.literal(" ") + _S.body
        where.append(stored.like(sa.literal(f"% {prefix}%")))
    return sa.exists().where(*where)


def index_message(tx: Tx, ticket_id: str, body: str) -> None:
    """Add a message's words to its ticket's search tokens (every kind: the customer's,
    replies and internal notes)."""
    tokens = index_text(body)
    if not tokens:
        return
    tx.execute(
        sa.update(ticket_search)
        .where(_S.ticket_id == ticket_id)
        .values(body=sa.case((_S.body == "", tokens), else_=_S.body + " " + tokens))
    )


def _newest_position(row: sa.RowMapping) -> tuple[datetime, str]:
    """A row's place newest first (`tierdesk.services.paging.newest_key`), descending."""
    return row["created_at"], row["id"]


def _from(arm: sa.Select[Any]) -> sa.Select[Any]:
    """An arm of a UNION ALL that keeps its own ORDER BY and LIMIT (SQLite allows those only
    on the whole compound, or inside a subquery)."""
    return sa.select(arm.subquery())


class SqlEvents:
    """EventLog (see `tierdesk.services.ports`): insert only, never update."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def append(self, events: Sequence[TicketEvent]) -> None:
        if events:
            self._tx.insert(ticket_events, [event_to_row(e) for e in events])

    def for_ticket(self, ticket_id: str) -> list[TicketEvent]:
        query = (
            sa.select(ticket_events)
            .where(ticket_events.c.ticket_id == ticket_id)
            .order_by(ticket_events.c.seq)
        )
        return [event_from_row(r) for r in self._tx.execute(query).mappings()]

    def for_tickets(self, ticket_ids: Sequence[str]) -> dict[str, list[TicketEvent]]:
        out: dict[str, list[TicketEvent]] = {tid: [] for tid in ticket_ids}
        if not out:
            return out
        query = (
            sa.select(ticket_events)
            .where(ticket_events.c.ticket_id.in_(list(out)))
            .order_by(ticket_events.c.ticket_id, ticket_events.c.seq)
        )
        for row in self._tx.execute(query).mappings():
            out[row["ticket_id"]].append(event_from_row(row))
        return out
