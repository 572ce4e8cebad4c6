"""Measured values the printed SOP can carry (`tierdesk sop render --with-data`): the current
value, trend and action of each metric target, and the Top 10 Contact Reasons from the store.
Plain data; `tierdesk.analytics` fills it from a metrics report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class LiveMetric:
    """`unit`: percent (fraction 0-1), seconds, score5, nps or count."""

    value: float | None
    unit: str
    change: float | None
    action_required: bool


@dataclass(frozen=True)
class LiveReason:
    category: str
    label: str
    share: float
    tier: str
    template: bool


@dataclass(frozen=True)
class LiveData:
    since: date
    until: date
    metrics: Mapping[str, LiveMetric] = field(default_factory=dict)  # by policy metric id
    reasons: tuple[LiveReason, ...] = ()
