"""Record builders for the storage tests (a uniquely named module, imported by the tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tierdesk.domain.events import EventKind, TicketEvent
from tierdesk.services.records import (
    CustomerRecord,
    MessageRecord,
    OutboxRecord,
    TicketRecord,
    UserRecord,
)

# Store parameters: the in-memory fakes and the databases (PostgreSQL under its marker).
BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

T0 = datetime(2025, 3, 4, 2, 0, 0, 123456, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """T0 plus some minutes."""
    return T0 + timedelta(minutes=minutes)


def customer(customer_id: str = "c_1", **kw: Any) -> CustomerRecord:
    return CustomerRecord(
        id=customer_id,
        name=kw.pop("name", "Mei"),
        language="zh-TW",
        created_at=kw.pop("created_at", T0),
        **kw,
    )


def ticket(ticket_id: str = "t_1", customer_id: str = "c_1", **kw: Any) -> TicketRecord:
    created = kw.pop("created_at", T0)
    values: dict[str, Any] = {
        "id": ticket_id,
        "version": 1,
        "customer_id": customer_id,
        "channel": "email",
        "subject": "Where is my order?",
        "language": "en",
        "status": "new",
        "category": "order_status",
        "priority": "P3",
        "tier": "L1",
        "queue": "general",
        "created_at": created,
        "updated_at": created,
        "tier_since": created,
    }
    values.update(kw)
    return TicketRecord(**values)


def full_ticket(ticket_id: str = "t_full", customer_id: str = "c_1") -> TicketRecord:
    """A ticket with every optional field set (for round trips)."""
    return ticket(
        ticket_id,
        customer_id,
        version=7,
        assignee_id="u_9",
        signals=("refund_request", "angry"),
        escalate_to=("L2", "team_lead"),
        refund_amount=Decimal("1234.56"),
        refund_currency="TWD",
        needs_human=True,
        first_response_at=at(1),
        awaiting_reply_since=at(2),
        last_reply_at=at(3),
        paused_at=at(4),
        paused_seconds=61,
        resolved_at=at(5),
        closed_at=at(6),
        reopen_count=2,
        merged_into="t_other",
        related_to="t_root",
        contact_count=3,
        identity_verified_at=at(7),
        escalation_count=1,
        escalation_marks=("R-ESC-1",),
        sla_marks=("warning:first_response", "breach:resolution"),
        call_seconds=300,
        reply_count=4,
        unedited_template_count=1,
        csat=5,
        nps=9,
        policy_version_id="pv_1",
        idempotency_key="idem-1",
        channel_message_id="<m1@example.com>",
        sweep_at=at(30),
    )


def event(ticket_id: str, seq: int, kind: EventKind = EventKind.NOTE_ADDED) -> TicketEvent:
    return TicketEvent(
        ticket_id,
        seq,
        at(seq),
        "u_1",
        kind,
        {"changes": {"priority": ["P3", "P2"]}, "n": seq, "note": "雙重扣款"},
        f"reason {seq}",
    )


def message(message_id: str, ticket_id: str = "t_1", **kw: Any) -> MessageRecord:
    values: dict[str, Any] = {
        "id": message_id,
        "ticket_id": ticket_id,
        "kind": "customer",
        "channel": "email",
        "body": "hello",
        "created_at": T0,
    }
    values.update(kw)
    return MessageRecord(**values)


def outbox(message_id: str, dedupe_key: str, ticket_id: str = "t_1", **kw: Any) -> OutboxRecord:
    values: dict[str, Any] = {
        "id": message_id,
        "kind": "receipt",
        "channel": "email",
        "recipient": "mei@example.com",
        "payload": {"subject": "Re: order", "lines": ["a", "b"]},
        "dedupe_key": dedupe_key,
        "created_at": T0,
        "next_attempt_at": T0,
        "ticket_id": ticket_id,
    }
    values.update(kw)
    return OutboxRecord(**values)


def user(user_id: str, username: str, role: str = "agent_l1") -> UserRecord:
    return UserRecord(
        id=user_id, username=username, display_name=username, role=role, created_at=T0
    )
