"""GET /api/metrics: the SOP's metrics (docs/metrics.md) for leads, supervisors, managers, QA
and admins (`services.users.METRICS_ROLES`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from tierdesk import analytics, bootstrap
from tierdesk.analytics.metrics import ChannelResponse, Reason, SlaAttainment, TierShare
from tierdesk.services.users import METRICS_ROLES
from tierdesk.web.api.common import State, invalid_field
from tierdesk.web.auth import Principal, require_role

router = APIRouter(tags=["metrics"])
Reader = Annotated[Principal, Depends(require_role(METRICS_ROLES, "read metrics"))]
Filter = Annotated[list[str] | None, Query(max_length=50)]
DEFAULT_DAYS = 30


class MetricsOut(BaseModel):
    """A metrics report: each metric against its policy target with the previous period's
    value and trend, and the breakdowns. Durations in seconds, shares as fractions 0-1."""

    since: datetime
    until: datetime
    now: datetime
    filters: dict[str, list[str]]
    metrics: list[analytics.MetricValue]
    tier_mix: list[TierShare]
    sla: list[SlaAttainment]
    channels: list[ChannelResponse]
    top_reasons: list[Reason]
    backlog_oldest_seconds: float | None
    action_required: list[str]


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise invalid_field(f"query.{name}", "give a time zone offset, e.g. 2026-11-01T00:00Z")
    return value


@router.get("/metrics", response_model=MetricsOut)
def metrics(
    user: Reader,
    state: State,
    since: Annotated[
        datetime | None, Query(description="Start (default: until - 30 days).")
    ] = None,
    until: Annotated[datetime | None, Query(description="End, exclusive (default: now).")] = None,
    channel: Filter = None,
    tier: Filter = None,
    team: Filter = None,
    agent: Filter = None,
    category: Filter = None,
) -> MetricsOut:
    """Metrics of the tickets created in [since, until) that match the filters."""
    env = state.env
    end = _aware(until, "until") or env.now()
    start = _aware(since, "since") or end - timedelta(days=DEFAULT_DAYS)
    try:
        scope = analytics.Scope(
            start,
            end,
            channel=tuple(channel or ()),
            tier=tuple(tier or ()),
            team=tuple(team or ()),
            agent=tuple(agent or ()),
            category=tuple(category or ()),
        )
        report = bootstrap.measure(env, scope)
    except analytics.ScopeError as exc:
        raise invalid_field("query.until", str(exc)) from None
    return MetricsOut(
        since=report.since,
        until=report.until,
        now=report.now,
        filters=report.filters,
        metrics=list(report.metrics),
        tier_mix=list(report.tier_mix),
        sla=list(report.sla),
        channels=list(report.channels),
        top_reasons=list(report.top_reasons),
        backlog_oldest_seconds=report.backlog_oldest,
        action_required=list(report.action_required),
    )
