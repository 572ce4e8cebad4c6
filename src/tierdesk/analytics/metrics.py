"""The metric set (R-MET-1, R-TIER-3): one definition per metric, measured over a period and the
period before it, against the policy's targets.

`measure(conn, tables, rules, scope, now)` runs the statements of `tierdesk.analytics.queries`
for the scope and for the previous period of the same length and returns a `Report`: every
metric with its value, the previous value, the trend and whether action is required (a target
missed), plus the breakdowns (tier mix against its expected band, SLA attainment per priority
and clock, first response per channel, backlog and the top contact reasons). docs/metrics.md
states each definition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa

from tierdesk.analytics.business import calendar_rows, days_on
from tierdesk.analytics.queries import (
    Ctx,
    Query,
    backlog,
    by_channel,
    calls,
    cohort,
    durations_query,
    handoffs,
    next_reply_mean,
    reply_cycles_query,
    sla_rows,
    stop_intervals,
    ticket_totals,
    tier_mix,
    top_reasons,
)
from tierdesk.analytics.scope import Scope, Tables, check_reach
from tierdesk.analytics.sqlfn import kept
from tierdesk.domain.calendar import require_aware
from tierdesk.domain.durations import DurationError, parse_duration
from tierdesk.domain.rulebook import MetricTarget, Rulebook

Unit = Literal["percent", "score5", "nps", "seconds", "count"]
Trend = Literal["better", "worse", "same"]


@dataclass(frozen=True)
class Measures:
    """The raw aggregates of one period (a few rows from the database)."""

    totals: dict[str, Any]
    sla: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    tiers: dict[str, int]
    calls: dict[str, Any]
    handoffs: dict[str, Any]
    next_reply: float | None
    backlog: dict[str, Any]
    reasons: list[dict[str, Any]]
    # categories with a published knowledge-base article (issue 16), when the store has them
    articles: frozenset[str] = frozenset()


def _share(num: Any, den: Any) -> float | None:
    return None if not den else float(num) / float(den)


def _nps(m: Measures) -> float | None:
    t = m.totals
    n = t["nps_answers"]
    return None if not n else 100.0 * (t["promoters"] - t["detractors"]) / n


def _attainment(rows: list[dict[str, Any]]) -> float | None:
    met = sum(r["met"] for r in rows)
    return _share(met, met + sum(r["breached"] for r in rows))


def _channel_fr(channel: str) -> Callable[[Measures], float | None]:
    def value(m: Measures) -> float | None:
        row = next((r for r in m.channels if r["channel"] == channel), None)
        return (
            None
            if row is None or row["first_response_mean"] is None
            else float(row["first_response_mean"])
        )

    return value


def _num(key: str, part: str = "totals") -> Callable[[Measures], float | None]:
    def value(m: Measures) -> float | None:
        v = getattr(m, part)[key]
        return None if v is None else float(v)

    return value


@dataclass(frozen=True)
class Metric:
    """One metric's definition: how it is read from a period's measures, its unit, which way
    is better, and the policy target (`MetricTarget.id`, with the unit it must be written in)
    that applies to it."""

    id: str
    label: str
    unit: Unit
    higher_is_better: bool | None
    value: Callable[[Measures], float | None]
    target: str | None = None
    target_units: tuple[str, ...] = ()


METRICS: tuple[Metric, ...] = (
    Metric("volume", "Tickets", "count", None, _num("tickets")),
    Metric(
        "fcr",
        "First contact resolution",
        "percent",
        True,
        lambda m: _share(m.totals["first_contact"], m.totals["resolved"]),
        "fcr",
        ("percent",),
    ),
    Metric("csat", "CSAT (mean of 1-5)", "score5", True, _num("csat_mean"), "csat", ("score5",)),
    Metric(
        "csat_satisfied",
        "CSAT satisfied (4-5)",
        "percent",
        True,
        lambda m: _share(m.totals["csat_satisfied"], m.totals["csat_answers"]),
        "csat",
        ("percent",),
    ),
    Metric("nps", "Net Promoter Score", "nps", True, _nps, "nps", ("number",)),
    Metric(
        "aht",
        "Average handle time (calls)",
        "seconds",
        False,
        _num("aht", "calls"),
        "aht",
        ("seconds",),
    ),
    Metric(
        "phone_service_level",
        "Phone service level (inbound calls answered in time)",
        "percent",
        True,
        lambda m: _share(m.calls["answered_in_time"], m.calls["answered"]),
        "service_level",
        ("service_level",),
    ),
    Metric(
        "first_response_time",
        "First response time (mean, business)",
        "seconds",
        False,
        _num("first_response_mean"),
        "avg_response_time",
        ("seconds",),
    ),
    Metric(
        "email_first_response_time",
        "Email first response time (mean, business)",
        "seconds",
        False,
        _channel_fr("email"),
        "email_response_time",
        ("seconds",),
    ),
    Metric(
        "next_reply_time",
        "Next reply time (mean, business)",
        "seconds",
        False,
        lambda m: m.next_reply,
    ),
    Metric(
        "resolution_time",
        "Resolution time (mean, business)",
        "seconds",
        False,
        _num("resolution_mean"),
        "resolution_time",
        ("seconds",),
    ),
    Metric(
        "sla_attainment",
        "SLA attainment (all clocks)",
        "percent",
        True,
        lambda m: _attainment(m.sla),
        "sla_attainment",
        ("percent",),
    ),
    Metric(
        "escalation_rate",
        "Escalation rate",
        "percent",
        False,
        lambda m: _share(m.totals["escalated"], m.totals["tickets"]),
        "escalation_rate",
        ("percent",),
    ),
    Metric(
        "reopen_rate",
        "Reopen rate",
        "percent",
        False,
        lambda m: _share(m.totals["reopened"], m.totals["resolved"]),
    ),
    Metric(
        "repeat_contact_rate",
        "Repeat-contact rate",
        "percent",
        False,
        lambda m: _share(m.totals["repeats"], m.totals["tickets"]),
    ),
    Metric(
        "handoff_repeat_rate",
        "Handoffs where the customer repeated the story",
        "percent",
        False,
        lambda m: _share(m.handoffs["repeated"], m.handoffs["handoffs"]),
    ),
    Metric("backlog", "Backlog (open at period end)", "count", False, _num("open", "backlog")),
    Metric(
        "backlog_age",
        "Backlog mean age (wall clock)",
        "seconds",
        False,
        _num("mean_age", "backlog"),
    ),
)


@dataclass(frozen=True)
class MetricValue:
    """A metric over the period: `value` (None: nothing to measure), the previous period's
    value, the trend, the policy target as written and whether it is met; `action_required`
    when a target is missed."""

    id: str
    label: str
    unit: Unit
    value: float | None
    previous: float | None
    change: float | None
    trend: Trend | None
    target: str | None
    on_target: bool | None
    action_required: bool


@dataclass(frozen=True)
class TierShare:
    tier: str
    tickets: int
    share: float | None
    expected: tuple[float, float] | None
    previous_share: float | None
    action_required: bool  # outside the expected band (R-TIER-3)


@dataclass(frozen=True)
class SlaAttainment:
    priority: str
    clock: str
    met: int
    breached: int
    attainment: float | None
    previous: float | None


@dataclass(frozen=True)
class ChannelResponse:
    channel: str
    tickets: int
    first_response_mean: float | None
    met: int
    breached: int
    attainment: float | None
    # seconds of the channel's own first-response target (R-SLA-4), None without one
    channel_target: float | None = None


@dataclass(frozen=True)
class Reason:
    """A row of Top 10 Contact Reasons (R-MET-2)."""

    category: str
    label: str
    tickets: int
    share: float
    resolving_tier: str
    template: bool
    article: bool = False  # a published knowledge-base article covers it (issue 16)


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    now: datetime
    filters: dict[str, list[str]]
    metrics: tuple[MetricValue, ...]
    tier_mix: tuple[TierShare, ...]
    sla: tuple[SlaAttainment, ...]
    channels: tuple[ChannelResponse, ...]
    top_reasons: tuple[Reason, ...]
    backlog_oldest: float | None
    previous: Measures | None = field(default=None, repr=False)
    # (slice start, TREND_METRICS values) oldest first, when asked for (`trend_buckets`)
    series: tuple[tuple[datetime, dict[str, float | None]], ...] = ()

    def metric(self, metric_id: str) -> MetricValue:
        return next(m for m in self.metrics if m.id == metric_id)

    def for_target(self, target: MetricTarget) -> MetricValue | None:
        """The measured metric a policy target applies to (None: not measured here)."""
        d = next(
            (d for d in METRICS if d.target == target.id and target.unit in d.target_units), None
        )
        return None if d is None else self.metric(d.id)

    @property
    def action_required(self) -> tuple[str, ...]:
        """Ids of the metrics and tiers that are off target."""
        out = [m.id for m in self.metrics if m.action_required]
        out += [f"tier_mix:{t.tier}" for t in self.tier_mix if t.action_required]
        return tuple(out)


def _context(
    conn: sa.Connection,
    t: Tables,
    rules: Rulebook,
    scope: Scope,
    now: datetime,
    *,
    cycles: bool = True,
) -> Ctx:
    """The period's shared pieces. On DuckDB (the Parquet path) the per-ticket durations (and,
    with `cycles`, the reply cycles) that several statements read are computed once into
    temporary tables: the same definitions, not evaluated again in each statement. The store's
    read-only SQLite and PostgreSQL connections keep them as CTEs."""
    check_reach(scope, now)
    lo = min(scope.since, now) - timedelta(days=2)
    hi = max(scope.until, now) + timedelta(days=2)
    bdays = days_on(conn, calendar_rows(rules.calendars, lo, hi))
    tk = cohort(t, rules, scope)
    ctx = Ctx(t, bdays, tk, stop_intervals(t, tk), now.timestamp())
    if conn.dialect.name != "duckdb":
        return ctx
    ctx = replace(ctx, dur=kept(conn, "tierdesk_dur", durations_query(ctx)))
    if cycles:
        ctx = replace(ctx, cycles=kept(conn, "tierdesk_cycles", reply_cycles_query(ctx)))
    return ctx


DEFAULT_ANSWER_WITHIN = 60.0  # seconds: R-SLA-3's "80% in 60 s" when the policy sets none


def answer_within(rules: Rulebook) -> float:
    """Seconds within which a call counts as answered in time (R-SLA-3): the policy's
    `service_level` target's threshold (`> 80% in 60s`), else DEFAULT_ANSWER_WITHIN."""
    target = next((t for t in rules.metrics if t.id == "service_level"), None)
    if target is None or " in " not in target.display:
        return DEFAULT_ANSWER_WITHIN
    try:
        return parse_duration(target.display.partition(" in ")[2].strip()).total_seconds()
    except DurationError:
        return DEFAULT_ANSWER_WITHIN


