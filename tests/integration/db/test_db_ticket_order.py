"""The ticket list's orders across pages (issue 11), the same on the in-memory fakes, SQLite and
PostgreSQL: several statuses merged newest first, the due order (due_at, id; no due time last),
the warning order (due_warn_at, id) and "breaching soon" (due_warn_at by a time), each paged
with its cursor."""

from __future__ import annotations

from collections.abc import Callable

from db_records import at, customer, ticket

from tierdesk.services.ports import TicketFilter, UnitOfWork

Factory = Callable[[], UnitOfWork]
ACTIVE = ("new", "open", "pending_customer")


def _seed(uow_factory: Factory) -> None:
    """Seven tickets over three statuses and one resolved: due times out of creation order,
    a tie on due_at broken by id, and three without a due time."""
    rows = [
        # id, status, created (min), due (min), warns (min)
        ("t_a", "new", 1, 50, 40),
        ("t_b", "open", 2, 10, 5),
        ("t_c", "pending_customer", 3, None, None),
        ("t_d", "new", 4, 30, 20),
        ("t_e", "open", 5, 30, 15),  # warns before t_d, is due after it
        ("t_f", "new", 6, None, None),
        ("t_g", "open", 7, None, None),
        ("t_h", "resolved", 8, None, None),
    ]
    with uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        for tid, status, created, due, warns in rows:
            uow.tickets.add(
                ticket(
                    tid,
                    status=status,
                    created_at=at(created),
                    due_at=at(due) if due is not None else None,
                    due_warn_at=at(warns) if warns is not None else None,
                )
            )
        uow.commit()


def _paged(uow: UnitOfWork, f: TicketFilter, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = uow.tickets.search(f, limit=limit, cursor=cursor)
        pages.append([t.id for t in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_several_statuses_page_newest_first_across_them(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        pages = _paged(uow, TicketFilter(status=ACTIVE), limit=3)
    assert pages == [["t_g", "t_f", "t_e"], ["t_d", "t_c", "t_b"], ["t_a"]]


def test_the_due_order_runs_across_pages_with_no_due_time_last(uow_factory: Factory) -> None:
    _seed(uow_factory)
    by_due = TicketFilter(status=ACTIVE, order="due")
    with uow_factory() as uow:
        for limit, expected in (
            (2, [["t_b", "t_d"], ["t_e", "t_a"], ["t_c", "t_f"], ["t_g"]]),
            (3, [["t_b", "t_d", "t_e"], ["t_a", "t_c", "t_f"], ["t_g"]]),
            (10, [["t_b", "t_d", "t_e", "t_a", "t_c", "t_f", "t_g"]]),
        ):
            assert _paged(uow, by_due, limit) == expected, limit
        # every status when none is named (the resolved one has no due time: last)
        everything = _paged(uow, TicketFilter(order="due"), limit=4)
        assert everything == [["t_b", "t_d", "t_e", "t_a"], ["t_c", "t_f", "t_g", "t_h"]]
        one = _paged(uow, TicketFilter(status=("open",), order="due"), limit=1)
        assert one == [["t_b"], ["t_e"], ["t_g"]]


def test_breaching_soon_is_a_warning_by_the_time_given(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        soon = TicketFilter(status=ACTIVE, order="due", warned_by=at(25))
        assert _paged(uow, soon, limit=1) == [["t_b"], ["t_d"], ["t_e"]]
        first_warned = TicketFilter(status=ACTIVE, order="warned", warned_by=at(25))
        assert _paged(uow, first_warned, limit=2) == [["t_b", "t_e"], ["t_d"]]
        warned = TicketFilter(status=ACTIVE, order="warned")  # no warning time last
        expected = [["t_b", "t_e", "t_d"], ["t_a", "t_c", "t_f"], ["t_g"]]
        assert _paged(uow, warned, limit=3) == expected
        newest = TicketFilter(status=ACTIVE, warned_by=at(25))
        assert _paged(uow, newest, limit=2) == [["t_e", "t_d"], ["t_b"]]
        assert _paged(uow, TicketFilter(warned_by=at(4)), limit=5) == [[]]
