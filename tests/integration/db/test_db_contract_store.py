"""The storage contract for customers, the outbox, users, policy versions and per-ticket
records: the in-memory fakes, SQLite and PostgreSQL behave the same (`uow_factory`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from db_records import T0, at, customer, outbox, ticket, user

from tierdesk.services.ports import (
    AcknowledgementRecord,
    ActionRecord,
    ApprovalRecord,
    CallRecord,
    DuplicateKey,
    EscalationRecord,
    IdentityRecord,
    ModelVersionRecord,
    PolicyVersionRecord,
    SurveyRecord,
    UnitOfWork,
)

Factory = Callable[[], UnitOfWork]
LEASE = timedelta(minutes=5)


def _seed_ticket(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        uow.tickets.add(ticket("t_1"))
        uow.commit()


def _identity(kind: str, value: str, customer_id: str) -> IdentityRecord:
    return IdentityRecord(kind, value, customer_id, T0)  # type: ignore[arg-type]


def test_customers_merge_moves_identities_and_keeps_the_source(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        for cid in ("c_a", "c_b"):
            uow.customers.add(customer(cid))
        uow.customers.add_identity(_identity("email", "mei@example.com", "c_a"))
        uow.customers.add_identity(_identity("phone", "+886912345678", "c_a"))
        uow.customers.add_identity(_identity("line", "U123", "c_b"))
        uow.commit()
    with uow_factory() as uow:
        uow.customers.merge("c_a", "c_b")
        uow.commit()
    with uow_factory() as uow:
        assert [i.value for i in uow.customers.identities("c_b")] == [
            "mei@example.com",
            "+886912345678",
            "U123",
        ]
        assert uow.customers.identities("c_a") == []
        assert uow.customers.get("c_a") == customer("c_a", merged_into="c_b")
        assert uow.customers.merged_ids("c_b") == ["c_a"]
        assert uow.customers.find_by_identity("email", "mei@example.com") == customer("c_b")
        assert uow.customers.find_by_identity("email", "nobody@example.com") is None


def test_an_identity_belongs_to_one_customer(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_a"))
        uow.customers.add(customer("c_b"))
        uow.customers.add_identity(_identity("email", "mei@example.com", "c_a"))
        with pytest.raises(DuplicateKey) as err:
            uow.customers.add_identity(_identity("email", "mei@example.com", "c_b"))
        with pytest.raises(DuplicateKey) as again:
            uow.customers.add(customer("c_a"))
    assert (err.value.key, again.value.key) == ("customer_identities", "customers.id")


def _seed_customers(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_mei", name="Mei Chen", created_at=at(1)))
        uow.customers.add(customer("c_kai", name="Kai Lin", created_at=at(2)))
        uow.customers.add(customer("c_wang", name="王小明", created_at=at(3)))
        uow.customers.add(customer("c_tie", name="Tie Break", created_at=at(3)))
        uow.customers.add(customer("c_gone", name="Mei Chen (old)", created_at=at(4)))
        uow.customers.add_identity(_identity("email", "mei@example.com", "c_mei"))
        uow.customers.add_identity(_identity("phone", "0912345678", "c_kai"))
        uow.customers.add_identity(_identity("line", "U100_pct", "c_wang"))
        uow.customers.add_identity(_identity("email", "mei.old@example.com", "c_gone"))
        uow.commit()
    with uow_factory() as uow:
        uow.customers.merge("c_gone", "c_mei")
        uow.commit()


def test_customer_search_matches_name_or_identity_ignoring_case(uow_factory: Factory) -> None:
    _seed_customers(uow_factory)
    cases = {
        None: ["c_wang", "c_tie", "c_kai", "c_mei"],  # newest first, ties by id; merged left out
        "MEI": ["c_mei"],  # name and both emails (one moved over by the merge), once
        "old@EXAMPLE": ["c_mei"],
        "2345": ["c_kai"],
        "小明": ["c_wang"],
        "_pct": ["c_wang"],
        "%": [],  # LIKE wildcards are literal
        "_": ["c_wang"],
        "nobody": [],
    }
    with uow_factory() as uow:
        found = {q: [c.id for c in uow.customers.search(q).items] for q in cases}
        idents = uow.customers.identities_for(["c_mei", "c_kai"])
        assert uow.customers.identities_for([]) == []
    assert found == cases
    assert sorted((i.customer_id, i.value) for i in idents) == [
        ("c_kai", "0912345678"),
        ("c_mei", "mei.old@example.com"),
        ("c_mei", "mei@example.com"),
    ]


def test_customer_search_pages_with_a_cursor(uow_factory: Factory) -> None:
    _seed_customers(uow_factory)
    seen: list[str] = []
    cursor: str | None = None
    with uow_factory() as uow:
        for _ in range(3):
            page = uow.customers.search(None, limit=3, cursor=cursor)
            seen += [c.id for c in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        with pytest.raises(ValueError, match="not a cursor"):
            uow.customers.search(None, cursor="not-a-cursor")
    assert seen == ["c_wang", "c_tie", "c_kai", "c_mei"]


def test_a_customer_save_replaces_the_row(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        uow.customers.save(customer("c_1", name="Mei Lin"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.customers.get("c_1") == customer("c_1", name="Mei Lin")


def test_the_outbox_queues_a_dedupe_key_once(uow_factory: Factory) -> None:
    _seed_ticket(uow_factory)
    with uow_factory() as uow:
        assert uow.outbox.add(outbox("o_1", "t_1:1:receipt")) is True
        assert uow.outbox.add(outbox("o_2", "t_1:1:receipt")) is False
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.for_ticket("t_1") == [outbox("o_1", "t_1:1:receipt")]


def test_claims_take_due_messages_oldest_first_and_lease_them(uow_factory: Factory) -> None:
    _seed_ticket(uow_factory)
    with uow_factory() as uow:
        uow.outbox.add(outbox("o_late", "k3", created_at=at(2), next_attempt_at=at(2)))
        uow.outbox.add(outbox("o_first", "k1", created_at=at(0)))
        uow.outbox.add(outbox("o_second", "k2", created_at=at(0)))
        uow.outbox.add(outbox("o_future", "k4", created_at=at(0), next_attempt_at=at(60)))
        uow.commit()
    with uow_factory() as uow:
        claimed = uow.outbox.claim_batch(at(10), limit=2, lease=LEASE)
        uow.commit()
    assert [m.id for m in claimed] == ["o_first", "o_second"]
    assert {(m.status, m.attempts, m.claimed_until) for m in claimed} == {
        ("sending", 1, at(10) + LEASE)
    }
    with uow_factory() as uow:
        assert [m.id for m in uow.outbox.claim_batch(at(11), 10, LEASE)] == ["o_late"]
        assert uow.outbox.claim_batch(at(12), 10, LEASE) == []  # leased or not yet due
        expired = uow.outbox.claim_batch(at(10) + LEASE, 10, LEASE)
    assert [(m.id, m.attempts) for m in expired] == [("o_first", 2), ("o_second", 2)]


def test_sent_failed_and_dead_messages_move_as_the_port_says(uow_factory: Factory) -> None:
    _seed_ticket(uow_factory)
    with uow_factory() as uow:
        for n in (1, 2, 3):
            uow.outbox.add(outbox(f"o_{n}", f"k{n}", created_at=at(n), next_attempt_at=at(n)))
        uow.outbox.claim_batch(at(5), 10, LEASE)
        uow.outbox.mark_sent("o_1", at(6))
        uow.outbox.mark_failed("o_2", "smtp 451", retry_at=at(30))
        uow.outbox.mark_failed("o_3", "bounced", retry_at=None)
        uow.commit()
    with uow_factory() as uow:
        one, two, three = uow.outbox.for_ticket("t_1")
        assert uow.outbox.claim_batch(at(29), 10, LEASE) == []
        [retried] = uow.outbox.claim_batch(at(30), 10, LEASE)
        with pytest.raises(LookupError):
            uow.outbox.mark_sent("o_nope", at(6))
    assert (one.status, one.sent_at, one.claimed_until) == ("sent", at(6), None)
    assert (two.status, two.next_attempt_at, two.last_error) == ("pending", at(30), "smtp 451")
    assert (three.status, three.last_error) == ("dead", "bounced")
    assert (retried.id, retried.attempts) == ("o_2", 2)


def test_a_released_message_is_pending_again_without_its_claims_attempt(
    uow_factory: Factory,
) -> None:
    _seed_ticket(uow_factory)
    with uow_factory() as uow:
        uow.outbox.add(outbox("o_1", "k1", created_at=at(1), next_attempt_at=at(1)))
        [claimed] = uow.outbox.claim_batch(at(2), 10, LEASE)
        uow.outbox.release("o_1", at(3))
        uow.commit()
    with uow_factory() as uow:
        [released] = uow.outbox.for_ticket("t_1")
        [again] = uow.outbox.claim_batch(at(3), 10, LEASE)  # at once, not after the lease
        with pytest.raises(LookupError):
            uow.outbox.release("o_nope", at(3))
    assert claimed.attempts == 1
    assert (released.status, released.attempts, released.claimed_until) == ("pending", 0, None)
    assert (released.next_attempt_at, again.attempts) == (at(3), 1)


def test_users_are_unique_by_username_and_listed_by_username(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.users.add(user("u_1", "zoe", "agent_l2"))
        uow.users.add(user("u_2", "amy", "agent_l1"))
        uow.users.add(user("u_3", "bob", "agent_l1"))
        with pytest.raises(DuplicateKey) as err:
            uow.users.add(user("u_4", "amy"))
        uow.users.save(replace(user("u_3", "bob"), active=False, password_hash="$argon2id$x"))
        uow.commit()
    assert err.value.key == "users.username"
    with uow_factory() as uow:
        assert [u.username for u in uow.users.search()] == ["amy", "bob", "zoe"]
        assert [u.id for u in uow.users.search(role="agent_l1")] == ["u_2", "u_3"]
        assert uow.users.get_by_username("bob") == replace(
            user("u_3", "bob"), active=False, password_hash="$argon2id$x"
        )
        assert uow.users.get("u_9") is None


def _version(number: int, status: str = "draft") -> PolicyVersionRecord:
    return PolicyVersionRecord(
        id=f"pv_{number}",
        number=number,
        title=f"v{number}",
        source="business: x\n",
        digest="0" * 64,
        status=status,  # type: ignore[arg-type]
        created_by="u_1",
        created_at=at(number),
    )


def test_policy_versions_history_effective_and_acknowledgements(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.policies.add(_version(2))
        uow.policies.add(_version(1, "superseded"))
        with pytest.raises(DuplicateKey) as err:
            uow.policies.add(replace(_version(2), id="pv_other"))
        uow.policies.save(replace(_version(2), status="effective", approved_by="u_2"))
        first = AcknowledgementRecord("pv_2", "u_1", at(10))
        uow.policies.add_acknowledgement(first)
        uow.policies.add_acknowledgement(AcknowledgementRecord("pv_2", "u_1", at(20)))
        uow.policies.add_acknowledgement(AcknowledgementRecord("pv_2", "u_3", at(30)))
        uow.commit()
    assert err.value.key == "policy_versions.number"
    with uow_factory() as uow:
        assert [v.number for v in uow.policies.history()] == [1, 2]
        effective = uow.policies.effective()
        assert effective is not None and effective.approved_by == "u_2"
        assert uow.policies.acknowledgement("pv_2", "u_1") == first
        assert uow.policies.acknowledgement("pv_1", "u_1") is None
        assert [a.user_id for a in uow.policies.acknowledgements("pv_2")] == ["u_1", "u_3"]


def _model(number: int, status: str = "draft") -> ModelVersionRecord:
    report = {"total": 4, "correct": 3, "accuracy": 0.75, "categories": [], "confusions": []}
    return ModelVersionRecord(
        id=f"mv_{number}",
        number=number,
        status=status,  # type: ignore[arg-type]
        created_by="operator",
        created_at=at(number),
        trained_on=16,
        corrected=5,
        held_out=4,
        accuracy=0.75,
        baseline="the phrases alone",
        baseline_accuracy=0.5,
        evaluation=report,
        baseline_evaluation={**report, "correct": 2, "accuracy": 0.5},
        payload_sha256="0" * 64,
        payload_bytes=3,
    )


def test_model_versions_keep_their_bytes_beside_the_row(uow_factory: Factory) -> None:
    blob = bytes(range(256)) * 4  # not text: a model file's pickle
    with uow_factory() as uow:
        uow.models.add(_model(2), blob)
        uow.models.add(_model(1, "superseded"), b"old")
        with pytest.raises(DuplicateKey) as err:
            uow.models.add(replace(_model(2), id="mv_other"), b"x")
        uow.models.save(replace(_model(2), status="effective", approved_by="u_2"))
        uow.commit()
    assert err.value.key == "model_versions.number"
    with uow_factory() as uow:
        assert [v.number for v in uow.models.history()] == [1, 2]
        effective = uow.models.effective()
        assert effective == replace(_model(2), status="effective", approved_by="u_2")
        assert uow.models.payload("mv_2") == blob and uow.models.payload("mv_1") == b"old"
        assert uow.models.payload("mv_9") is None and uow.models.get("mv_9") is None


def _approval(approval_id: str, created: int, status: str = "pending") -> ApprovalRecord:
    return ApprovalRecord(
        id=approval_id,
        ticket_id="t_1",
        action="refund",
        amount=Decimal("5000.00"),
        unit="money",
        currency="TWD",
        requested_by="u_1",
        requested_role="agent_l1",
        required_role="team_lead",
        justification="double charge",
        created_at=at(created),
        status=status,  # type: ignore[arg-type]
    )


def test_pending_approvals_are_oldest_first(uow_factory: Factory) -> None:
    _seed_ticket(uow_factory)
    with uow_factory() as uow:
        uow.approvals.add(_approval("a_2", 2))
        uow.approvals.add(_approval("a_1", 1))
        uow.approvals.add(_approval("a_3", 3, "approved"))
        uow.approvals.save(replace(_approval("a_2", 2), status="denied", decided_by="u_5"))
        uow.commit()
    with uow_factory() as uow:
        assert [a.id for a in uow.approvals.pending()] == ["a_1"]
        assert [a.id for a in uow.approvals.for_ticket("t_1")] == ["a_2", "a_1", "a_3"]
        assert uow.approvals.get("a_1") == _approval("a_1", 1)
        assert [str(a.amount) for a in uow.approvals.for_ticket("t_1")] == ["5000.00"] * 3
        assert uow.approvals.pending(limit=0) == []


def test_calls_actions_escalations_and_surveys_round_trip(uow_factory: Factory) -> None:
    _seed_ticket(uow_factory)
    call = CallRecord("k_1", "t_1", "u_1", at(1), 300, "outbound", "called back")
    action = ActionRecord("x_1", "t_1", "refund", Decimal("12.5"), "money", "TWD", "u_1", "l1", T0)
    escalation = EscalationRecord(
        "e_1",
        "t_1",
        "R-ESC-1",
        "L1",
        "L2",
        ("L2",),
        "L1 for over 15m",
        "system",
        at(15),
        brief={"tried": ["restart"], "mood": "upset", "n": 1},
        notice="We escalated your ticket.",
        expected_by=at(240),
    )
    survey = SurveyRecord("s_1", "t_1", "c_1", "tok-abc", at(100))
    with uow_factory() as uow:
        uow.calls.add(call)
        uow.actions.add(action)
        uow.escalations.add(escalation)
        uow.surveys.add(survey)
        uow.surveys.save(replace(survey, csat=4, nps=8, comment="好", answered_at=at(101)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.calls.for_ticket("t_1") == [call]
        assert uow.actions.for_ticket("t_1") == [action]
        assert str(uow.actions.for_ticket("t_1")[0].amount) == "12.5"  # exactly as given
        assert uow.escalations.for_ticket("t_1") == [escalation]
        answered = uow.surveys.get_by_token("tok-abc")
        assert uow.surveys.get_by_token("nope") is None
    assert answered == replace(survey, csat=4, nps=8, comment="好", answered_at=at(101))
