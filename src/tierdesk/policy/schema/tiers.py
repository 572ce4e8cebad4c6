"""Tiers and how a ticket reaches one: `tiers` (with their Erlang C staffing), `categories`,
`signals`, `routing` overrides and the `triage` settings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from tierdesk.domain.model import Signal
from tierdesk.policy.schema.base import Duration, Percent, PriorityId, Strict, Text, TierId


class TierStaffing(Strict):
    """Erlang C inputs that size a `team_size: auto` tier in the printed SOP (issue 4)."""

    arrivals_per_hour: float = Field(
        gt=0, description="Contacts reaching the tier per hour (the hour to staff for), e.g. 40."
    )
    aht: Duration = Field(description="Average handling time of one contact, e.g. 6m.")
    service_level: Percent = Field(
        description="Share of contacts answered within `answer_within`, e.g. 80% (below 100%)."
    )
    answer_within: Duration = Field(description="The service-level threshold, e.g. 60s or 4h.")
    max_occupancy: Percent = Field(
        Decimal("1"), description="Cap on the share of time agents are busy, e.g. 85%."
    )
    shrinkage: Percent = Field(
        Decimal("0"), description="Share of paid time off the queue (breaks, training), e.g. 30%."
    )

    @field_validator("service_level")
    @classmethod
    def _attainable(cls, v: Decimal) -> Decimal:
        if not 0 < v < 1:
            raise ValueError("a service level must be above 0% and below 100%")
        return v

    @field_validator("max_occupancy")
    @classmethod
    def _positive(cls, v: Decimal) -> Decimal:
        if v <= 0:
            raise ValueError("max occupancy must be above 0%")
        return v

    @field_validator("shrinkage")
    @classmethod
    def _below_all(cls, v: Decimal) -> Decimal:
        if v >= 1:
            raise ValueError("shrinkage must be below 100%")
        return v


class TierDef(Strict):
    name: Text
    scope: Text
    skills: list[Text] = []
    team_size: int | Literal["auto"] = Field(
        description="People in the tier, or `auto` to size it with Erlang C staffing."
    )
    staffing: TierStaffing | None = Field(
        None,
        description=(
            "Erlang C inputs for `team_size: auto`: the printed SOP then shows the agents "
            "needed (after shrinkage) instead of `auto`."
        ),
    )
    tools: list[str] = []
    calendar: str | None = Field(
        None,
        description=(
            "The calendar the tier works on (a key of `calendars`): its time box (R-ESC-1, "
            "time_in_tier) counts working time on it. Default: the policy's business calendar "
            "(`business`, else the first calendar that is not 24x7)."
        ),
    )
    resolution_target: Duration
    first_contact_resolution: bool = False
    expected_share: tuple[Percent, Percent] | None = Field(
        None, description="Expected share of volume as [low, high] (R-TIER-3), e.g. [70%, 80%]."
    )


class Phrases(Strict):
    en: list[str] = []
    zh_tw: list[str] = Field([], alias="zh-TW")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CategoryDef(Strict):
    label: Text
    priority: PriorityId
    tier: TierId
    examples: list[Text] = []
    phrases: Phrases = Phrases()
    expected_share: Percent | None = Field(
        None,
        description="Expected share of contacts, for Top 10 Contact Reasons until data exists.",
    )
    template: str | None = Field(None, description="Template that answers it (a key of templates).")
    signals: list[Signal] = []


class SignalDef(Strict):
    phrases: Phrases
    negations: Phrases = Phrases()


class RoutingRule(Strict):
    """An override: when every condition holds, set tier and/or priority.

    Conditions may read ticket facts (category, signal, channel, refund_over). Conditions on
    customer attributes (vip, plan, spend, segment) break R-TIER-2: the checker warns and the
    engine never applies them.
    """

    id: str
    when: dict[str, Any] = Field(min_length=1)
    tier: TierId | None = None
    priority: PriorityId | None = None
    reason: Text | None = None


class TriageSettings(Strict):
    fallback_category: str = Field(description="Category when nothing matches.")
    human_triage_below: Percent = Field(
        Decimal("0.5"), description="Model confidence under which a person triages."
    )
