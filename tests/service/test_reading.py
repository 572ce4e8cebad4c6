"""Reading tickets: one with everything about it, lists with filters and cursor paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import ORDER, OUTAGE, Desk

from tierdesk.services.errors import Forbidden, InvalidInput
from tierdesk.services.queries import get_ticket, list_tickets
from tierdesk.services.records import TicketFilter
from tierdesk.services.users import update_user


def test_a_ticket_is_read_with_messages_events_and_clocks(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    view = get_ticket(desk.env, ticket.id, actor_id=desk.user["qa"])
    assert [m.body for m in view.messages] == [OUTAGE]
    assert view.events[0].kind == "opened"
    assert {c.clock for c in view.clocks} == {"first_response", "resolution"}
    assert [m.kind for m in view.outbox] == ["receipt"]


def test_pages_follow_the_cursor_newest_first_without_gaps_or_repeats(desk: Desk) -> None:
    opened = []
    for i in range(7):
        opened.append(desk.open(ORDER, email=f"c{i}@example.com").id)
        desk.clock.advance(timedelta(minutes=1))
    desk.open(OUTAGE)
    seen: list[str] = []
    cursor = None
    while True:
        page = list_tickets(
            desk.env,
            TicketFilter(category=("order_status",)),
            actor_id=desk.user["agent_l1"],
            limit=3,
            cursor=cursor,
        )
        seen.extend(t.id for t in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(reversed(opened))


def test_a_bad_cursor_or_limit_is_refused_and_roles_are_checked(desk: Desk) -> None:
    with pytest.raises(InvalidInput) as err:
        list_tickets(desk.env, TicketFilter(), actor_id=desk.user["qa"], cursor="!!")
    assert err.value.data["field"] == "cursor"
    with pytest.raises(InvalidInput):
        list_tickets(desk.env, TicketFilter(), actor_id=desk.user["qa"], limit=0)
    update_user(desk.env, user_id=desk.user["qa"], actor_id=desk.user["admin"], active=False)
    with pytest.raises(Forbidden):
        list_tickets(desk.env, TicketFilter(), actor_id=desk.user["qa"])