def _rows(conn: sa.Connection, stmt: Query) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(stmt)]


def collect(
    conn: sa.Connection,
    t: Tables,
    rules: Rulebook,
    scope: Scope,
    now: datetime,
    ctx: Ctx | None = None,
) -> Measures:
    """The raw aggregates of `scope` as of `now` (aware), on `ctx` when given (the same
    scope's `_context`, as `measure` shares it with the trend `series`)."""
    ctx = ctx or _context(conn, t, rules, scope, now)
    nr = _rows(conn, next_reply_mean(ctx))[0]["next_reply_mean"]
    return Measures(
        totals=_rows(conn, ticket_totals(ctx))[0],
        sla=_rows(conn, sla_rows(ctx)),
        channels=_rows(conn, by_channel(ctx)),
        tiers={r["tier"]: r["tickets"] for r in _rows(conn, tier_mix(ctx))},
        calls=_rows(conn, calls(ctx, answer_within(rules)))[0],
        handoffs=_rows(conn, handoffs(ctx))[0],
        next_reply=None if nr is None else float(nr),
        backlog=_rows(conn, backlog(t, scope, min(scope.until, now)))[0],
        reasons=_rows(conn, top_reasons(ctx)),
        articles=_article_categories(conn, t),
    )


def _article_categories(conn: sa.Connection, t: Tables) -> frozenset[str]:
    """Categories with a live knowledge-base translation (none when the tables are absent,
    as in a Parquet export)."""
    articles, translations = t.extra.get("kb_articles"), t.extra.get("kb_translations")
    if articles is None or translations is None:
        return frozenset()
    query = (
        sa.select(articles.c.category)
        .distinct()
        .select_from(articles.join(translations, translations.c.article_id == articles.c.id))
        .where(translations.c.published_title.is_not(None))
    )
    return frozenset(str(r[0]) for r in conn.execute(query))


