"""The storage contract for tickets, events and units of work: the in-memory fakes, SQLite and
PostgreSQL behave the same (each test runs on all three through `uow_factory`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from db_records import T0, at, customer, event, full_ticket, message, ticket

from tierdesk.domain.events import EventKind
from tierdesk.services.ports import DuplicateKey, TicketFilter, UnitOfWork

Factory = Callable[[], UnitOfWork]


def _seed(uow_factory: Factory, *tickets_: object) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        uow.customers.add(customer("c_2"))
        for t in tickets_:
            uow.tickets.add(t)  # type: ignore[arg-type]
        uow.commit()


def test_a_ticket_with_every_field_set_comes_back_equal(uow_factory: Factory) -> None:
    stored = full_ticket()
    _seed(uow_factory, stored)
    with uow_factory() as uow:
        loaded = uow.tickets.get(stored.id)
        locked = uow.tickets.get_for_update(stored.id)
    assert loaded == stored and locked == stored
    assert loaded is not None and loaded.refund_amount is not None
    assert str(loaded.refund_amount) == "1234.56"
    assert loaded.signals == ("refund_request", "angry")


def test_times_come_back_aware_utc_to_the_microsecond(uow_factory: Factory) -> None:
    _seed(uow_factory, ticket("t_1", sweep_at=at(1)))
    with uow_factory() as uow:
        loaded = uow.tickets.get("t_1")
    assert loaded is not None and loaded.sweep_at is not None
    for value in (loaded.created_at, loaded.sweep_at):
        assert value.utcoffset() == timedelta(0)
    assert loaded.created_at == T0 and loaded.created_at.microsecond == 123456


def test_an_unknown_ticket_is_none(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        assert uow.tickets.get("t_nope") is None
        assert uow.tickets.get_for_update("t_nope", skip_locked=True) is None
        assert uow.tickets.find_by_idempotency_key("nope") is None


@pytest.mark.parametrize(
    ("clash", "key"),
    [
        ({"id": "t_1"}, "tickets.id"),
        ({"idempotency_key": "k-1"}, "tickets.idempotency_key"),
        ({"channel_message_id": "<m@x>"}, "tickets.channel_message"),
    ],
)
def test_a_second_ticket_with_a_taken_key_is_a_duplicate_key(
    uow_factory: Factory, clash: dict[str, str], key: str
) -> None:
    _seed(uow_factory, ticket("t_1", idempotency_key="k-1", channel_message_id="<m@x>"))
    with uow_factory() as uow, pytest.raises(DuplicateKey) as err:
        uow.tickets.add(ticket("t_2", **{"id": "t_2", **clash}))
    assert err.value.key == key


def test_the_same_channel_message_id_on_another_channel_is_allowed(uow_factory: Factory) -> None:
    _seed(uow_factory, ticket("t_1", channel_message_id="m-1"))
    with uow_factory() as uow:
        uow.tickets.add(ticket("t_2", channel="line", channel_message_id="m-1"))
        uow.commit()
    with uow_factory() as uow:
        found = uow.tickets.find_by_channel_message("line", "m-1")
    assert found is not None and found.id == "t_2"


def test_work_before_a_duplicate_key_can_still_be_committed(uow_factory: Factory) -> None:
    _seed(uow_factory, ticket("t_1", idempotency_key="k-1"))
    with uow_factory() as uow:
        uow.tickets.add(ticket("t_2"))
        with pytest.raises(DuplicateKey):
            uow.tickets.add(ticket("t_3", idempotency_key="k-1"))
        uow.tickets.add(ticket("t_4"))
        uow.commit()
    with uow_factory() as uow:
        ids = [t.id for t in uow.tickets.search(TicketFilter()).items]
    assert sorted(ids) == ["t_1", "t_2", "t_4"]


def test_a_save_with_the_stored_version_replaces_the_row(uow_factory: Factory) -> None:
    _seed(uow_factory, ticket("t_1"))
    changed = replace(ticket("t_1"), version=2, status="open", sla_marks=("warning:x",))
    with uow_factory() as uow:
        assert uow.tickets.save(changed, expected_version=1) is True
        uow.commit()
    with uow_factory() as uow:
        assert uow.tickets.get("t_1") == changed


def test_a_stale_save_returns_false_and_writes_nothing(uow_factory: Factory) -> None:
    _seed(uow_factory, ticket("t_1", version=3))
    with uow_factory() as uow:
        assert uow.tickets.save(replace(ticket("t_1"), version=9, status="x"), 2) is False
        assert uow.tickets.save(replace(ticket("t_9"), version=2), 1) is False
        uow.commit()
    with uow_factory() as uow:
        assert uow.tickets.get("t_1") == ticket("t_1", version=3)
        assert uow.tickets.get("t_9") is None


def test_leaving_the_block_without_commit_discards_everything(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        uow.tickets.add(ticket("t_1"))
    with uow_factory() as uow:
        assert uow.tickets.get("t_1") is None and uow.customers.get("c_1") is None


def test_rollback_discards_only_the_work_since_the_last_commit(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        uow.commit()
        uow.tickets.add(ticket("t_1"))
        uow.rollback()
        uow.tickets.add(ticket("t_2"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.customers.get("c_1") is not None
        assert uow.tickets.get("t_1") is None and uow.tickets.get("t_2") is not None


def test_an_error_inside_the_block_discards_the_work(uow_factory: Factory) -> None:
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        raise RuntimeError("boom")
    with uow_factory() as uow:
        assert uow.customers.get("c_1") is None


def _paged(uow: UnitOfWork, f: TicketFilter, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = uow.tickets.search(f, limit=limit, cursor=cursor)
        pages.append([t.id for t in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_search_pages_newest_first_with_ties_broken_by_id(uow_factory: Factory) -> None:
    _seed(
        uow_factory,
        ticket("t_a", created_at=at(1)),
        ticket("t_b", created_at=at(2)),
        ticket("t_c", created_at=at(2)),
        ticket("t_d", created_at=at(3)),
        ticket("t_e", created_at=at(4)),
    )
    with uow_factory() as uow:
        pages = _paged(uow, TicketFilter(), limit=2)
    assert pages == [["t_e", "t_d"], ["t_c", "t_b"], ["t_a"]]


def test_search_filters_combine(uow_factory: Factory) -> None:
    _seed(
        uow_factory,
        ticket("t_1", status="open", priority="P1", subject="Refund 100% NOW", created_at=at(1)),
        ticket("t_2", status="open", priority="P3", subject="refund please", assignee_id="u_1"),
        ticket("t_3", status="closed", priority="P1", customer_id="c_2", created_at=at(5)),
    )
    cases = {
        TicketFilter(status=("open",)): ["t_1", "t_2"],
        TicketFilter(status=("open", "closed"), priority=("P1",)): ["t_3", "t_1"],
        TicketFilter(text="REFUND"): ["t_1", "t_2"],
        TicketFilter(text="100%"): ["t_1"],
        TicketFilter(text="_"): [],
        TicketFilter(assignee_id="u_1"): ["t_2"],
        TicketFilter(customer_id="c_2"): ["t_3"],
        TicketFilter(created_from=at(1), created_to=at(5)): ["t_1"],
    }
    with uow_factory() as uow:
        found = {f: [t.id for t in uow.tickets.search(f).items] for f in cases}
    assert found == cases


def test_a_cursor_that_is_not_ours_is_refused(uow_factory: Factory) -> None:
    with uow_factory() as uow, pytest.raises(ValueError, match="cursor"):
        uow.tickets.search(TicketFilter(), cursor="not-a-cursor")


def test_due_for_sweep_lists_earliest_first_up_to_the_limit(uow_factory: Factory) -> None:
    _seed(
        uow_factory,
        ticket("t_late", sweep_at=at(10)),
        ticket("t_early", sweep_at=at(5)),
        ticket("t_never"),
        ticket("t_future", sweep_at=at(60)),
        ticket("t_now", sweep_at=at(20)),
    )
    with uow_factory() as uow:
        assert uow.tickets.due_for_sweep(at(20), limit=10) == ["t_early", "t_late", "t_now"]
        assert uow.tickets.due_for_sweep(at(20), limit=2) == ["t_early", "t_late"]


def test_sweep_active_by_brings_every_open_tickets_look_forward_and_no_other(
    uow_factory: Factory,
) -> None:
    _seed(
        uow_factory,
        ticket("t_new", status="new", sweep_at=at(60)),
        ticket("t_open", status="open"),  # no look planned (a paused or unclocked ticket)
        ticket("t_pending", status="pending_customer", sweep_at=at(90)),
        ticket("t_soon", status="open", sweep_at=at(5)),  # already earlier: kept
        ticket("t_done", status="resolved", sweep_at=None),
        ticket("t_closed", status="closed", sweep_at=None),
    )
    with uow_factory() as uow:
        changed = uow.tickets.sweep_active_by(at(10))
        uow.commit()
    with uow_factory() as uow:
        looks = {t.id: (t.sweep_at, t.version) for t in uow.tickets.search(TicketFilter()).items}
        due = uow.tickets.due_for_sweep(at(10), limit=10)
    assert changed == 3
    assert looks == {
        "t_new": (at(10), 1), "t_open": (at(10), 1), "t_pending": (at(10), 1),
        "t_soon": (at(5), 1), "t_done": (None, 1), "t_closed": (None, 1),
    }  # fmt: skip
    assert due == ["t_soon", "t_new", "t_open", "t_pending"]


def test_recent_for_customers_lists_their_tickets_since_oldest_first(
    uow_factory: Factory,
) -> None:
    _seed(
        uow_factory,
        ticket("t_old", created_at=at(-60)),
        ticket("t_2", created_at=at(10)),
        ticket("t_1", customer_id="c_2", created_at=at(5)),
        ticket("t_x", customer_id="c_2", created_at=at(-1)),
    )
    with uow_factory() as uow:
        found = uow.tickets.recent_for_customers(["c_1", "c_2"], since=at(0))
        assert uow.tickets.recent_for_customers([], since=at(0)) == []
    assert [t.id for t in found] == ["t_1", "t_2"]


def test_events_come_back_in_seq_order_and_a_repeated_seq_is_refused(
    uow_factory: Factory,
) -> None:
    _seed(uow_factory, ticket("t_1"))
    events = [event("t_1", 1, EventKind.OPENED), event("t_1", 2), event("t_1", 3)]
    with uow_factory() as uow:
        uow.events.append([events[2], events[0]])
        uow.events.append([events[1]])
        uow.commit()
    with uow_factory() as uow:
        assert uow.events.for_ticket("t_1") == events
        assert uow.events.for_ticket("t_9") == []
        with pytest.raises(DuplicateKey) as err:
            uow.events.append([event("t_1", 2)])
        with pytest.raises(DuplicateKey) as in_batch:
            uow.events.append([event("t_1", 4), event("t_1", 3)])
    assert err.value.key == in_batch.value.key == "ticket_events.seq"
    assert events[0].at.tzinfo == UTC


def test_events_of_many_tickets_come_back_per_ticket_in_seq_order(uow_factory: Factory) -> None:
    _seed(uow_factory, ticket("t_1"), ticket("t_2", "c_2"))
    first = [event("t_1", 1, EventKind.OPENED), event("t_1", 2)]
    second = [event("t_2", 1, EventKind.OPENED), event("t_2", 2), event("t_2", 3)]
    with uow_factory() as uow:
        uow.events.append([second[2], first[1], second[0], first[0], second[1]])
        uow.commit()
    with uow_factory() as uow:
        got = uow.events.for_tickets(["t_2", "t_1", "t_9"])
        assert got == {"t_1": first, "t_2": second, "t_9": []}
        assert uow.events.for_tickets([]) == {}


def test_customers_are_read_many_at_once_by_id(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        got = uow.customers.get_many(["c_2", "c_1", "c_9", "c_1"])
        assert got == {"c_1": uow.customers.get("c_1"), "c_2": uow.customers.get("c_2")}
        assert uow.customers.get_many([]) == {}


def test_customer_names_are_read_many_at_once_by_id(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        got = uow.customers.names(["c_2", "c_1", "c_9", "c_1"])
        full = uow.customers.get_many(["c_1", "c_2"])
        assert got == {"c_1": full["c_1"].name, "c_2": full["c_2"].name}
        assert uow.customers.names([]) == {}


def test_messages_are_listed_oldest_first_and_found_by_channel_id(uow_factory: Factory) -> None:
    _seed(uow_factory, ticket("t_1"))
    with uow_factory() as uow:
        uow.messages.add(message("m_2", created_at=at(2), kind="reply", author_id="u_1"))
        uow.messages.add(message("m_1", created_at=at(1), channel_message_id="<a@x>"))
        uow.messages.add(message("m_3", created_at=at(2), kind="note"))
        uow.commit()
    with uow_factory() as uow:
        assert [m.id for m in uow.messages.for_ticket("t_1")] == ["m_1", "m_2", "m_3"]
        assert uow.messages.find_by_channel_message("email", "<a@x>") == message(
            "m_1", created_at=at(1), channel_message_id="<a@x>"
        )
        with pytest.raises(DuplicateKey) as err:
            uow.messages.add(message("m_4", channel_message_id="<a@x>"))
    assert err.value.key == "messages.channel"
