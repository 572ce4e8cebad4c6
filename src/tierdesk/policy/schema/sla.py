"""SLA targets: each priority's response and resolution targets on its clock (`priorities`)
and the channels' own first-response targets (`channels`, R-SLA-4).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from tierdesk.policy.schema.base import Duration, Percent, Strict, Text


class PriorityDef(Strict):
    name: Text
    clock: str = Field(description="The calendar the targets run on (a key of `calendars`).")
    first_response: Duration
    next_reply: Duration | None = None
    resolution: Duration | None = None
    warn_at: Percent = Field(
        Decimal("0.8"), description="Warn when this fraction of a target has elapsed."
    )
    notify: list[str] = Field([], description="Who is told (the SLA table's Escalation column).")


class ChannelTarget(Strict):
    """A channel's own first-response target (R-SLA-4): a ticket that came in on the channel
    must be first answered by the earlier of this due time and its priority's."""

    clock: str = Field(description="The calendar the target runs on (a key of `calendars`).")
    first_response: Duration = Field(
        description="First response target of the channel's tickets on `clock`, e.g. 5m."
    )
