"""Repeat contacts on the same issue are linked and counted (R-ESC-5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import ORDER, Desk

from tierdesk.services.lifecycle import link_contact


@pytest.mark.rule("R-ESC-5")
def test_third_contact_on_the_same_issue_is_linked_counted_and_escalated(desk: Desk) -> None:
    first = desk.open(ORDER)
    desk.clock.advance(timedelta(hours=1))
    second = desk.open("My order still has not arrived, where is my order?")
    desk.clock.advance(timedelta(hours=1))
    third = desk.open("Where is my order?? Third time I ask.")
    assert second.related_to == first.id and second.contact_count == 2
    assert third.related_to == first.id and third.contact_count == 3
    assert second.tier == "L1"
    assert third.tier == "L2" and "investigation" in third.escalate_to
    assert "R-ESC-5" in third.escalation_marks
    assert desk.outbox(third.id, "escalation_notice")


def test_contacts_outside_the_window_or_in_another_category_are_not_linked(desk: Desk) -> None:
    first = desk.open(ORDER)
    other = desk.open("Your whole service is down, outage")
    desk.clock.advance(desk.env.repeat_window + timedelta(minutes=1))
    late = desk.open(ORDER)
    assert other.related_to is None and other.contact_count == 1
    assert late.related_to is None and late.contact_count == 1
    assert first.contact_count == 1


def test_another_customers_contact_is_never_counted(desk: Desk) -> None:
    desk.open(ORDER)
    desk.open(ORDER)
    stranger = desk.open(ORDER, email="lin@example.com")
    assert stranger.contact_count == 1


@pytest.mark.rule("R-ESC-5")
def test_an_explicit_link_counts_and_escalates_on_the_third_contact(desk: Desk) -> None:
    first = desk.open(ORDER)
    second = desk.open("Need help with my password reset", email="mei@example.com")
    third = desk.open("I have a suggestion for your app", email="mei@example.com")
    linked = link_contact(
        desk.env, ticket_id=second.id, related_to=first.id, actor_id=desk.user["agent_l1"]
    )
    assert linked.contact_count == 2
    again = link_contact(
        desk.env, ticket_id=third.id, related_to=first.id, actor_id=desk.user["agent_l1"]
    )
    assert again.contact_count == 3
    assert again.tier == "L2" and "R-ESC-5" in again.escalation_marks
