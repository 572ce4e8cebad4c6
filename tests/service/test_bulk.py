"""Bulk changes from a queue: each ticket through its own command; refusals reported per ticket."""

from __future__ import annotations

import pytest
from service_desk import ORDER, OUTAGE, Desk

from tierdesk.services import bulk
from tierdesk.services.errors import Forbidden, InvalidInput


def test_assign_changes_each_ticket_and_reports_the_one_above_the_agents_tier(desk: Desk) -> None:
    one, two = desk.open(ORDER), desk.open(ORDER, email="li@example.com")
    outage = desk.open(OUTAGE, email="wu@example.com")
    assert outage.tier != "L1"
    agent = desk.user["agent_l1"]
    outcomes = bulk.apply(
        desk.env, actor_id=desk.user["team_lead"], ticket_ids=[one.id, outage.id, two.id, one.id],
        action="assign", assignee_id=agent,
    )  # fmt: skip
    assert [o.ticket_id for o in outcomes] == [one.id, outage.id, two.id]  # each once, in order
    assert [o.error.code if o.error else None for o in outcomes] == [None, "tier_mismatch", None]
    assert desk.ticket(one.id).assignee_id == desk.ticket(two.id).assignee_id == agent
    assert desk.ticket(outage.id).assignee_id is None


def test_assign_without_an_assignee_takes_the_tickets_and_unassign_gives_them_back(
    desk: Desk,
) -> None:
    agent = desk.user["agent_l1"]
    ids = [desk.open(ORDER).id, desk.open(ORDER, email="li@example.com").id]
    assert all(
        o.error is None
        for o in bulk.apply(desk.env, actor_id=agent, ticket_ids=ids, action="assign")
    )
    assert {desk.ticket(t).assignee_id for t in ids} == {agent}
    bulk.apply(desk.env, actor_id=agent, ticket_ids=ids, action="unassign")
    assert {desk.ticket(t).assignee_id for t in ids} == {None}


@pytest.mark.rule("R-SLA-2")
def test_pending_resume_and_resolve_change_the_status_of_every_ticket(desk: Desk) -> None:
    agent = desk.user["agent_l1"]
    ids = [desk.open(ORDER).id, desk.open(ORDER, email="li@example.com").id]
    bulk.apply(desk.env, actor_id=agent, ticket_ids=ids, action="pending", text="tracking number?")
    assert {desk.ticket(t).status for t in ids} == {"pending_customer"}
    bulk.apply(desk.env, actor_id=agent, ticket_ids=ids, action="resume")
    assert {desk.ticket(t).status for t in ids} == {"open"}  # the clocks run again
    bulk.apply(desk.env, actor_id=agent, ticket_ids=ids, action="resolve", text="re-shipped")
    assert {desk.ticket(t).status for t in ids} == {"resolved"}
    assert all(desk.outbox(t, "resolution_confirm") for t in ids)  # as a single resolve does


def test_a_status_a_ticket_cannot_take_is_refused_for_that_ticket_alone(desk: Desk) -> None:
    agent = desk.user["agent_l1"]
    waiting, running = desk.open(ORDER), desk.open(ORDER, email="li@example.com")
    bulk.apply(desk.env, actor_id=agent, ticket_ids=[waiting.id], action="pending", text="photo?")
    outcomes = bulk.apply(
        desk.env, actor_id=agent, ticket_ids=[waiting.id, running.id], action="resume"
    )
    assert outcomes[0].error is None and outcomes[1].error is not None
    assert outcomes[1].error.code == "invalid_transition"
    assert desk.ticket(running.id).status == running.status


def test_a_role_that_may_not_change_tickets_changes_none(desk: Desk) -> None:
    ids = [desk.open(ORDER).id, desk.open(ORDER, email="li@example.com").id]
    before = [desk.ticket(t) for t in ids]
    outcomes = bulk.apply(desk.env, actor_id=desk.user["qa"], ticket_ids=ids, action="assign")
    assert all(isinstance(o.error, Forbidden) for o in outcomes)
    assert [desk.ticket(t) for t in ids] == before


@pytest.mark.parametrize(
    ("ids", "action", "text", "field"),
    [
        (["x"], "delete", "", "action"),
        ([], "assign", "", "ticket"),
        (["", ""], "assign", "", "ticket"),
        ([f"t{i}" for i in range(bulk.MAX_TICKETS + 1)], "assign", "", "ticket"),
        (["x"], "pending", " ", "reason"),
        (["x"], "resolve", "", "summary"),
    ],
)
def test_a_bad_request_is_refused_before_any_ticket_changes(
    desk: Desk, ids: list[str], action: str, text: str, field: str
) -> None:
    ticket = desk.open(ORDER)
    ids = [ticket.id if i == "x" else i for i in ids]
    with pytest.raises(InvalidInput) as err:
        bulk.apply(
            desk.env, actor_id=desk.user["agent_l1"], ticket_ids=ids, action=action, text=text
        )
    assert err.value.data["field"] == field
    assert desk.ticket(ticket.id) == ticket
