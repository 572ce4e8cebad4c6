"""Per-channel first-response targets (R-SLA-4) on every store: the cs-sop preset gives LINE
5 minutes of business time. A LINE ticket's receipt names the earlier due time, the sweeper
warns and breaches on it, and the metrics' per-channel breakdown measures against it.

Times are Taipei local (UTC+8); START is Tuesday 4 March 2025 10:00, a working day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from db_desk import ORDER, StoreDesk, make_store_desk

from tierdesk import analytics, bootstrap
from tierdesk.policy import rulebook
from tierdesk.services import conversation
from tierdesk.services.customers import Contact
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.sweep import sweep
from tierdesk.services.tickets import open_ticket

TAIPEI = ZoneInfo("Asia/Taipei")
MIN = timedelta(minutes=1)


def taipei(hour: int, minute: int = 0, day: int = 4) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TAIPEI).astimezone(UTC)


@pytest.fixture
def desk(uow_factory: Callable[[], UnitOfWork]) -> StoreDesk:
    made = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    store = getattr(uow_factory, "__self__", None)
    made.env = replace(made.env, store=store)
    return made


def open_on(desk: StoreDesk, channel: str, who: str) -> str:
    contact = (
        Contact("line", "U" + who * 32, name=who)
        if channel == "line"
        else Contact("email", f"{who}@example.com", name=who)
    )
    return open_ticket(desk.env, channel=channel, text=ORDER, contact=contact).ticket.id


def sla_events(desk: StoreDesk, ticket_id: str) -> list[tuple[str, object]]:
    return [
        (e.kind.value, e.get("mark")) for e in desk.events(ticket_id) if e.kind.startswith("sla_")
    ]


@pytest.mark.rule("R-SLA-4")
def test_a_line_ticket_is_held_to_five_business_minutes(desk: StoreDesk) -> None:
    line = open_on(desk, "line", "a")  # order status: P3, 4 h on business hours
    email = open_on(desk, "email", "b")
    [receipt] = desk.outbox(line, "receipt")
    assert "10:05" in receipt.payload["text"]  # the channel's due time, not 14:00's
    [other] = desk.outbox(email, "receipt")
    assert "10:05" not in other.payload["text"]
    desk.clock.set(taipei(10, 4))
    assert sweep(desk.env).warnings == 1  # 80% of 5 minutes
    desk.clock.set(taipei(10, 6))
    assert sweep(desk.env).breaches == 1
    assert sla_events(desk, line) == [
        ("sla_warning", "warning:first_response"),
        ("sla_breached", "breach:first_response"),
    ]
    assert sla_events(desk, email) == []
    [breach] = [e for e in desk.events(line) if e.kind == "sla_breached"]
    assert breach.get("due_at") == taipei(10, 5).isoformat()
    assert "line channel's target" in breach.reason
    assert breach.get("basis") == "line"
    desk.clock.set(taipei(15, 1))  # 4 business hours, lunch left out
    sweep(desk.env)  # the email ticket's 4 h are up; the LINE one is not breached twice
    assert [k for k, _ in sla_events(desk, email)] == ["sla_breached"]
    assert len(sla_events(desk, line)) == 2


@pytest.mark.rule("R-SLA-4")
def test_a_line_ticket_opened_after_hours_is_due_next_morning(desk: StoreDesk) -> None:
    desk.clock.set(taipei(17, 58))
    line = open_on(desk, "line", "c")
    desk.clock.set(taipei(22))
    assert sweep(desk.env).breaches == 0
    desk.clock.set(taipei(9, 2, day=5))
    assert sweep(desk.env).warnings == 1  # 2 min Tuesday + 2 min Wednesday morning
    desk.clock.set(taipei(9, 4, day=5))
    assert sweep(desk.env).breaches == 1
    [breach] = [e for e in desk.events(line) if e.kind == "sla_breached"]
    assert breach.get("due_at") == taipei(9, 3, day=5).isoformat()


@pytest.mark.rule("R-SLA-4")
def test_the_per_channel_breakdown_measures_line_against_its_own_target(desk: StoreDesk) -> None:
    agent = desk.user["team_lead"]
    fast, slow, mail = (
        open_on(desk, "line", "d"),
        open_on(desk, "line", "e"),
        open_on(desk, "email", "f"),
    )
    for ticket_id, minutes in ((fast, 4), (slow, 30), (mail, 30)):
        desk.clock.set(taipei(10) + minutes * MIN)
        conversation.reply(desk.env, ticket_id=ticket_id, actor_id=agent, body="On its way.")
    desk.clock.set(taipei(12))
    report = bootstrap.measure(desk.env, analytics.Scope(taipei(0), taipei(0, day=5)))
    by = {c.channel: c for c in report.channels}
    assert (by["line"].tickets, by["line"].met, by["line"].breached) == (2, 1, 1)
    assert by["line"].channel_target == 300
    assert by["line"].first_response_mean == pytest.approx((240 + 1800) / 2)
    assert (by["email"].met, by["email"].breached, by["email"].channel_target) == (1, 0, None)
