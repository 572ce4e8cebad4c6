"""Staff notices and incidents: the repository contracts on the in-memory fakes, SQLite and
PostgreSQL alike, and the notice service (folding, quiet hours) on each store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from db_desk import START, make_store_desk
from db_records import T0, at, customer, ticket, user

from tierdesk.domain.notify_rules import NoticeEvent
from tierdesk.policy import rulebook
from tierdesk.services import incidents, staff_notices
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.ports import (
    DuplicateKey,
    IncidentEntryRecord,
    IncidentRecord,
    IncidentTicketRecord,
    NoticeRecord,
    NoticeSettingsRecord,
    UnitOfWork,
)
from tierdesk.services.sweep import sweep

Factory = Callable[[], UnitOfWork]


def _notice(notice_id: str, user_id: str = "u_1", **kw: object) -> NoticeRecord:
    values: dict[str, object] = {
        "id": notice_id,
        "user_id": user_id,
        "kind": "sla_warning",
        "text": "SLA warning on t_1",
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(kw)
    return NoticeRecord(**values)  # type: ignore[arg-type]


def _seed(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.users.add(user("u_1", "mei"))
        uow.users.add(user("u_2", "kai"))
        uow.customers.add(customer("c_1"))
        uow.tickets.add(ticket("t_1"))
        uow.tickets.add(ticket("t_2"))
        uow.commit()


def test_notices_round_trip_latest_first_with_unread_counts(uow_factory: Factory) -> None:
    _seed(uow_factory)
    full = _notice(
        "n_b",
        ticket_id="t_1",
        link="/tickets/t_1",
        rule_ids=("N-SLA-1", "N-PRI-1"),
        count=3,
        urgent=True,
        updated_at=at(5),
        deliver_at=at(6),
        delivered_at=at(7),
        ref="t_1:4",
        text="案件 t_1 SLA 即將到期",
    )
    with uow_factory() as uow:
        uow.notices.add(_notice("n_a", updated_at=at(1)))
        uow.notices.add(full)
        uow.notices.add(_notice("n_c", updated_at=at(3), read_at=at(4)))
        uow.notices.add(_notice("n_other", user_id="u_2"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.notices.get("n_b") == full
        assert uow.notices.get("n_missing") is None
        assert [n.id for n in uow.notices.for_user("u_1")] == ["n_b", "n_c", "n_a"]
        assert [n.id for n in uow.notices.for_user("u_1", unread_only=True)] == ["n_b", "n_a"]
        assert [n.id for n in uow.notices.for_user("u_1", limit=1)] == ["n_b"]
        assert uow.notices.unread_count("u_1") == 2
        assert uow.notices.unread_count("u_nobody") == 0


def test_a_notice_ref_is_unique_per_user(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.notices.add(_notice("n_a", ref="t_1:2"))
        uow.notices.add(_notice("n_b", user_id="u_2", ref="t_1:2"))  # another user: fine
        uow.notices.add(_notice("n_c"))  # no ref: never clashes
        uow.notices.add(_notice("n_d"))
        with pytest.raises(DuplicateKey) as clash:
            uow.notices.add(_notice("n_e", ref="t_1:2"))
        uow.commit()
    assert clash.value.key == "notices.ref"
    with uow_factory() as uow:
        assert uow.notices.get("n_e") is None


def test_open_about_finds_the_newest_unread_notice_of_a_ticket_since(
    uow_factory: Factory,
) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.notices.add(_notice("n_old", ticket_id="t_1", updated_at=at(1)))
        uow.notices.add(_notice("n_new", ticket_id="t_1", updated_at=at(10)))
        uow.notices.add(_notice("n_read", ticket_id="t_1", updated_at=at(20), read_at=at(21)))
        uow.notices.add(_notice("n_t2", ticket_id="t_2", updated_at=at(30)))
        uow.notices.add(_notice("n_u2", user_id="u_2", ticket_id="t_1", updated_at=at(30)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.notices.open_about("u_1", "t_1", at(0)).id == "n_new"  # type: ignore[union-attr]
        assert uow.notices.open_about("u_1", "t_1", at(10)).id == "n_new"  # type: ignore[union-attr]
        assert uow.notices.open_about("u_1", "t_1", at(11)) is None


def test_mark_read_marks_only_the_users_unread_notices(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        for notice_id in ("n_a", "n_b", "n_c"):
            uow.notices.add(_notice(notice_id))
        uow.notices.add(_notice("n_u2", user_id="u_2"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.notices.mark_read("u_1", ["n_a", "n_u2"], at(1)) == 1
        assert uow.notices.mark_read("u_1", [], at(1)) == 0
        assert uow.notices.mark_read("u_1", None, at(2)) == 2
        assert uow.notices.mark_read("u_1", None, at(3)) == 0
        uow.commit()
    with uow_factory() as uow:
        assert uow.notices.get("n_a").read_at == at(1)  # type: ignore[union-attr]
        assert uow.notices.get("n_b").read_at == at(2)  # type: ignore[union-attr]
        assert uow.notices.get("n_u2").read_at is None  # type: ignore[union-attr]


def test_due_for_delivery_and_save(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.notices.add(_notice("n_late", deliver_at=at(9)))
        uow.notices.add(_notice("n_soon", deliver_at=at(2)))
        uow.notices.add(_notice("n_sent", deliver_at=at(1), delivered_at=at(1)))
        uow.notices.add(_notice("n_console"))
        uow.commit()
    with uow_factory() as uow:
        assert [n.id for n in uow.notices.due_for_delivery(at(9), 10)] == ["n_soon", "n_late"]
        assert [n.id for n in uow.notices.due_for_delivery(at(5), 10)] == ["n_soon"]
        assert [n.id for n in uow.notices.due_for_delivery(at(9), 1)] == ["n_soon"]
        soon = uow.notices.get("n_soon")
        assert soon is not None
        uow.notices.save(replace(soon, delivered_at=at(3), count=2, text="folded"))
        uow.commit()
    with uow_factory() as uow:
        assert [n.id for n in uow.notices.due_for_delivery(at(9), 10)] == ["n_late"]
        assert uow.notices.get("n_soon") == replace(
            soon, delivered_at=at(3), count=2, text="folded"
        )


def test_settings_are_inserted_then_replaced(uow_factory: Factory) -> None:
    _seed(uow_factory)
    first = NoticeSettingsRecord("u_1", ("email", "line"), "mei@x.example", "U1", "22:00", "07:00")
    with uow_factory() as uow:
        assert uow.notices.settings("u_1") is None
        uow.notices.save_settings(first)
        uow.commit()
    second = replace(first, channels=(), quiet_start=None, timezone="Asia/Taipei", updated_at=T0)
    with uow_factory() as uow:
        assert uow.notices.settings("u_1") == first
        uow.notices.save_settings(second)
        uow.commit()
    with uow_factory() as uow:
        assert uow.notices.settings("u_1") == second
        assert uow.notices.settings("u_2") is None


def _incident(incident_id: str, **kw: object) -> IncidentRecord:
    values: dict[str, object] = {
        "id": incident_id,
        "title": "Checkout down",
        "description": "502 on checkout",
        "severity": "P1",
        "kind": "outage",
        "status": "open",
        "created_at": T0,
        "created_by": "u_1",
    }
    values.update(kw)
    return IncidentRecord(**values)  # type: ignore[arg-type]


def test_incidents_link_tickets_and_keep_a_timeline(uow_factory: Factory) -> None:
    _seed(uow_factory)
    resolved = _incident(
        "inc_b",
        created_at=at(5),
        status="resolved",
        resolved_at=at(9),
        resolved_by="u_2",
        resolution="Rolled back",
    )
    with uow_factory() as uow:
        uow.incidents.add(_incident("inc_a"))
        uow.incidents.add(resolved)
        assert uow.incidents.link(IncidentTicketRecord("inc_a", "t_2", at(1), "u_1"))
        assert uow.incidents.link(IncidentTicketRecord("inc_a", "t_1", at(2), "u_1"))
        assert not uow.incidents.link(IncidentTicketRecord("inc_a", "t_1", at(3), "u_2"))
        assert uow.incidents.link(IncidentTicketRecord("inc_b", "t_1", at(6), "u_2"))
        uow.incidents.add_entry(IncidentEntryRecord("e_2", "inc_a", at(1), "u_1", "linked"))
        uow.incidents.add_entry(
            IncidentEntryRecord("e_1", "inc_a", at(1), "u_1", "notified", "", {"users": ["fay"]})
        )
        uow.incidents.add_entry(IncidentEntryRecord("e_0", "inc_a", at(0), "u_1", "opened", "x"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.get("inc_b") == resolved
        assert uow.incidents.get("inc_none") is None
        assert [i.id for i in uow.incidents.search()] == ["inc_b", "inc_a"]
        assert [i.id for i in uow.incidents.search("open")] == ["inc_a"]
        links = uow.incidents.tickets("inc_a")
        assert [(r.ticket_id, r.linked_by) for r in links] == [("t_2", "u_1"), ("t_1", "u_1")]
        assert uow.incidents.for_ticket("t_1") == ["inc_a", "inc_b"]
        timeline = uow.incidents.timeline("inc_a")
        assert [e.id for e in timeline] == ["e_0", "e_2", "e_1"]  # by time, then insertion
        assert timeline[2].data == {"users": ["fay"]}
        assert uow.incidents.unlink("inc_a", "t_2")
        assert not uow.incidents.unlink("inc_a", "t_2")
        uow.incidents.save(replace(_incident("inc_a"), status="resolved"))
        uow.commit()
    with uow_factory() as uow:
        assert [r.ticket_id for r in uow.incidents.tickets("inc_a")] == ["t_1"]
        assert uow.incidents.get("inc_a").status == "resolved"  # type: ignore[union-attr]


def test_notices_fold_and_wait_for_quiet_hours_on_each_store(uow_factory: Factory) -> None:
    """The service on the real store: two warnings fold into one, held until quiet hours end."""
    clock = FakeClock(at(0))  # 10:00 Taipei; quiet 09:00-11:00
    env = Env(uow=uow_factory, clock=clock, rules=rulebook(preset="cs-sop"))
    with uow_factory() as uow:
        uow.users.add(replace(user("u_lead", "lead", "team_lead"), email="lead@x.example"))
        uow.customers.add(customer("c_1"))
        uow.tickets.add(ticket("t_1"))
        uow.commit()
    staff_notices.set_settings(
        env, "u_lead", channels=["email"], quiet_start="09:00", quiet_end="11:00"
    )
    for seq in (1, 2):
        with uow_factory() as uow:
            event = NoticeEvent("sla_warning", clock.now(), f"t_1:{seq}", ticket_id="t_1")
            staff_notices.record(uow, env, [event])
            uow.commit()
        clock.advance(timedelta(minutes=5))
    [notice], unread = staff_notices.for_user(env, "u_lead")
    assert (notice.count, unread, notice.delivered_at) == (2, 1, None)
    assert staff_notices.deliver_due(env, at(59)) == 0
    assert staff_notices.deliver_due(env, at(60)) == 1
    with uow_factory() as uow:
        sent = uow.notices.get(notice.id)
        assert sent is not None and sent.delivered_at == at(60)
        assert uow.notices.due_for_delivery(at(120), 10) == []


OUTAGE = "Your whole service is down, outage since this morning"


def test_who_is_told_by_intake_the_sweeper_and_an_incident_on_each_store(
    uow_factory: Factory,
) -> None:
    """The preset's rules end to end: a P1 intake tells the manager (urgent, by email at
    once), its SLA warning the team lead, its breach the supervisor; an incident resolved
    replies to its ticket."""
    desk = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    manager, lead, sup = (desk.user[r] for r in ("manager", "team_lead", "supervisor"))
    staff_notices.set_settings(
        desk.env, manager, channels=["email"], email="fay@desk.example",
        quiet_start="00:00", quiet_end="23:59", timezone="Asia/Taipei",
    )  # fmt: skip
    ticket = desk.open(OUTAGE)
    [told] = staff_notices.for_user(desk.env, manager)[0]
    assert (told.kind, told.urgent, told.delivered_at) == ("ticket_priority", True, START)
    desk.clock.advance(timedelta(minutes=12))
    sweep(desk.env)
    assert [n.kind for n in staff_notices.for_user(desk.env, lead)[0]] == ["sla_warning"]
    desk.clock.advance(timedelta(minutes=4))
    sweep(desk.env)
    assert [n.kind for n in staff_notices.for_user(desk.env, sup)[0]] == ["sla_breach"]
    view = incidents.declare(
        desk.env, actor_id=desk.user["agent_l3"], title="Down", severity="P1",
        ticket_ids=[ticket.id],
    )  # fmt: skip
    assert sorted(view.timeline[-1].data["users"]) == ["manager", "supervisor"]
    done = incidents.resolve(
        desk.env, incident_id=view.incident.id, actor_id=sup, resolution="fixed the database"
    )
    assert done.replied == [ticket.id]
    assert any("fixed the database" in m.payload["text"] for m in desk.outbox(ticket.id, "reply"))
