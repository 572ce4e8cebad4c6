"""What the API answers about tickets: `TicketOut`, a schema of its own, not the stored row.

`TicketOut` has the fields of the domain's `TicketState` but those in `NOT_IN_API`; the store's
own columns (`TicketRecord.sweep_at`) never leave either. `TicketPageOut`, `TicketViewOut` and
`AppliedOut` are the services' `TicketPage`, `TicketView` and `Applied` with the ticket as a
`TicketOut`. docs/api.md lists what stays inside.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, get_type_hints

from pydantic import BaseModel, create_model

from tierdesk.domain.state import TicketState
from tierdesk.services.approvals import Applied
from tierdesk.services.queries import TicketView
from tierdesk.services.records import TicketPage

# Bookkeeping of the engine, not facts about the ticket: the escalation rules already acted on
# (the escalations themselves are in GET /api/tickets/{id}).
NOT_IN_API = frozenset({"escalation_marks"})


def _model(
    name: str, source: type, doc: str | None, skip: frozenset[str] = frozenset(), **types: Any
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
    return create_model(name, __doc__=doc, **fields)


if TYPE_CHECKING:
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
    TicketViewOut = _model("TicketView", TicketView, TicketView.__doc__, ticket=TicketOut)
    AppliedOut = _model(
        "Applied", Applied, "A recovery action applied, and the ticket after it.", ticket=TicketOut
    )
