"""Finding customers: by name, email, phone (however written) or LINE id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import ORDER, Desk

from tierdesk.services.customers import (
    Contact,
    add_identity,
    merge_customers,
    search_customers,
)
from tierdesk.services.errors import InvalidInput
from tierdesk.services.tickets import open_ticket


def _customer(desk: Desk, kind: str, value: str, name: str) -> str:
    desk.clock.advance(timedelta(minutes=1))  # newest first: each one a minute later
    opened = open_ticket(desk.env, channel="email", text=ORDER, contact=Contact(kind, value, name))
    return opened.ticket.customer_id


def _ids(desk: Desk, text: str | None, **kw: object) -> list[str]:
    page = search_customers(desk.env, actor_id=desk.user["agent_l1"], text=text, **kw)  # type: ignore[arg-type]
    return [view.customer.id for view in page.items]


def test_a_phone_number_is_found_however_it_is_written(desk: Desk) -> None:
    kai = _customer(desk, "phone", "0912 345 678", "Kai")
    _customer(desk, "email", "mei@example.com", "Mei")
    for written in ("0912-345-678", "(0912) 345 678", "0912345678", "345-678"):
        assert _ids(desk, written) == [kai], written


def test_each_customer_comes_with_all_its_identities_and_merged_ones_are_left_out(
    desk: Desk,
) -> None:
    mei = _customer(desk, "email", "mei@example.com", "Mei Chen")
    add_identity(
        desk.env, customer_id=mei, kind="line", value="Umei01", actor_id=desk.user["agent_l1"]
    )
    old = _customer(desk, "email", "mei.chen@example.org", "Mei C.")
    merge_customers(desk.env, source_id=old, target_id=mei, actor_id=desk.user["agent_l1"])
    page = search_customers(desk.env, actor_id=desk.user["qa"], text="  mei ")
    [view] = page.items
    assert view.customer.id == mei and page.next_cursor is None
    assert sorted(i.value for i in view.identities) == [
        "Umei01",
        "mei.chen@example.org",
        "mei@example.com",
    ]


def test_pages_follow_the_cursor_newest_first(desk: Desk) -> None:
    made = [_customer(desk, "email", f"c{n}@example.com", f"C {n}") for n in range(5)]
    first = search_customers(desk.env, actor_id=desk.user["agent_l1"], limit=2)
    second = search_customers(
        desk.env, actor_id=desk.user["agent_l1"], limit=2, cursor=first.next_cursor
    )
    last = search_customers(
        desk.env, actor_id=desk.user["agent_l1"], limit=2, cursor=second.next_cursor
    )
    pages = [first, second, last]
    assert [v.customer.id for p in pages for v in p.items] == made[::-1]
    assert last.next_cursor is None


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"cursor": "x"}, "cursor")],
)
def test_a_bad_limit_or_cursor_is_refused_naming_it(
    desk: Desk, kw: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        _ids(desk, None, **kw)
    assert err.value.data["field"] == field
