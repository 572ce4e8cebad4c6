"""Rows <-> records, explicitly: no ORM.

Every record maps field for field to the columns of its table (see `tables`), except that a
tuple of str is stored as a JSON array (read back as a tuple) and an event's `kind` as its
string value. Surrogate `row_id` columns never reach a record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypeVar

from tierdesk.domain.events import EventKind, TicketEvent
from tierdesk.services.ports import (
    EscalationRecord,
    InboundMailRecord,
    NoticeRecord,
    NoticeSettingsRecord,
    PolicyVersionRecord,
    TicketRecord,
    WebhookRecord,
)

R = TypeVar("R")

# The fields stored as JSON arrays, per record type.
_TUPLE_FIELDS: dict[type[Any], frozenset[str]] = {
    TicketRecord: frozenset({"signals", "escalate_to", "escalation_marks", "sla_marks"}),
    EscalationRecord: frozenset({"targets"}),
    WebhookRecord: frozenset({"events"}),
    InboundMailRecord: frozenset({"attachments"}),
    PolicyVersionRecord: frozenset({"findings"}),
    NoticeRecord: frozenset({"rule_ids"}),
    NoticeSettingsRecord: frozenset({"channels"}),
}

_LAYOUTS: dict[type[Any], tuple[tuple[str, bool], ...]] = {}


def _layout(record_type: type[Any]) -> tuple[tuple[str, bool], ...]:
    """(field name, stored as a JSON array) for each field of a record type, looked up once:
    `dataclasses.fields` is too slow to call for every row."""
    layout = _LAYOUTS.get(record_type)
    if layout is None:
        tuples = _TUPLE_FIELDS.get(record_type, frozenset())
        layout = tuple((f.name, f.name in tuples) for f in fields(record_type))
        _LAYOUTS[record_type] = layout
    return layout


def to_row(record: Any) -> dict[str, Any]:
    """The column values of a record (tuples as lists, dicts copied)."""
    row: dict[str, Any] = {}
    for name, is_tuple in _layout(type(record)):
        value = getattr(record, name)
        if is_tuple:
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        row[name] = value
    return row


def from_row(record_type: type[R], row: Mapping[Any, Any]) -> R:
    """The record of `record_type` held in a row (extra columns such as `row_id` are ignored)."""
    values: dict[str, Any] = {}
    for name, is_tuple in _layout(record_type):
        value = row[name]
        values[name] = tuple(value) if is_tuple else value
    return record_type(**values)


def event_to_row(event: TicketEvent) -> dict[str, Any]:
    """The column values of a ticket event."""
    return {
        "ticket_id": event.ticket_id,
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "kind": event.kind.value,
        "data": dict(event.data),
        "reason": event.reason,
    }


def event_from_row(row: Mapping[Any, Any]) -> TicketEvent:
    """The ticket event held in a row."""
    return TicketEvent(
        ticket_id=row["ticket_id"],
        seq=row["seq"],
        at=row["at"],
        actor=row["actor"],
        kind=EventKind(row["kind"]),
        data=row["data"],
        reason=row["reason"],
    )
