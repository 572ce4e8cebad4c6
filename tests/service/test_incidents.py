"""Incidents on the in-memory store: declared with notices, tickets linked and unlinked, a
timeline of every change, and one reply to every linked ticket on resolution."""

from __future__ import annotations

import pytest
from service_desk import ORDER, OUTAGE, Desk

from tierdesk.services import incidents, lifecycle, staff_notices
from tierdesk.services.errors import Forbidden, InvalidInput, InvalidTransition, NotFound


def _declare(desk: Desk, *ticket_ids: str) -> incidents.IncidentView:
    return incidents.declare(
        desk.env,
        actor_id=desk.user["agent_l1"],
        title="Checkout is down",
        description="502 on checkout since 09:40",
        severity="P1",
        ticket_ids=ticket_ids,
    )


def test_declaring_notifies_supervisor_and_manager_at_once_and_records_it(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    view = _declare(desk, ticket.id)
    assert view.incident.status == "open"
    assert [t.ticket_id for t in view.tickets] == [ticket.id]
    kinds = [e.kind for e in view.timeline]
    assert kinds == ["opened", "linked", "notified"]
    notified = view.timeline[-1]
    assert sorted(notified.data["users"]) == ["manager", "supervisor"]
    assert notified.data["urgent"] is True and notified.at == desk.clock.now()
    for role in ("supervisor", "manager"):
        [notice] = staff_notices.for_user(desk.env, desk.user[role])[0]
        assert (notice.kind, notice.link) == ("incident", f"/incidents/{view.incident.id}")


def test_link_unlink_and_notes_are_on_the_timeline(desk: Desk) -> None:
    a, b = desk.open(ORDER), desk.open(ORDER, email="kai@example.com")
    incident = _declare(desk, a.id).incident
    lead = desk.user["team_lead"]
    assert incidents.link(desk.env, incident_id=incident.id, ticket_id=b.id, actor_id=lead)
    assert not incidents.link(desk.env, incident_id=incident.id, ticket_id=b.id, actor_id=lead)
    incidents.unlink(desk.env, incident_id=incident.id, ticket_id=a.id, actor_id=lead)
    with pytest.raises(NotFound):
        incidents.unlink(desk.env, incident_id=incident.id, ticket_id=a.id, actor_id=lead)
    with pytest.raises(NotFound):
        incidents.link(desk.env, incident_id=incident.id, ticket_id="t_nope", actor_id=lead)
    incidents.add_note(desk.env, incident_id=incident.id, actor_id=lead, text="Rolled back")
    view = incidents.get(desk.env, incident_id=incident.id, actor_id=desk.user["qa"])
    assert [t.ticket_id for t in view.tickets] == [b.id]
    assert [e.kind for e in view.timeline][-3:] == ["linked", "unlinked", "note"]
    assert incidents.for_ticket(desk.env, b.id) == [incident.id]


def test_resolving_replies_to_each_linked_ticket_in_its_customers_language(desk: Desk) -> None:
    en = desk.open(ORDER)
    zh = desk.open("我的訂單到現在還沒收到，請問訂單狀態？", email="lin@example.com")
    done_before = desk.open(ORDER, email="wu@example.com")
    lifecycle.resolve(
        desk.env, ticket_id=done_before.id, actor_id=desk.user["agent_l1"], summary="Done"
    )
    incident = _declare(desk, en.id, zh.id, done_before.id).incident
    done = incidents.resolve(
        desk.env,
        incident_id=incident.id,
        actor_id=desk.user["supervisor"],
        resolution={"en": "we restarted the payment service", "zh-TW": "我們已重新啟動付款服務"},
    )
    assert done.incident.status == "resolved"
    assert sorted(done.replied) == sorted([en.id, zh.id])  # linked at once: by ticket id
    assert [t for t, _ in done.skipped] == [done_before.id]
    [en_reply] = desk.outbox(en.id, "reply")
    assert "we restarted the payment service" in en_reply.payload["text"]
    assert f"T-{en.id[2:12]}" in en_reply.payload["text"]  # the short reference
    [zh_reply] = desk.outbox(zh.id, "reply")
    assert "我們已重新啟動付款服務" in zh_reply.payload["text"]
    assert "已排除" in zh_reply.payload["text"]  # the template in Chinese
    view = incidents.get(desk.env, incident_id=incident.id, actor_id=desk.user["supervisor"])
    assert [e.kind for e in view.timeline][-4:] == ["resolved", "replied", "replied", "not_replied"]
    with pytest.raises(InvalidTransition):
        incidents.resolve(
            desk.env, incident_id=incident.id, actor_id=desk.user["manager"], resolution="again"
        )
    with pytest.raises(InvalidTransition):
        incidents.link(
            desk.env, incident_id=incident.id, ticket_id=en.id, actor_id=desk.user["manager"]
        )


def test_roles_and_bad_input(desk: Desk) -> None:
    with pytest.raises(Forbidden):
        incidents.declare(desk.env, actor_id=desk.user["qa"], title="x", severity="P1")
    incident = _declare(desk).incident
    with pytest.raises(Forbidden):  # an agent may declare, not resolve
        incidents.resolve(
            desk.env, incident_id=incident.id, actor_id=desk.user["agent_l1"], resolution="x"
        )
    for kwargs, field in (
        ({"title": " ", "severity": "P1"}, "title"),
        ({"title": "x", "severity": "P9"}, "severity"),
        ({"title": "x", "severity": "P1", "kind": "fire"}, "kind"),
    ):
        with pytest.raises(InvalidInput) as refused:
            incidents.declare(desk.env, actor_id=desk.user["agent_l1"], **kwargs)  # type: ignore[arg-type]
        assert refused.value.data["field"] == field
    with pytest.raises(InvalidInput):
        incidents.resolve(
            desk.env,
            incident_id=incident.id,
            actor_id=desk.user["manager"],
            resolution="x",
            template_id="nope",
        )
    assert (
        incidents.get(desk.env, incident_id=incident.id, actor_id=desk.user["qa"]).incident.status
        == "open"
    )
    assert len(desk.store.tables.incidents) == 1


def test_an_outage_ticket_linked_still_tells_the_manager_once_per_window(desk: Desk) -> None:
    outage = desk.open(OUTAGE)
    _declare(desk, outage.id)
    notices = staff_notices.for_user(desk.env, desk.user["manager"])[0]
    assert sorted(n.kind for n in notices) == ["incident", "ticket_priority"]