TREND_METRICS: tuple[str, ...] = (
    "volume",
    "fcr",
    "first_response_time",
    "resolution_time",
    "csat",
    "escalation_rate",
    "sla_attainment",  # in the trend lines: first-response attainment
)


def series(
    conn: sa.Connection,
    t: Tables,
    rules: Rulebook,
    scope: Scope,
    now: datetime,
    buckets: int = 6,
    ctx: Ctx | None = None,
) -> list[tuple[datetime, dict[str, float | None]]]:
    """`TREND_METRICS` over `buckets` equal slices of the scope's period, oldest first (the
    report's trend lines), from one query grouped by slice (on `ctx`, as in `collect`)."""
    step = (scope.until - scope.since) / buckets
    ctx = ctx or _context(conn, t, rules, scope, now, cycles=False)
    rows = {
        r["slice"]: r
        for r in _rows(conn, ticket_totals(ctx, (scope.since.timestamp(), step.total_seconds())))
    }
    by_id = {d.id: d for d in METRICS}
    out = []
    for i in range(buckets):
        row = rows.get(i)
        values: dict[str, float | None] = dict.fromkeys(TREND_METRICS)
        if row is not None:
            m = Measures(row, [], [], {}, {}, {}, None, {}, [])
            values = {k: by_id[k].value(m) for k in TREND_METRICS if k != "sla_attainment"}
            values["sla_attainment"] = _share(row["fr_met"], row["fr_met"] + row["fr_breached"])
        out.append((scope.since + step * i, values))
    return out


