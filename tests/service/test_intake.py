"""Opening tickets: durable, idempotent intake with the automatic receipt (R-PROC-1)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from service_desk import ORDER, OUTAGE, Desk

from tierdesk.services.customers import Contact, merge_customers
from tierdesk.services.errors import InvalidInput
from tierdesk.services.tickets import Intake, Opened, open_ticket, open_tickets


@pytest.mark.rule("R-PROC-1")
def test_open_triages_routes_and_queues_the_receipt_in_one_commit(desk: Desk) -> None:
    commits = desk.store.commits
    ticket = desk.open(OUTAGE)
    assert desk.store.commits == commits + 1
    assert (ticket.category, ticket.priority, ticket.tier) == ("service_outage", "P1", "L3")
    assert desk.kinds(ticket.id)[:4] == ["opened", "message_added", "triaged", "routed"]
    [receipt] = desk.outbox(ticket.id, "receipt")
    assert receipt.recipient == "mei@example.com"
    # The customer reads the short reference, as in the subject token, never the long id.
    assert f"T-{ticket.id[2:12]}" in receipt.payload["text"]
    assert ticket.id not in receipt.payload["text"]
    assert receipt.dedupe_key == f"{ticket.id}:1:receipt"


def test_the_receipt_names_the_first_response_due_time(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)  # P1: first response in 15 min on the 24x7 clock
    [receipt] = desk.outbox(ticket.id, "receipt")
    assert "10:15" in receipt.payload["text"]  # 02:00 UTC + 15 min, shown in Taipei time


def test_the_same_idempotency_key_yields_exactly_one_ticket(desk: Desk) -> None:
    first = desk.intake(OUTAGE, idempotency_key="req-1")
    again = desk.intake(OUTAGE, idempotency_key="req-1")
    assert first.created and not again.created
    assert again.ticket.id == first.ticket.id
    assert len(desk.store.tables.tickets) == 1
    assert len(desk.outbox(first.ticket.id, "receipt")) == 1


def test_a_channel_message_id_yields_exactly_one_ticket_per_channel(desk: Desk) -> None:
    a = desk.intake(OUTAGE, channel_message_id="<abc@mail>")
    b = desk.intake(OUTAGE, channel_message_id="<abc@mail>")
    assert a.ticket.id == b.ticket.id and not b.created
    line = open_ticket(
        desk.env,
        channel="line",
        text=OUTAGE,
        contact=Contact("line", "U1234abcd"),
        channel_message_id="<abc@mail>",
    )
    assert line.created and line.ticket.id != a.ticket.id


def test_bad_intake_is_refused_naming_the_field_and_stores_nothing(desk: Desk) -> None:
    with pytest.raises(InvalidInput) as err:
        desk.intake("   ")
    assert err.value.data["field"] == "text"
    with pytest.raises(InvalidInput) as err:
        open_ticket(desk.env, channel="fax", text="hi", contact=Contact("email", "a@b.co"))
    assert err.value.data["field"] == "channel"
    with pytest.raises(InvalidInput) as err:
        desk.open(OUTAGE, email="not-an-address")
    assert err.value.data["field"] == "email"
    assert desk.store.tables.tickets == {}


def test_a_customer_writing_from_several_identities_is_one_customer_after_merge(
    desk: Desk,
) -> None:
    by_mail = desk.open(OUTAGE)
    by_line = open_ticket(
        desk.env, channel="line", text=OUTAGE, contact=Contact("line", "Umei0001")
    ).ticket
    assert by_line.customer_id != by_mail.customer_id
    merge_customers(
        desk.env,
        source_id=by_line.customer_id,
        target_id=by_mail.customer_id,
        actor_id=desk.user["agent_l1"],
    )
    again = open_ticket(
        desk.env, channel="line", text="hello again", contact=Contact("line", "Umei0001")
    ).ticket
    assert again.customer_id == by_mail.customer_id


def test_the_receipt_counts_business_hours_for_a_business_clock_priority(desk: Desk) -> None:
    desk.clock.set(datetime(2025, 3, 7, 9, 30, tzinfo=UTC))  # Friday 17:30 in Taipei
    ticket = desk.open(ORDER)  # P3: first response within 4 business hours
    assert desk.env.rules.priority(ticket.priority).clock == "business"
    [receipt] = desk.outbox(ticket.id, "receipt")
    # 30 min on Friday, then Monday 09:00-12:00 and 13:00-13:30 (lunch does not count)
    assert "2025-03-10 13:30" in receipt.payload["text"]


def test_a_batch_opens_in_one_commit_and_a_bad_intake_fails_alone(desk: Desk) -> None:
    mail = Contact("email", "mei@example.com")
    commits = desk.store.commits
    results = open_tickets(
        desk.env,
        [
            Intake("email", OUTAGE, mail, idempotency_key="k1"),
            Intake("email", "   ", mail),
            Intake("email", ORDER, mail, idempotency_key="k2"),
            Intake("email", OUTAGE, mail, idempotency_key="k1"),
        ],
    )
    assert desk.store.commits == commits + 1
    first, bad, second, again = results
    assert isinstance(first, Opened) and isinstance(second, Opened)
    assert isinstance(bad, InvalidInput)
    assert isinstance(again, Opened) and again.ticket.id == first.ticket.id and not again.created
    assert len(desk.store.tables.tickets) == 2


def test_a_batch_that_cannot_commit_together_falls_back_to_one_by_one(desk: Desk) -> None:
    mail = Contact("email", "mei@example.com")
    results = open_tickets(
        desk.env,
        [Intake("email", OUTAGE, mail), Intake("email", ORDER, mail, related_to="t_missing")],
    )
    assert isinstance(results[0], Opened) and results[0].created
    assert isinstance(results[1], InvalidInput) and results[1].data["field"] == "related_to"
    assert len(desk.store.tables.tickets) == 1
