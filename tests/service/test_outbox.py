"""Outbox delivery: retries with backoff, nothing sent twice."""

from __future__ import annotations

from datetime import timedelta

from service_desk import OUTAGE, Desk

from tierdesk.services.outbox import backoff, deliver
from tierdesk.services.records import OutboxRecord


def test_a_queued_receipt_is_sent_once(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)
    sent: list[str] = []
    report = deliver(desk.env, lambda m: sent.append(m.dedupe_key))
    assert report.sent == 1 and sent == [f"{ticket.id}:1:receipt"]
    assert deliver(desk.env, lambda m: sent.append(m.dedupe_key)).claimed == 0
    [receipt] = desk.outbox(ticket.id)
    assert receipt.status == "sent" and receipt.sent_at == desk.clock.now()


def test_a_failed_send_is_retried_after_a_backoff_and_dies_after_the_last_attempt(
    desk: Desk,
) -> None:
    ticket = desk.open(OUTAGE)

    def broken(message: OutboxRecord) -> None:
        raise ConnectionError("smtp down")

    assert deliver(desk.env, broken, max_attempts=2).retried == 1
    assert deliver(desk.env, broken, max_attempts=2).claimed == 0  # backing off
    desk.clock.advance(backoff(1))
    assert deliver(desk.env, broken, max_attempts=2).dead == 1
    [message] = desk.outbox(ticket.id)
    assert message.status == "dead" and message.last_error == "ConnectionError: smtp down"


def test_a_claimed_message_is_not_claimed_again_until_its_lease_expires(desk: Desk) -> None:
    desk.open(OUTAGE)
    with desk.env.uow() as uow:
        [claimed] = uow.outbox.claim_batch(desk.clock.now(), 10, timedelta(minutes=2))
        uow.commit()
    assert deliver(desk.env, lambda m: None).claimed == 0
    desk.clock.advance(timedelta(minutes=2))
    report = deliver(desk.env, lambda m: None)
    assert report.sent == 1
    assert desk.store.tables.outbox[claimed.id].attempts == 2


def test_a_slow_channel_never_sends_past_its_lease_and_sends_each_message_once(
    desk: Desk,
) -> None:
    tickets = [desk.open(OUTAGE, email=f"c{n}@example.com") for n in range(4)]
    sent: list[str] = []

    def slow(message: OutboxRecord) -> None:  # each send takes 50 s
        sent.append(message.dedupe_key)
        desk.clock.advance(timedelta(seconds=50))

    lease, budget = timedelta(minutes=2), timedelta(seconds=30)
    first = deliver(desk.env, slow, lease=lease, send_budget=budget)
    # sends start at 0 s and 50 s; at 100 s less than 30 s of the 120 s lease is left
    assert (first.claimed, first.sent, first.released) == (4, 2, 2)
    released = [m for m in desk.store.tables.outbox.values() if m.status == "pending"]
    assert [(m.attempts, m.claimed_until, m.next_attempt_at) for m in released] == [
        (0, None, desk.clock.now())
    ] * 2
    second = deliver(desk.env, slow, lease=lease, send_budget=budget)
    assert (second.claimed, second.sent, second.released) == (2, 2, 0)
    assert sorted(sent) == sorted(f"{t.id}:1:receipt" for t in tickets)  # each once
    assert {m.attempts for m in desk.store.tables.outbox.values()} == {1}
