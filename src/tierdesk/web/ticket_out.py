"""What the API answers about tickets: `TicketOut`, a schema of its own, not the stored row.

`TicketOut` has the fields of the domain's `TicketState` but those in `NOT_IN_API`; the store's
own columns (`TicketRecord.sweep_at`) never leave either. `TicketPageOut`, `TicketViewOut` and
`AppliedOut` are the services' `TicketPage`, `TicketView` and `Applied` with the ticket as a
`TicketOut`. docs/api.md lists what stays inside.

Durations never leave as ISO 8601 (`P1DT16H`): each is a `Span`, whole `seconds` with the
`clock` it runs on (`business` or `24x7`), the policy `calendar` and the `text` a person reads
(`40 business hours`), made by `tierdesk.domain.durations.duration_json`.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, get_type_hints

from pydantic import BaseModel, Field, create_model, model_validator

from tierdesk.domain.durations import duration_json
from tierdesk.domain.sla import ClockStatus
from tierdesk.domain.state import TicketState
from tierdesk.services.approvals import Applied
from tierdesk.services.queries import TicketView
from tierdesk.services.records import TicketPage

# Bookkeeping of the engine, not facts about the ticket: the escalation rules already acted on
# (the escalations themselves are in GET /api/tickets/{id}).
NOT_IN_API = frozenset({"escalation_marks"})


class Span(BaseModel):
    """A duration: whole seconds on the clock it runs on, and as a person says it."""

    seconds: int = Field(description="Whole seconds (of business time on a business clock).")
    clock: Literal["business", "24x7"] = Field(
        description="`business`: counted in the calendar's opening hours only; `24x7`: always."
    )
    calendar: str = Field(description="The policy calendar it is counted on (`calendars`).")
    text: str = Field(description="As a person says it: `24 business hours`, `40 hours`.")


def clock_json(status: ClockStatus) -> dict[str, Any]:
    """An SLA clock's fields with every duration as a `Span` on the clock's calendar."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(status):
        value = getattr(status, f.name)
        if isinstance(value, timedelta):
            value = duration_json(value, calendar=status.calendar, always_open=status.always_open)
        elif f.name == "previous":
            value = [clock_json(p) for p in value]
        out[f.name] = value
    return out


class _FromClock(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _spans(cls, value: Any) -> Any:
        return clock_json(value) if isinstance(value, ClockStatus) else value


def _model(
    name: str,
    source: type,
    doc: str | None,
    skip: frozenset[str] = frozenset(),
    base: type[BaseModel] | None = None,
    **types: Any,
) -> Any:
    """A response model with the fields of dataclass `source` (types and defaults), but those
    in `skip`, and the field types in `types` replaced."""
    hints = get_type_hints(source)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(source):
        if f.name in skip:
            continue
        default = f.default if f.default is not dataclasses.MISSING else ...
        fields[f.name] = (types.get(f.name, hints[f.name]), default)
    if base is not None:
        return create_model(name, __base__=base, __doc__=doc, **fields)
    return create_model(name, __doc__=doc, **fields)


def _spans_of(source: type) -> dict[str, Any]:
    """Every duration field of dataclass `source` as a `Span` (optional ones stay optional)."""
    hints = get_type_hints(source)
    return {
        name: Span if hint is timedelta else Span | None
        for name, hint in hints.items()
        if hint is timedelta or hint == timedelta | None
    }


if TYPE_CHECKING:
    ClockOut = BaseModel
    TicketOut = BaseModel
    TicketPageOut = BaseModel
    TicketViewOut = BaseModel
    AppliedOut = BaseModel
else:
    TicketOut = _model(
        "TicketOut",
        TicketState,
        "A ticket's current state. `version` is the seq of its last event (also its ETag).",
        NOT_IN_API,
    )
    TicketPageOut = _model(
        "TicketPage", TicketPage, TicketPage.__doc__, items=tuple[TicketOut, ...]
    )
    _Previous = _model(
        "PreviousClockStatus",
        ClockStatus,
        "An earlier cycle of a restarting clock (next reply).",
        frozenset({"previous"}),
        _FromClock,
        **_spans_of(ClockStatus),
    )
    ClockOut = _model(
        "ClockStatus",
        ClockStatus,
        ClockStatus.__doc__,
        base=_FromClock,
        previous=tuple[_Previous, ...],
        **_spans_of(ClockStatus),
    )
    TicketViewOut = _model(
        "TicketView",
        TicketView,
        TicketView.__doc__,
        ticket=TicketOut,
        clocks=tuple[ClockOut, ...],
    )
    AppliedOut = _model(
        "Applied", Applied, "A recovery action applied, and the ticket after it.", ticket=TicketOut
    )
