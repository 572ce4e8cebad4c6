"""Concurrent units of work on real databases: locked tickets are skipped, outbox claims never
overlap, and sweepers running at once escalate a ticket only once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar

import pytest
import sqlalchemy as sa
from db_desk import make_store_desk
from db_records import SQL_BACKENDS, at, customer, outbox, ticket

from tierdesk.adapters.db import Database
from tierdesk.policy import rulebook
from tierdesk.services import approvals, lifecycle
from tierdesk.services.customers import Contact
from tierdesk.services.errors import ApprovalRequired
from tierdesk.services.sweep import sweep
from tierdesk.services.tickets import open_ticket

LEASE = timedelta(minutes=5)
T = TypeVar("T")


def _seed(db: Database) -> None:
    with db.uow() as uow:
        uow.customers.add(customer("c_1"))
        uow.tickets.add(ticket("t_1"))
        for n in range(4):
            uow.outbox.add(outbox(f"o_{n}", f"k{n}", created_at=at(n), next_attempt_at=at(n)))
        uow.commit()


@pytest.mark.postgres
def test_a_ticket_locked_by_one_transaction_is_skipped_by_another(postgres_db: Database) -> None:
    _seed(postgres_db)
    with postgres_db.uow() as first:
        assert first.tickets.get_for_update("t_1") is not None
        with postgres_db.uow() as second:
            assert second.tickets.get_for_update("t_1", skip_locked=True) is None
            assert second.tickets.get("t_1") is not None  # a plain read does not wait
    with postgres_db.uow() as third:
        assert third.tickets.get_for_update("t_1", skip_locked=True) is not None


@pytest.mark.postgres
def test_concurrent_outbox_claims_never_take_the_same_message(postgres_db: Database) -> None:
    _seed(postgres_db)
    with postgres_db.uow() as first:
        mine = first.outbox.claim_batch(at(10), limit=2, lease=LEASE)
        with postgres_db.uow() as second:
            theirs = second.outbox.claim_batch(at(10), limit=10, lease=LEASE)
            second.commit()
        first.commit()
    assert [m.id for m in mine] == ["o_0", "o_1"]
    assert [m.id for m in theirs] == ["o_2", "o_3"]


def _at_once(work: Callable[[], T], workers: int) -> list[T]:
    """Run `work` in `workers` threads released together; their results."""
    barrier = threading.Barrier(workers)
    reports: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            reports.append(work())
        except BaseException as exc:  # re-raised in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return reports


@pytest.mark.rule("R-ESC-1")
@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_sweepers_running_at_once_escalate_each_ticket_once(
    backend: str, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue(f"{backend}_db")
    desk = make_store_desk(db.uow, rulebook(preset="cs-sop"))
    opened = [desk.open(email=f"c{n}@example.com") for n in range(3)]
    l1 = desk.user["agent_l1"]
    for t in opened:
        lifecycle.assign(desk.env, ticket_id=t.id, actor_id=l1, assignee_id=l1)
    desk.clock.advance(timedelta(minutes=20))  # past R-ESC-1's 15 minutes in L1
    reports = _at_once(lambda: sweep(desk.env), workers=2)
    assert sum(r.escalations for r in reports) == len(opened)
    for t in opened:
        assert desk.kinds(t.id).count("escalated") == 1
        assert len(desk.outbox(t.id, "escalation_notice")) == 1
        assert desk.ticket(t.id).tier == "L2"


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_the_same_intake_sent_twice_at_once_opens_one_ticket(
    backend: str, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue(f"{backend}_db")
    desk = make_store_desk(db.uow, rulebook(preset="cs-sop"))

    def intake() -> tuple[str, bool]:
        opened = open_ticket(
            desk.env,
            channel="email",
            text="Where is my order #12345?",
            contact=Contact("email", "new@example.com", name="New"),
            idempotency_key="form-42",
        )
        return opened.ticket.id, opened.created

    results = _at_once(intake, workers=2)
    assert len({ticket_id for ticket_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    assert len(desk.tickets()) == 1


def test_a_reader_runs_beside_a_writer_and_sees_only_what_was_committed(
    sqlite_db: Database,
) -> None:
    with sqlite_db.uow() as setup:
        setup.customers.add(customer("c_before"))
        setup.commit()
    with sqlite_db.uow() as writer:  # holds SQLite's write lock until the block ends
        writer.customers.add(customer("c_pending"))
        writer.customers.get("c_pending")
        with sqlite_db.reader() as reader:  # a writer would wait here, then fail "locked"
            seen = [c.id for c in reader.customers.search().items]
        writer.commit()
    assert seen == ["c_before"]


def test_a_reader_refuses_to_write(sql_db: Database) -> None:
    with sql_db.reader() as reader, pytest.raises(sa.exc.DBAPIError) as err:
        reader.customers.add(customer("c_1"))
    assert "read" in str(err.value).lower()  # query_only / read-only transaction
    with sql_db.uow() as uow:
        assert uow.customers.get("c_1") is None
        uow.customers.add(customer("c_1"))  # the pooled connection writes again
        uow.commit()


@pytest.mark.rule("R-AUTH-1")
@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_twenty_refunds_at_once_never_pass_the_limit_together(
    backend: str, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue(f"{backend}_db")
    desk = make_store_desk(db.uow, rulebook(preset="cs-sop"))
    ticket, l1 = desk.open().id, desk.user["agent_l1"]
    lifecycle.verify_identity(desk.env, ticket_id=ticket, actor_id=l1)

    def refund() -> str:
        try:
            approvals.apply_action(
                desk.env, ticket_id=ticket, actor_id=l1, action="refund", amount="500"
            )
        except ApprovalRequired:
            return "refused"
        return "applied"

    results = _at_once(refund, workers=20)
    assert sorted(results) == ["applied"] + ["refused"] * 19
    with db.uow() as uow:
        assert [a.amount for a in uow.actions.for_ticket(ticket)] == [Decimal("500")]
