"""A metrics `Report` as data and text: JSON-able dict, Markdown, and the values formatted for
people (percentages, business durations, scores)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from tierdesk.analytics.metrics import MetricValue, Report
from tierdesk.domain.durations import format_duration
from tierdesk.domain.rulebook import Rulebook
from tierdesk.sop.live import LiveData, LiveMetric, LiveReason


def as_data(report: Report) -> dict[str, Any]:
    """The report as plain JSON-able data (times ISO 8601 UTC, durations in seconds,
    shares as fractions 0-1)."""
    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "now": report.now.isoformat(),
        "filters": report.filters,
        "metrics": [asdict(m) for m in report.metrics],
        "tier_mix": [asdict(t) for t in report.tier_mix],
        "sla": [asdict(s) for s in report.sla],
        "channels": [asdict(c) for c in report.channels],
        "top_reasons": [asdict(r) for r in report.top_reasons],
        "backlog_oldest_seconds": report.backlog_oldest,
        "action_required": list(report.action_required),
    }


def fmt_value(value: float | None, unit: str) -> str:
    """A metric value for people: `72.5%`, `1 h 30 min`, `4.35/5`, `35`; `-` for none."""
    if value is None:
        return "-"
    if unit == "percent":
        return pct(value)
    if unit == "seconds":
        return format_duration(timedelta(seconds=round(value)), largest_unit="hour") or "0 s"
    if unit == "score5":
        return f"{value:.2f}/5"
    return f"{value:.0f}" if unit in ("nps", "count") else f"{value:.2f}"


def pct(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def fmt_change(m: MetricValue) -> str:
    """`+5% (better)`, `-10 min (worse)`; `-` without a previous value."""
    if m.change is None:
        return "-"
    sign = "+" if m.change > 0 else "-" if m.change < 0 else "±"
    size = fmt_value(abs(m.change), m.unit)
    return f"{sign}{size}" + (f" ({m.trend})" if m.trend else "")


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def to_markdown(report: Report, business: str = "") -> str:
    """The report as a Markdown document."""
    title = f"# Service report{': ' + business if business else ''}"
    lines = [
        title,
        "",
        f"Period {report.since.isoformat()} to {report.until.isoformat()} "
        f"(compared with the period before); measured {report.now.isoformat()}.",
    ]
    if report.filters:
        shown = "; ".join(f"{k}: {', '.join(v)}" for k, v in report.filters.items())
        lines.append(f"Filters: {shown}.")
    lines += ["", "## Metrics", ""]
    lines += _table(
        ["Metric", "Target", "Current", "Previous", "Trend", "Action required"],
        [
            [
                m.label,
                m.target or "-",
                fmt_value(m.value, m.unit),
                fmt_value(m.previous, m.unit),
                fmt_change(m),
                "YES" if m.action_required else "no",
            ]
            for m in report.metrics
        ],
    )
    lines += ["", "## Tier mix (R-TIER-3)", ""]
    lines += _table(
        ["Tier", "Tickets", "Share", "Expected", "Previous", "Action required"],
        [
            [
                t.tier,
                str(t.tickets),
                pct(t.share),
                "-" if t.expected is None else f"{pct(t.expected[0])}-{pct(t.expected[1])}",
                pct(t.previous_share),
                "YES" if t.action_required else "no",
            ]
            for t in report.tier_mix
        ],
    )
    lines += ["", "## SLA attainment", ""]
    lines += _table(
        ["Priority", "Clock", "Met", "Breached", "Attainment", "Previous"],
        [
            [s.priority, s.clock, str(s.met), str(s.breached), pct(s.attainment), pct(s.previous)]
            for s in report.sla
        ],
    )
    lines += ["", "## First response per channel", ""]
    lines += _table(
        ["Channel", "Tickets", "Mean first response", "Met", "Breached", "Attainment"],
        [
            [
                c.channel,
                str(c.tickets),
                fmt_value(c.first_response_mean, "seconds"),
                str(c.met),
                str(c.breached),
                pct(c.attainment),
            ]
            for c in report.channels
        ],
    )
    lines += ["", "## Top 10 contact reasons (R-MET-2)", ""]
    lines += _table(
        ["#", "Reason", "Volume %", "Resolving tier", "Template"],
        [
            [str(i), r.label, pct(r.share), r.resolving_tier, "Y" if r.template else "N"]
            for i, r in enumerate(report.top_reasons, 1)
        ],
    )
    return "\n".join(lines) + "\n"


def sop_live(report: Report, rules: Rulebook) -> LiveData:
    """What `sop render --with-data` prints: each policy metric target's measured value,
    change and action, and the Top 10 Contact Reasons."""
    metrics = {}
    for target in rules.metrics:
        found = report.for_target(target)
        if found is not None:
            metrics[target.id] = LiveMetric(
                found.value, found.unit, found.change, found.action_required
            )
    reasons = tuple(
        LiveReason(r.category, r.label, r.share, r.resolving_tier, r.template)
        for r in report.top_reasons
    )
    return LiveData(report.since.date(), report.until.date(), metrics, reasons)
