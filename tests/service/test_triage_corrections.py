"""Triage corrections: a person sets category/priority with who and why (issue 12)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from service_desk import ORDER, OUTAGE, Desk

from tierdesk.domain.state import replay
from tierdesk.services import corrections, lifecycle
from tierdesk.services.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    StaleVersion,
    WrongTier,
)

DEFECT_AS_ORDER = "果汁機收到了，但是訂單 #88123 的東西怪怪的"


def test_correction_is_an_event_with_who_why_and_the_old_and_new_values(desk: Desk) -> None:
    ticket = desk.open(DEFECT_AS_ORDER)
    assert ticket.category == "order_status"
    desk.clock.advance(timedelta(minutes=3))
    fixed = corrections.correct_triage(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["agent_l2"],
        category="product_defect",
        reason="the juicer is broken, not late",
        expected_version=ticket.version,
    )
    assert (fixed.category, fixed.priority, fixed.needs_human) == ("product_defect", "P3", False)
    assert fixed.tier == ticket.tier  # moving it is an escalation, not a correction
    event = desk.events(ticket.id)[-1]
    assert event.kind == "triage_corrected"
    assert event.actor == desk.user["agent_l2"] and event.at == desk.clock.now()
    assert event.reason == "the juicer is broken, not late"
    assert event.get("changes")["category"] == ["order_status", "product_defect"]
    assert "priority" not in event.get("changes")
    # The stored row is what the log rebuilds.
    rebuilt = replay(desk.events(ticket.id))
    assert (rebuilt.category, rebuilt.version) == (fixed.category, fixed.version)
    [listed] = corrections.corrections(desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"])
    assert listed.category == ("order_status", "product_defect") and listed.priority is None
    assert listed.actor_id == desk.user["agent_l2"] and listed.reason.startswith("the juicer")


def test_a_new_priority_re_times_the_first_response(desk: Desk) -> None:
    ticket = desk.open(ORDER)  # P3: first response within 4 business hours
    before = desk.ticket(ticket.id).sweep_at
    fixed = corrections.correct_triage(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["team_lead"],
        priority="P1",
        reason="the customer is locked out of a paid event tonight",
    )
    assert fixed.priority == "P1" and fixed.category == "order_status"
    assert fixed.sweep_at is not None and before is not None and fixed.sweep_at < before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "lost_cat", "reason": "x"}, "category"),
        ({"priority": "P9", "reason": "x"}, "priority"),
        ({"reason": "no change given"}, "category"),
        ({"category": "order_status", "priority": "P3", "reason": "same"}, "category"),
        ({"category": "product_defect", "reason": "   "}, "reason"),
    ],
)
def test_bad_correction_is_refused_and_changes_nothing(
    desk: Desk, fields: dict[str, Any], field: str
) -> None:
    ticket = desk.open(ORDER)
    with pytest.raises(InvalidInput) as err:
        corrections.correct_triage(
            desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], **fields
        )
    assert err.value.data["field"] == field
    assert desk.ticket(ticket.id).version == ticket.version


def test_only_ticket_roles_correct_and_a_stale_version_changes_nothing(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    with pytest.raises(Forbidden):
        corrections.correct_triage(
            desk.env, ticket_id=ticket.id, actor_id=desk.user["qa"], priority="P2", reason="r"
        )
    with pytest.raises(StaleVersion):
        corrections.correct_triage(
            desk.env,
            ticket_id=ticket.id,
            actor_id=desk.user["agent_l1"],
            priority="P2",
            reason="r",
            expected_version=ticket.version - 1,
        )
    with pytest.raises(NotFound):
        corrections.correct_triage(
            desk.env, ticket_id="nope", actor_id=desk.user["agent_l1"], priority="P2", reason="r"
        )
    assert desk.ticket(ticket.id).version == ticket.version


def test_a_resolved_ticket_may_still_be_corrected(desk: Desk) -> None:
    ticket = desk.open(ORDER)
    lifecycle.resolve(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], summary="re-shipped"
    )
    fixed = corrections.correct_triage(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["agent_l1"],
        category="returns_refunds",
        reason="it was an exchange",
    )
    assert (fixed.status, fixed.category) == ("resolved", "returns_refunds")


@pytest.mark.rule("R-TIER-1")
def test_an_agent_below_the_tickets_tier_may_not_correct_it(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)  # L3
    with pytest.raises(WrongTier):
        corrections.correct_triage(
            desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], priority="P2", reason="r"
        )
    fixed = corrections.correct_triage(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["team_lead"], priority="P2", reason="r"
    )
    assert fixed.priority == "P2"