def measure(
    conn: sa.Connection,
    t: Tables,
    rules: Rulebook,
    scope: Scope,
    now: datetime,
    *,
    trend_buckets: int = 0,
) -> Report:
    """The report of `scope` (see the module doc), with the trend `series` over
    `trend_buckets` slices of the period when that is above 0."""
    now = require_aware(now, "now")
    ctx = _context(conn, t, rules, scope, now)
    current = collect(conn, t, rules, scope, now, ctx)
    trend = series(conn, t, rules, scope, now, trend_buckets, ctx) if trend_buckets > 0 else None
    # after the current period's statements: on DuckDB its temp tables are replaced here
    previous = collect(conn, t, rules, scope.previous(), now)
    report = build(rules, scope, now, current, previous)
    if trend is not None:
        report = replace(report, series=tuple(trend))
    return report


def build(
    rules: Rulebook, scope: Scope, now: datetime, current: Measures, previous: Measures
) -> Report:
    """A Report from two periods' measures (no I/O)."""
    targets = {m.id: m for m in rules.metrics}
    metrics = tuple(_value(d, current, previous, targets) for d in METRICS)
    return Report(
        since=scope.since,
        until=scope.until,
        now=now,
        filters=scope.filters(),
        metrics=metrics,
        tier_mix=_tiers(rules, current, previous, judged=not scope.tier),
        sla=_sla(current, previous),
        channels=tuple(
            ChannelResponse(
                r["channel"],
                r["tickets"],
                None if r["first_response_mean"] is None else float(r["first_response_mean"]),
                r["met"],
                r["breached"],
                _share(r["met"], r["met"] + r["breached"]),
                None if r["channel_target"] is None else float(r["channel_target"]),
            )
            for r in current.channels
        ),
        top_reasons=reasons(rules, current),
        backlog_oldest=None
        if current.backlog["max_age"] is None
        else float(current.backlog["max_age"]),
        previous=previous,
    )


