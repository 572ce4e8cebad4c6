"""Resolve, reopen, close with the survey, merge, calls, identity (R-PROC-1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import ORDER, OUTAGE, Desk

from tierdesk.services import conversation, lifecycle
from tierdesk.services.errors import Conflict, InvalidInput, InvalidTransition, TierMismatch


def _resolved(desk: Desk) -> str:
    ticket = desk.open(ORDER)
    lifecycle.resolve(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], summary="re-shipped"
    )
    return ticket.id


@pytest.mark.rule("R-PROC-1")
def test_resolving_asks_the_customer_to_confirm(desk: Desk) -> None:
    ticket_id = _resolved(desk)
    ticket = desk.ticket(ticket_id)
    assert ticket.status == "resolved" and ticket.resolved_at == desk.clock.now()
    [confirm] = desk.outbox(ticket_id, "resolution_confirm")
    assert "confirm" in confirm.payload["text"]


@pytest.mark.rule("R-PROC-1")
def test_closing_sends_one_csat_and_nps_survey_that_records_the_answer_once(desk: Desk) -> None:
    ticket_id = _resolved(desk)
    lifecycle.close(desk.env, ticket_id=ticket_id, actor_id=desk.user["agent_l1"])
    [survey] = desk.store.tables.surveys.values()
    [message] = desk.outbox(ticket_id, "survey")
    assert survey.token in message.payload["text"]
    with pytest.raises(InvalidInput) as err:
        lifecycle.answer_survey(desk.env, token=survey.token, csat=6)
    assert err.value.data["field"] == "csat"
    with pytest.raises(InvalidInput):
        lifecycle.answer_survey(desk.env, token=survey.token, nps=11)
    answered = lifecycle.answer_survey(desk.env, token=survey.token, csat=5, nps=9, comment="fast")
    assert (answered.csat, answered.nps) == (5, 9)
    ticket = desk.ticket(ticket_id)
    assert (ticket.status, ticket.csat, ticket.nps) == ("closed", 5, 9)
    with pytest.raises(Conflict):
        lifecycle.answer_survey(desk.env, token=survey.token, csat=1)


def test_only_a_resolved_ticket_can_be_closed(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    with pytest.raises(InvalidTransition) as err:
        lifecycle.close(desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"])
    assert err.value.code == "invalid_transition"
    assert desk.store.tables.surveys == {}


def test_reopening_restarts_the_work_and_counts(desk: Desk) -> None:
    ticket_id = _resolved(desk)
    lifecycle.close(desk.env, ticket_id=ticket_id, actor_id=desk.user["agent_l1"])
    reopened = lifecycle.reopen(
        desk.env, ticket_id=ticket_id, actor_id=desk.user["agent_l1"], reason="wrong item"
    )
    assert reopened.status == "open" and reopened.reopen_count == 1
    assert reopened.resolved_at is None and reopened.closed_at is None
    assert reopened.sweep_at is not None


def test_merging_a_duplicate_marks_it_and_counts_its_contacts(desk: Desk) -> None:
    keep = desk.open(OUTAGE)
    dup = desk.open(OUTAGE)
    merged = lifecycle.merge(
        desk.env, source_id=dup.id, target_id=keep.id, actor_id=desk.user["agent_l3"]
    )
    source = desk.ticket(dup.id)
    assert (source.status, source.merged_into, source.sweep_at) == ("merged", keep.id, None)
    assert merged.contact_count == keep.contact_count + dup.contact_count
    assert desk.kinds(keep.id)[-1] == "merged"


def test_tickets_of_different_customers_are_not_merged(desk: Desk) -> None:
    a = desk.open(OUTAGE)
    b = desk.open(OUTAGE, email="lin@example.com")
    with pytest.raises(InvalidInput):
        lifecycle.merge(desk.env, source_id=b.id, target_id=a.id, actor_id=desk.user["agent_l3"])
    assert desk.ticket(b.id).status == "new"


def test_a_logged_call_adds_its_duration_for_aht(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    start = desk.clock.now() - timedelta(minutes=7)
    for seconds in (420, 180):
        lifecycle.log_call(
            desk.env,
            ticket_id=ticket.id,
            actor_id=desk.user["agent_l1"],
            started_at=start,
            duration_seconds=seconds,
        )
    assert desk.ticket(ticket.id).call_seconds == 600
    assert sorted(c.duration_seconds for c in desk.store.tables.calls.values()) == [180, 420]
    with pytest.raises(InvalidInput) as err:
        lifecycle.log_call(
            desk.env,
            ticket_id=ticket.id,
            actor_id=desk.user["agent_l1"],
            started_at=start.replace(tzinfo=None),
            duration_seconds=60,
        )
    assert err.value.data["field"] == "started_at"


@pytest.mark.rule("R-PROC-2")
def test_identity_verification_is_recorded_with_its_method_only(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    verified = lifecycle.verify_identity(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], method="otp"
    )
    assert verified.identity_verified_at == desk.clock.now()
    assert desk.events(ticket.id)[-1].get("method") == "otp"
    with pytest.raises(InvalidInput):
        lifecycle.verify_identity(
            desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], method="asked nicely"
        )


def test_an_agent_is_not_assigned_a_ticket_above_their_tier(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)  # L3
    with pytest.raises(TierMismatch) as err:
        lifecycle.assign(
            desk.env,
            ticket_id=ticket.id,
            actor_id=desk.user["team_lead"],
            assignee_id=desk.user["agent_l1"],
        )
    assert err.value.code == "tier_mismatch"
    assigned = lifecycle.assign(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["team_lead"],
        assignee_id=desk.user["agent_l3"],
    )
    assert assigned.assignee_id == desk.user["agent_l3"]


def test_a_follow_up_on_a_merged_duplicate_lands_on_the_kept_ticket(desk: Desk) -> None:
    keep, dup = desk.open(OUTAGE), desk.open(OUTAGE)
    lifecycle.merge(desk.env, source_id=dup.id, target_id=keep.id, actor_id=desk.user["agent_l3"])
    landed = conversation.customer_message(desk.env, ticket_id=dup.id, body="any news?")
    assert landed.id == keep.id
    assert (
        desk.store.tables.messages[next(reversed(desk.store.tables.messages))].ticket_id == keep.id
    )
