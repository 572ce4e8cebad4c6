"""The ticket state fold and the event it folds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tierdesk.domain.events import EventError, EventKind, TicketEvent
from tierdesk.domain.state import ReplayError, apply, replay

T0 = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)


def _ev(seq: int, kind: EventKind, minutes: int = 0, **data: object) -> TicketEvent:
    return TicketEvent("t1", seq, T0 + timedelta(minutes=minutes), "u1", kind, data, "why")


OPENED = _ev(1, EventKind.OPENED, customer_id="c1", channel="email", subject="Hi")


def test_replay_applies_changes_and_derives_bookkeeping() -> None:
    state = replay(
        [
            OPENED,
            _ev(
                2,
                EventKind.TRIAGED,
                changes={
                    "tier": ["", "L1"],
                    "refund_amount": [None, "500.00"],
                    "signals": [[], ["refund_request"]],
                },
            ),
            _ev(3, EventKind.MESSAGE_ADDED, 5, author="agent", template_unedited=True),
            _ev(4, EventKind.CLOCK_PAUSED, 6),
            _ev(5, EventKind.CLOCK_RESUMED, 16),
            _ev(6, EventKind.ESCALATED, 20, rule_ids=["R-ESC-1"], changes={"tier": ["L1", "L2"]}),
        ]
    )
    assert state.version == 6
    assert state.refund_amount == Decimal("500.00") and state.signals == ("refund_request",)
    assert state.first_response_at == T0 + timedelta(minutes=5)
    assert state.unedited_template_count == 1 and state.awaiting_reply_since is None
    assert state.paused_seconds == 600 and state.paused_at is None
    assert state.tier == "L2" and state.tier_since == T0 + timedelta(minutes=20)
    assert state.escalation_marks == ("R-ESC-1",)


def test_a_history_must_start_with_opened_and_have_no_gaps() -> None:
    with pytest.raises(ReplayError, match="no events"):
        replay([])
    with pytest.raises(ReplayError, match="must start with `opened`"):
        replay([_ev(1, EventKind.NOTE_ADDED)])
    with pytest.raises(ReplayError, match="expected event seq 2, got 3"):
        replay([OPENED, _ev(3, EventKind.NOTE_ADDED)])


def test_an_event_of_another_ticket_or_an_unknown_field_is_refused() -> None:
    state = replay([OPENED])
    other = TicketEvent("t2", 2, T0, "u1", EventKind.NOTE_ADDED)
    with pytest.raises(ReplayError, match="ticket t2 applied to ticket t1"):
        apply(state, other)
    with pytest.raises(ReplayError, match="cannot change field 'vip'"):
        apply(state, _ev(2, EventKind.ROUTED, changes={"vip": [False, True]}))
    with pytest.raises(ReplayError, match="cannot change field 'version'"):
        apply(state, _ev(2, EventKind.ROUTED, changes={"version": [1, 9]}))


def test_an_event_refuses_naive_time_and_data_that_is_not_json() -> None:
    with pytest.raises(EventError, match="naive time"):
        TicketEvent("t1", 1, datetime(2025, 1, 1), "u1", EventKind.OPENED)  # noqa: DTZ001
    with pytest.raises(EventError, match="not JSON-able"):
        TicketEvent("t1", 1, T0, "u1", EventKind.OPENED, {"amount": Decimal(1)})
    with pytest.raises(EventError, match="actor is empty"):
        TicketEvent("t1", 1, T0, "", EventKind.OPENED)