def _meets(target: MetricTarget, value: float) -> bool:
    v, goal = Decimal(str(value)), target.value
    return {"<": v < goal, "<=": v <= goal, ">": v > goal, ">=": v >= goal}[target.op]


def _value(
    d: Metric, current: Measures, previous: Measures, targets: dict[str, MetricTarget]
) -> MetricValue:
    value, before = d.value(current), d.value(previous)
    target = targets.get(d.target) if d.target else None
    if target is not None and target.unit not in d.target_units:
        target = None
    on_target = None if target is None or value is None else _meets(target, value)
    change = None if value is None or before is None else value - before
    trend: Trend | None = None
    if change is not None and d.higher_is_better is not None:
        trend = (
            "same" if change == 0 else ("better" if (change > 0) == d.higher_is_better else "worse")
        )
    return MetricValue(
        d.id,
        d.label,
        d.unit,
        value,
        before,
        change,
        trend,
        None if target is None else target.display,
        on_target,
        on_target is False,
    )


def _tiers(
    rules: Rulebook, current: Measures, previous: Measures, *, judged: bool = True
) -> tuple[TierShare, ...]:
    """The mix against each tier's band; not `judged` when the report is narrowed to tiers
    (L1 alone is 100% of itself: no action is required of a mix the filter made)."""
    total, total_before = sum(current.tiers.values()), sum(previous.tiers.values())
    out = []
    for tier in rules.tiers:
        n = current.tiers.get(tier.id, 0)
        share = _share(n, total)
        band = tier.expected_share
        off = judged and band is not None and share is not None and not band[0] <= share <= band[1]
        out.append(
            TierShare(
                tier.id, n, share, band, _share(previous.tiers.get(tier.id, 0), total_before), off
            )
        )
    return tuple(out)


def _sla(current: Measures, previous: Measures) -> tuple[SlaAttainment, ...]:
    before = {(r["priority"], r["clock"]): r for r in previous.sla}
    out = []
    for r in sorted(current.sla, key=lambda r: (r["priority"], r["clock"])):
        p = before.get((r["priority"], r["clock"]))
        out.append(
            SlaAttainment(
                r["priority"],
                r["clock"],
                r["met"],
                r["breached"],
                _share(r["met"], r["met"] + r["breached"]),
                None if p is None else _share(p["met"], p["met"] + p["breached"]),
            )
        )
    return tuple(out)


def reasons(rules: Rulebook, m: Measures, limit: int = 10) -> tuple[Reason, ...]:
    """Top contact reasons by volume: the tier that resolved most of a category's tickets
    (else the tier most of them are in), whether the policy has a template for it and whether
    a published knowledge-base article covers it."""
    total = sum(r["tickets"] for r in m.reasons)
    by_cat: dict[str, list[dict[str, Any]]] = {}
    for r in m.reasons:
        by_cat.setdefault(r["category"], []).append(r)
    known = {c.id: c for c in rules.categories}
    templates = {t.id for t in rules.templates}
    out = []
    for cat, tiers in by_cat.items():
        n = sum(r["tickets"] for r in tiers)
        best = max(tiers, key=lambda r: (r["resolved"], r["tickets"], r["tier"]))
        c = known.get(cat)
        out.append(
            Reason(
                cat,
                c.label.get("en") if c else cat,
                n,
                n / total,
                best["tier"],
                bool(c and c.template and c.template in templates),
                cat in m.articles,
            )
        )
    out.sort(key=lambda r: (-r.tickets, r.category))
    return tuple(out[:limit])
