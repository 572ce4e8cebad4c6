"""Document control of the policy (R-DOC-3)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from service_desk import ORDER, START, Desk

from tierdesk.policy.loader import preset_path
from tierdesk.services import policies, worklist
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.errors import (
    Forbidden,
    InvalidInput,
    InvalidTransition,
    PolicyNotAcknowledged,
)
from tierdesk.services.lifecycle import assign, resolve
from tierdesk.services.records import TicketFilter
from tierdesk.services.sweep import sweep
from tierdesk.services.tickets import open_ticket

SOURCE = preset_path("cs-sop").read_text(encoding="utf-8")
# the same policy with order status raised from P3 to P2: what a policy change looks like
ORDERS_P2 = SOURCE.replace(
    "  order_status:\n    label: {en: Order status / order error, zh-TW: 訂單狀態／訂單錯誤}\n"
    "    priority: P3\n",
    "  order_status:\n    label: {en: Order status / order error, zh-TW: 訂單狀態／訂單錯誤}\n"
    "    priority: P2\n",
)


def _propose(desk: Desk, title: str = "v1") -> str:
    return policies.propose_version(
        desk.env, source=SOURCE, title=title, actor_id=desk.user["supervisor"]
    ).id


@pytest.mark.rule("R-DOC-3")
def test_a_version_takes_effect_only_when_a_named_approver_approves_it(desk: Desk) -> None:
    draft = _propose(desk)
    with desk.env.uow() as uow:
        assert uow.policies.effective() is None
    with pytest.raises(Forbidden):  # a team lead is not a document approver
        policies.approve_version(desk.env, version_id=draft, actor_id=desk.user["team_lead"])
    approved = policies.approve_version(
        desk.env, version_id=draft, actor_id=desk.user["manager"], note="reviewed"
    )
    assert approved.status == "effective" and approved.approved_by == desk.user["manager"]


@pytest.mark.rule("R-DOC-3")
def test_the_author_cannot_approve_their_own_version(desk: Desk) -> None:
    draft = policies.propose_version(
        desk.env, source=SOURCE, title="mine", actor_id=desk.user["manager"]
    )
    with pytest.raises(Forbidden):
        policies.approve_version(desk.env, version_id=draft.id, actor_id=desk.user["manager"])


@pytest.mark.rule("R-DOC-3")
def test_the_old_version_stays_on_record_as_superseded(desk: Desk) -> None:
    first = _propose(desk, "v1")
    policies.approve_version(desk.env, version_id=first, actor_id=desk.user["manager"])
    second = _propose(desk, "v2")
    policies.approve_version(desk.env, version_id=second, actor_id=desk.user["admin"])
    history = policies.history(desk.env)
    assert [(v.number, v.title, v.status) for v in history] == [
        (1, "v1", "superseded"),
        (2, "v2", "effective"),
    ]
    with pytest.raises(InvalidTransition):
        policies.approve_version(desk.env, version_id=first, actor_id=desk.user["manager"])


@pytest.mark.rule("R-DOC-3")
def test_an_agent_who_has_not_acknowledged_the_effective_version_cannot_be_assigned(
    desk: Desk,
) -> None:
    version = _propose(desk)
    policies.approve_version(desk.env, version_id=version, actor_id=desk.user["manager"])
    ticket = desk.open(ORDER)
    agent, lead = desk.user["agent_l1"], desk.user["team_lead"]
    with pytest.raises(PolicyNotAcknowledged) as err:
        assign(desk.env, ticket_id=ticket.id, actor_id=lead, assignee_id=agent)
    assert err.value.code == "policy_not_acknowledged"
    assert desk.ticket(ticket.id).assignee_id is None
    policies.acknowledge(desk.env, version_id=version, actor_id=agent)
    assigned = assign(desk.env, ticket_id=ticket.id, actor_id=lead, assignee_id=agent)
    assert assigned.assignee_id == agent


def test_acknowledging_a_superseded_version_does_not_count(desk: Desk) -> None:
    first = _propose(desk, "v1")
    policies.approve_version(desk.env, version_id=first, actor_id=desk.user["manager"])
    policies.acknowledge(desk.env, version_id=first, actor_id=desk.user["agent_l1"])
    second = _propose(desk, "v2")
    policies.approve_version(desk.env, version_id=second, actor_id=desk.user["manager"])
    with pytest.raises(InvalidTransition):
        policies.acknowledge(desk.env, version_id=first, actor_id=desk.user["agent_l1"])
    ticket = desk.open(ORDER)
    with pytest.raises(PolicyNotAcknowledged):
        assign(
            desk.env,
            ticket_id=ticket.id,
            actor_id=desk.user["team_lead"],
            assignee_id=desk.user["agent_l1"],
        )


def test_a_version_that_does_not_check_is_refused_with_its_findings(desk: Desk) -> None:
    with pytest.raises(InvalidInput) as err:
        policies.propose_version(
            desk.env, source="business: [", title="broken", actor_id=desk.user["manager"]
        )
    assert err.value.data["field"] == "source"
    assert err.value.data["findings"]
    assert policies.history(desk.env) == []


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _order_priority(env: Env) -> str:
    contact = Contact("email", "lin@example.com", name="Lin")
    return open_ticket(env, channel="email", text=ORDER, contact=contact).ticket.priority


def _approve(desk: Desk, source: str, title: str) -> str:
    version = policies.propose_version(
        desk.env, source=source, title=title, actor_id=desk.user["supervisor"]
    ).id
    policies.approve_version(desk.env, version_id=version, actor_id=desk.user["manager"])
    return version


@pytest.mark.rule("R-DOC-3")
def test_a_running_process_switches_to_a_newly_approved_version_without_a_restart(
    desk: Desk,
) -> None:
    assert ORDERS_P2 != SOURCE
    ticks = Ticks()
    live = policies.PolicyInForce(desk.env, recheck=5.0, monotonic=ticks)
    assert live.version_id is None and _order_priority(live.env()) == "P3"
    version = _approve(desk, ORDERS_P2, "orders are P2")
    ticks.t += 4.9  # not yet re-read: the rules in force stay for the recheck interval
    assert _order_priority(live.env()) == "P3"
    ticks.t += 0.1
    assert _order_priority(live.env()) == "P2" and live.version_id == version
    newer = _approve(desk, SOURCE, "orders back to P3")
    assert _order_priority(live.refresh()) == "P3" and live.version_id == newer


@pytest.mark.rule("R-DOC-3")
def test_a_failed_reread_keeps_the_version_in_force_and_tries_again(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    version = _approve(desk, ORDERS_P2, "orders are P2")
    down = {"now": False}

    def uow() -> object:
        if down["now"]:
            raise ConnectionError("database unavailable")
        return desk.env.uow()

    ticks = Ticks()
    live = policies.PolicyInForce(replace(desk.env, uow=uow), recheck=5.0, monotonic=ticks)  # type: ignore[arg-type]
    assert live.version_id == version
    down["now"], ticks.t = True, ticks.t + 5
    with caplog.at_level(logging.ERROR, logger="tierdesk.policy"):
        in_force = live.env()
    assert in_force.rules.category("order_status").priority == "P2"
    assert "could not re-read the policy version in force" in caplog.text
    newer = _approve(desk, SOURCE, "orders back to P3")
    down["now"], ticks.t = False, ticks.t + 5
    assert live.env().rules.category("order_status").priority == "P3"
    assert live.version_id == newer


# the same policy with a P3 first response of 1h instead of 4h
P3_FASTER = SOURCE.replace(
    "  P3:\n    name: {en: Medium, zh-TW: 中}\n    clock: business\n    first_response: 4h\n",
    "  P3:\n    name: {en: Medium, zh-TW: 中}\n    clock: business\n    first_response: 1h\n",
)


@pytest.mark.rule("R-DOC-3")
def test_open_tickets_are_retimed_under_a_newly_approved_version(desk: Desk) -> None:
    assert P3_FASTER != SOURCE
    order = desk.open()  # P3 at START, Tuesday 10:00 in Taipei: 4 business hours, due 15:00
    # (the lunch hour does not count); under the new version 1h: 11:00
    assert order.due_at == START + timedelta(hours=5) and order.due_clock == "first_response"
    done = desk.open(email="done@example.com")
    resolve(desk.env, ticket_id=done.id, actor_id=desk.user["team_lead"], summary="sorted")
    desk.clock.advance(timedelta(minutes=10))
    _approve(desk, P3_FASTER, "P3 answered within the hour")
    approved_at = desk.clock.now()
    assert desk.ticket(order.id).sweep_at == approved_at + policies.RECLOCK_AFTER
    assert desk.ticket(done.id).sweep_at is None  # resolved: nothing to re-time
    desk.clock.advance(policies.RECLOCK_AFTER)
    in_force = policies.in_force(desk.env)  # what every process runs by then
    report = sweep(in_force)
    retimed = desk.ticket(order.id)
    assert report.looked == 1 and retimed.due_at == START + timedelta(hours=1)
    assert retimed.version == order.version  # the ticket itself did not change
    shown = worklist.queue(in_force, TicketFilter(status=("new",)), actor_id=desk.user["team_lead"])
    assert [(r.ticket.id, r.due.due_at if r.due else None) for r in shown.rows] == [
        (order.id, START + timedelta(hours=1))
    ]  # the queue shows the new due time, as the ticket page does


@pytest.mark.rule("R-DOC-3")
def test_an_approver_sees_what_a_draft_changes_against_the_version_in_force(desk: Desk) -> None:
    from tierdesk.services.errors import NotFound

    first = _propose(desk, "v1")
    nothing = policies.changes(desk.env, first)
    assert nothing.against_id is None and nothing.changes == ()
    assert "nothing to compare with" in nothing.note
    policies.approve_version(desk.env, version_id=first, actor_id=desk.user["manager"])
    draft = policies.propose_version(
        desk.env, source=ORDERS_P2, title="orders are P2", actor_id=desk.user["supervisor"]
    ).id
    seen = policies.changes(desk.env, draft)
    assert (seen.version_id, seen.against_id, seen.note) == (draft, first, "")
    assert [(c.path, c.kind, c.old, c.new) for c in seen.changes] == [
        ("categories.order_status.priority", "changed", "P3", "P2")
    ]
    back = policies.changes(desk.env, first, against_id=draft)
    assert [(c.old, c.new) for c in back.changes] == [("P2", "P3")]
    in_force = policies.changes(desk.env, first)
    assert in_force.changes == () and in_force.note == "this is the version in force"
    with pytest.raises(NotFound):
        policies.changes(desk.env, "pv_unknown")
    with pytest.raises(NotFound):
        policies.changes(desk.env, draft, against_id="pv_unknown")
