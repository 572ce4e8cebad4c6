"""Ticket search by text through an index (issue 15): the subject and every message's body
(the customer's, replies and internal notes), English and Chinese (kb_text tokens: 退款 inside
申請退款), with the same answers on the in-memory store, SQLite (FTS5 `ticket_fts`) and
PostgreSQL (GIN `ix_ticket_fts`), combined with the other filters and across cursor pages,
kept in step when a message is added or the subject changes (migration 0017). The plans show
the index read, not a scan of tickets. A word many tickets hold is searched by walking the
page's keyset index and testing each ticket (more than `TEXT_LIST_CAP` matches; the cap is
lowered here so that a few dozen tickets are "many"): its pages are those of the list of
matches and of an oracle, and its plan is that walk, not a sort of every match."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from db_records import at, customer, message, ticket
from test_db_query_plans import plan, recorded

from tierdesk.adapters.db import Database, repo_tickets
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import TicketFilter

Factory = Callable[[], UnitOfWork]


def _seed(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        uow.tickets.add(ticket("t_order", subject="Where is my order?", created_at=at(1)))
        uow.tickets.add(
            ticket(
                "t_refund", subject="申請退款", language="zh-TW", status="open", created_at=at(2)
            )
        )
        uow.tickets.add(ticket("t_login", subject="Cannot sign in", created_at=at(3)))
        uow.tickets.add(ticket("t_quote", subject='The "best" (100%) plan*', created_at=at(4)))
        uow.tickets.add(ticket("t_blank", subject="Hello", created_at=at(5), priority="P1"))
        uow.messages.add(message("m_1", "t_order", body="My parcel never arrived, tracking 123"))
        uow.messages.add(
            message("m_2", "t_login", body="我的帳號被鎖住了", kind="customer", created_at=at(3))
        )
        uow.messages.add(
            message(
                "m_3", "t_login", body="Password reset link sent", kind="reply", channel="email"
            )
        )
        uow.messages.add(
            message("m_4", "t_refund", body="Customer is VIP, escalate", kind="note",
                    channel="internal")
        )  # fmt: skip
        uow.messages.add(message("m_5", "t_blank", body="refund my parcel please"))
        uow.commit()


CASES = {
    "order": ["t_order"],  # the subject
    "parcel": ["t_blank", "t_order"],  # only in message bodies, newest first
    "tracking 123": ["t_order"],
    "password reset": ["t_login"],  # only in an agent's reply
    "vip": ["t_refund"],  # only in an internal note
    "退款": ["t_refund"],  # a two-character word inside a longer run
    "帳號": ["t_login"],  # in a customer's message
    "申請退款": ["t_refund"],
    "退款 vip": ["t_refund"],  # subject and note together: every word, anywhere
    "refund parcel": ["t_blank"],
    "track": ["t_order"],  # the last word typed on is a prefix
    "zzqx": [],
    "order zzqx": [],  # every word is required
    '"best"': ["t_quote"],  # quotes, operators and LIKE wildcards are text
    "plan*": ["t_quote"],
    "100%": ["t_quote"],
    "(best": ["t_quote"],
    "best OR order": [],  # OR is a word here, not an operator
    '"*%(': [],  # no word at all: nothing
    "SIGN-IN": ["t_login"],
}


def test_search_answers_alike_on_every_store(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        found = {q: [t.id for t in uow.tickets.search(TicketFilter(text=q)).items] for q in CASES}
    assert found == CASES


def test_text_with_other_filters_and_cursor_pages(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.messages.add(message("m_6", "t_refund", body="parcel lost", created_at=at(2)))
        uow.commit()
    with uow_factory() as uow:
        pages: list[list[str]] = []
        cursor = None
        while True:
            page = uow.tickets.search(TicketFilter(text="parcel"), limit=1, cursor=cursor)
            pages.append([t.id for t in page.items])
            cursor = page.next_cursor
            if cursor is None:
                break
        status = uow.tickets.search(TicketFilter(text="parcel", status=("open", "new")))
        priority = uow.tickets.search(TicketFilter(text="parcel", priority=("P1",)))
        opened = uow.tickets.search(TicketFilter(text="parcel", status=("open",)))
    assert [i for p in pages for i in p] == ["t_blank", "t_refund", "t_order"]
    assert [t.id for t in status.items] == ["t_blank", "t_refund", "t_order"]
    assert [t.id for t in priority.items] == ["t_blank"]
    assert [t.id for t in opened.items] == ["t_refund"]


def test_the_index_follows_new_messages_and_a_changed_subject(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.messages.add(message("m_7", "t_order", body="已經退貨", created_at=at(6)))
        record = uow.tickets.get("t_login")
        assert record is not None
        assert uow.tickets.save(replace(record, subject="Locked out", version=2), 1)
        uow.commit()
    with uow_factory() as uow:

        def ids(q: str) -> list[str]:
            return [t.id for t in uow.tickets.search(TicketFilter(text=q)).items]

        assert ids("退貨") == ["t_order"]
        assert ids("locked") == ["t_login"]
        assert ids("sign") == []  # the old subject is gone
        assert ids("帳號") == ["t_login"]  # its messages stay


@pytest.mark.parametrize("q", ["parcel", "退款", "zzqx"])
def test_search_reads_the_index(sql_db: Database, q: str) -> None:
    _seed(sql_db.uow)
    with recorded(sql_db) as seen, sql_db.uow() as uow:
        uow.tickets.search(TicketFilter(text=q))
    explained = plan(sql_db, *seen[-1], bitmaps=True)  # the page (after the count)
    if sql_db.engine.dialect.name == "sqlite":
        assert "VIRTUAL TABLE INDEX" in explained and "ticket_fts" in explained, explained
        assert "SCAN tickets" not in explained and "SCAN ticket_search" not in explained
    else:
        assert "ix_ticket_fts" in explained, explained
        assert "Seq Scan on tickets" not in explained, explained


# Many tickets: "order" (or a longer word it starts) in 2 of 3, "zebra" in 3 of them; subjects
# and message bodies, every status, created times that repeat (the id breaks the ties).
_STATUSES = ("new", "open", "pending", "resolved")
_MANY = 60
_COMMON = {f"t_{i:02d}" for i in range(_MANY) if i % 3 != 0}
_RARE = {"t_07", "t_31", "t_58"}


def _seed_many(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        for i in range(_MANY):
            tid = f"t_{i:02d}"
            word = ("order", "orders", "ordering")[i % 3] if tid in _COMMON else "parcel"
            in_subject = i % 2 == 0
            subject = f"Where is my {word}?" if in_subject else "Hello"
            if tid in _RARE:
                subject += " zebra"
            uow.tickets.add(
                ticket(tid, subject=subject, status=_STATUSES[i % 4], created_at=at(i // 2))
            )
            if not in_subject:
                uow.messages.add(message(f"m_{i:02d}", tid, body=f"about my {word} again"))
        uow.commit()


def _pages(uow_factory: Factory, filters: TicketFilter) -> list[tuple[list[str], str | None]]:
    """Every page of `filters` (7 rows each) with its next cursor."""
    out: list[tuple[list[str], str | None]] = []
    cursor = None
    with uow_factory() as uow:
        while True:
            page = uow.tickets.search(filters, limit=7, cursor=cursor)
            out.append(([t.id for t in page.items], page.next_cursor))
            cursor = page.next_cursor
            if cursor is None:
                return out


def _oracle(ids: set[str], statuses: tuple[str, ...] = ()) -> list[str]:
    """Newest first (created_at desc, id desc) by the seed's own numbers."""
    kept = [t for t in ids if not statuses or _STATUSES[int(t[2:]) % 4] in statuses]
    return sorted(kept, key=lambda t: (int(t[2:]) // 2, t), reverse=True)


@pytest.mark.parametrize(
    ("text", "status", "expected"),
    [
        ("order", (), _COMMON),  # a prefix: order, orders, ordering
        ("order", ("open", "new"), _COMMON),  # the status seeks, merged
        ("where is my order", (), {t for t in _COMMON if int(t[2:]) % 2 == 0}),
        ("zebra", (), _RARE),
        ("zebra", ("pending",), _RARE),
        ("parcel order", (), set()),
    ],
)
def test_many_and_few_matches_page_alike(
    uow_factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    status: tuple[str, ...],
    expected: set[str],
) -> None:
    _seed_many(uow_factory)
    filters = TicketFilter(text=text, status=status)
    monkeypatch.setattr(repo_tickets, "TEXT_LIST_CAP", 10**6)  # always the list
    listed = _pages(uow_factory, filters)
    monkeypatch.setattr(repo_tickets, "TEXT_LIST_CAP", 2)  # all but "none" walk
    walked = _pages(uow_factory, filters)
    assert walked == listed  # the same rows, order and cursors
    assert [i for ids, _ in walked for i in ids] == _oracle(expected, status)


def test_a_common_word_walks_the_keyset_index(
    sql_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed_many(sql_db.uow)
    monkeypatch.setattr(repo_tickets, "TEXT_LIST_CAP", 5)  # 40 matches are many, 3 few

    def page_plan(text: str) -> str:
        with recorded(sql_db) as seen, sql_db.uow() as uow:
            uow.tickets.search(TicketFilter(text=text), limit=5)
        assert len(seen) == 2, seen  # the capped count, then the page
        return plan(sql_db, *seen[-1], bitmaps=True)

    common, rare = page_plan("order"), page_plan("zebra")
    if sql_db.engine.dialect.name == "sqlite":
        assert "SCAN tickets USING INDEX ix_tickets_created_at_id" in common, common
        assert "CORRELATED" in common and "TEMP B-TREE" not in common, common
        assert "SEARCH ticket_search USING INDEX" in common, common
        assert "LIST SUBQUERY" in rare and "ticket_fts" in rare, rare  # the list of matches
    else:
        assert "ix_keyset_tickets" in common and "SubPlan" in common, common  # per ticket
        assert "Sort" not in common.replace("Sort Key", ""), common
        assert "Seq Scan" not in common, common
        # the list of matches (which index reads it, on a few dozen rows, is the planner's)
        assert "SubPlan" not in rare, rare
