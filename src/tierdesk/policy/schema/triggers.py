"""Escalation triggers: one schema per trigger kind, the discriminated `Trigger` union a rule's
`trigger` is, and `trigger_params` (what the kind's `compile` and `check` read).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from tierdesk.domain.model import Signal
from tierdesk.policy.schema.base import Duration, Strict, TierId


class TimeInTier(Strict):
    type: Literal["time_in_tier"]
    tier: TierId
    over: Duration


class SignalTrigger(Strict):
    type: Literal["signal"]
    any_of: list[Signal] = Field(min_length=1)


class RefundOverAuthority(Strict):
    type: Literal["refund_over_authority"]
    role: str = Field(description="The role whose refund limit is exceeded, e.g. agent_l1.")


class RepeatContact(Strict):
    type: Literal["repeat_contact"]
    count: int = Field(ge=2, description="The contact number on the same issue that triggers.")


# One schema per kind in tierdesk.domain.triggers.REGISTRY (the pure domain cannot hold pydantic
# models; tests/unit/test_triggers.py checks the two name the same kinds).
TRIGGER_SCHEMAS = (TimeInTier, SignalTrigger, RefundOverAuthority, RepeatContact)


def trigger_params(trigger: BaseModel) -> dict[str, Any]:
    """A trigger's values as validated (a duration is a timedelta), `type` left out: what its
    kind's `compile` and `check` read."""
    return {name: getattr(trigger, name) for name in type(trigger).model_fields if name != "type"}


Trigger = Annotated[
    TimeInTier | SignalTrigger | RefundOverAuthority | RepeatContact, Field(discriminator="type")
]
