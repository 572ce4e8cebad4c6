"""Escalation (`escalation`, `teams`): the rules with their trigger, target and timeline, the
decision matrix (R-ESC-6) and the non-tier escalation targets.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from tierdesk.domain.durations import parse_duration
from tierdesk.domain.model import Signal
from tierdesk.policy.schema.base import Currency, Identifier, Strict, Text
from tierdesk.policy.schema.triggers import Trigger

_TIMELINE = re.compile(r"^(immediate|same_interaction|within (.+)|after_contact (\d+))$")


class EscalationRuleDef(Strict):
    id: str = Field(description="Rule ID, e.g. R-ESC-1.")
    description: Text | None = None
    trigger: Trigger
    target: list[str] = Field(min_length=1, description="Tiers, roles or teams.")
    timeline: str = Field(
        description="`immediate`, `same_interaction`, `within <duration>`, `after_contact <n>`."
    )
    handoff: Literal["warm", "cold"] = "warm"

    @field_validator("timeline")
    @classmethod
    def _timeline(cls, v: str) -> str:
        m = _TIMELINE.match(v.strip())
        if m is None:
            raise ValueError(
                f"{v!r} is not a timeline; use immediate, same_interaction, "
                "within <duration> or after_contact <n>"
            )
        if m.group(2):
            parse_duration(m.group(2))
        return v.strip()


class Band(Strict):
    min: Decimal = Field(Decimal(0), ge=0)
    max: Decimal | None = Field(None, description="Exclusive upper bound; empty for no limit.")
    role: str


class Level(Strict):
    id: Identifier
    label: Text
    role: str
    signal: Signal | None = Field(None, description="A signal that puts a ticket at this level.")


class MatrixRowDef(Strict):
    id: Identifier
    label: Text
    currency: Currency | None = None
    bands: list[Band] = []
    levels: list[Level] = []


class Escalation(Strict):
    rules: list[EscalationRuleDef] = []
    matrix: list[MatrixRowDef] = Field([], description="Decision matrix by issue type and value.")
    customer_notice: str | None = Field(
        None, description="Template sent to the customer on every escalation (R-ESC-7)."
    )


class Team(Strict):
    name: Text
