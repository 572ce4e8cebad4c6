"""The console's queue (services.worklist.queue) on the fakes: the clock each row shows comes
from what the ticket stores (due_at, due_warn_at, due_clock, due_calendar) and says what the
events say; sort by due and "breaching soon" hold across pages (issue 11)."""

from __future__ import annotations

from datetime import timedelta

from service_desk import OUTAGE, Desk

from tierdesk.domain.state import ACTIVE_STATUSES
from tierdesk.services import clocks, conversation, worklist
from tierdesk.services.records import TicketFilter, TicketRecord
from tierdesk.services.unit import to_state

ACTIVE = TicketFilter(status=tuple(sorted(str(s) for s in ACTIVE_STATUSES)))


def _from_events(desk: Desk, t: TicketRecord) -> clocks.ShownClock | None:
    now = desk.clock.now()
    views = clocks.views(desk.env.rules, to_state(t), desk.events(t.id), now)
    urgent = worklist.most_urgent(views)
    return clocks.shown(urgent) if urgent is not None else None


def _ids(page: worklist.QueuePage) -> list[str]:
    return [r.ticket.id for r in page.rows]


def test_the_stored_clock_says_what_the_events_say_as_time_passes(desk: Desk) -> None:
    order = desk.open()  # P3, business hours
    outage = desk.open(OUTAGE, "ops@example.com")  # P1
    replied = desk.open("Where is my parcel #77? Still nothing.", "kai@example.com")
    conversation.reply(
        desk.env, ticket_id=replied.id, actor_id=desk.user["agent_l1"], body="Looking now."
    )
    assert desk.ticket(replied.id).due_clock == "resolution"  # the reply stopped the first
    lead = desk.user["team_lead"]
    # through warnings, breaches, the end of the working day and a weekend
    for step in (0, 0.5, 1, 2, 3.5, 6, 9, 16, 30, 72, 100, 200):
        page = worklist.queue(desk.env, ACTIVE, actor_id=lead, limit=50)
        shown = {r.ticket.id: r.due for r in page.rows}
        for t in (order, outage, replied):
            assert shown[t.id] == _from_events(desk, desk.ticket(t.id)), (step, t.id)
        desk.clock.advance(timedelta(hours=step))
    states = {clock.state for t in (order, outage, replied) if (clock := shown[t.id])}
    assert "breached" in states


def test_a_paused_ticket_reads_its_events_and_shows_paused(desk: Desk) -> None:
    t = desk.open()
    conversation.set_pending(
        desk.env, ticket_id=t.id, actor_id=desk.user["agent_l1"], reason="order number?"
    )
    assert desk.ticket(t.id).due_at is None  # a paused clock's due time moves with now
    desk.clock.advance(timedelta(hours=2))
    page = worklist.queue(desk.env, ACTIVE, actor_id=desk.user["team_lead"])
    (row,) = page.rows
    assert row.due is not None and row.due.paused and row.due.state == "paused"
    assert row.due == _from_events(desk, desk.ticket(t.id))


def test_due_first_and_breaching_soon_hold_across_pages(desk: Desk) -> None:
    lead = desk.user["team_lead"]
    slow = [desk.open(email=f"c{i}@example.com") for i in range(3)]  # P3
    urgent = desk.open(OUTAGE, "ops@example.com")  # P1: due first, created last
    paused = desk.open(email="p@example.com")
    conversation.set_pending(
        desk.env, ticket_id=paused.id, actor_id=desk.user["agent_l1"], reason="which order?"
    )
    pages, cursor = [], None
    while True:
        page = worklist.queue(desk.env, ACTIVE, actor_id=lead, limit=2, cursor=cursor, by_due=True)
        pages.append(_ids(page))
        cursor = page.next_cursor
        if cursor is None:
            break
    flat = [tid for p in pages for tid in p]
    assert flat == [urgent.id, *sorted(t.id for t in slow), paused.id]  # P3 ties: by id
    assert [len(p) for p in pages] == [2, 2, 1]
    # Past the P1 warning only the outage is breaching soon, on every page size.
    outage = desk.ticket(urgent.id)
    assert outage.due_warn_at is not None
    desk.clock.set(outage.due_warn_at + timedelta(minutes=1))
    for by_due in (False, True):
        risky = worklist.queue(
            desk.env, ACTIVE, actor_id=lead, limit=1, at_risk=True, by_due=by_due
        )
        assert _ids(risky) == [urgent.id] and risky.next_cursor is None
        assert risky.rows[0].due is not None and risky.rows[0].due.state == "warning"
    # the names the bulk "assign to" lists come with the page, from the same read
    agents = worklist.queue(desk.env, ACTIVE, actor_id=lead).agents
    assert agents == tuple(worklist.assignees(desk.env)) and agents
