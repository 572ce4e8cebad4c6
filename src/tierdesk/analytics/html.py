"""The metrics report as one standalone HTML page with server-rendered SVG charts (trend lines,
tier mix against its band, SLA attainment per priority, top reasons). CSS is embedded and
nothing is loaded from anywhere, so the page also prints to PDF through the SOP's path."""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from tierdesk.analytics import charts
from tierdesk.analytics.metrics import METRICS, Report
from tierdesk.analytics.present import fmt_change, fmt_value, pct

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title>
<style>
body { font-family: "Noto Sans", "Noto Sans CJK TC", sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; font-size: 13px; }
th { background: #eef3f8; }
td.action { color: #c0504d; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
figure { margin: 0; } figcaption { font-weight: bold; margin-bottom: 4px; }
@page { size: A4; margin: 15mm; }
</style></head><body>
<h1>{{ title }}</h1>
<p>Period {{ r.since.isoformat() }} to {{ r.until.isoformat() }}, compared with the period before;
measured {{ r.now.isoformat() }}.{% if filters %} Filters: {{ filters }}.{% endif %}</p>
<h2>Metrics</h2>
<table><tr><th>Metric</th><th>Target</th><th>Current</th><th>Previous</th><th>Trend</th>
<th>Action required</th></tr>
{% for m in r.metrics %}<tr><td>{{ m.label }}</td><td>{{ m.target or "-" }}</td>
<td>{{ value(m.value, m.unit) }}</td><td>{{ value(m.previous, m.unit) }}</td>
<td>{{ change(m) }}</td>
{% if m.action_required %}<td class="action">YES</td>{% else %}<td>no</td>{% endif %}</tr>
{% endfor %}</table>
<div class="charts">
{% for caption, svg in charts %}<figure><figcaption>{{ caption }}</figcaption>{{ svg }}</figure>
{% endfor %}</div>
<h2>Top 10 contact reasons</h2>
<table><tr><th>#</th><th>Reason</th><th>Volume %</th><th>Resolving tier</th><th>Template</th></tr>
{% for x in r.top_reasons %}<tr><td>{{ loop.index }}</td><td>{{ x.label }}</td>
<td>{{ pct(x.share) }}</td><td>{{ x.resolving_tier }}</td><td>{{ "Y" if x.template else "N" }}</td>
</tr>{% endfor %}</table>
<h2>First response per channel</h2>
<table><tr><th>Channel</th><th>Tickets</th><th>Mean first response</th><th>Attainment</th></tr>
{% for c in r.channels %}<tr><td>{{ c.channel }}</td><td>{{ c.tickets }}</td>
<td>{{ value(c.first_response_mean, "seconds") }}</td><td>{{ pct(c.attainment) }}</td></tr>
{% endfor %}</table>
</body></html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True), undefined=StrictUndefined)


def _formatter(unit: str) -> Callable[[float | None], str]:
    return lambda v: fmt_value(v, unit)


def figures(report: Report) -> list[tuple[str, Markup]]:
    """(caption, SVG) of every chart of the report."""
    units = {d.id: d.unit for d in METRICS}
    labels = {d.id: d.label for d in METRICS}
    out = []
    for metric_id in report.series[0][1] if report.series else ():
        points = [(start.strftime("%m-%d"), values[metric_id]) for start, values in report.series]
        svg = charts.line(labels[metric_id], points, _formatter(units[metric_id]))
        out.append((f"Trend: {labels[metric_id]}", svg))
    out.append(
        (
            "Tier mix against the expected band (R-TIER-3)",
            charts.bars(
                "Tier mix",
                [(t.tier, t.share, t.expected, t.action_required) for t in report.tier_mix],
                pct,
                scale=1.0,
            ),
        )
    )
    out.append(
        (
            "SLA attainment per priority and clock",
            charts.bars(
                "SLA attainment",
                [(f"{s.priority} {s.clock}", s.attainment, None, False) for s in report.sla],
                pct,
                scale=1.0,
            ),
        )
    )
    out.append(
        (
            "Top contact reasons",
            charts.bars(
                "Top contact reasons",
                [(r.label, r.share, None, False) for r in report.top_reasons],
                pct,
            ),
        )
    )
    return out


def to_html(report: Report, business: str = "") -> str:
    """The report as a standalone HTML page."""
    title = "Service report" + (f": {business}" if business else "")
    filters = "; ".join(f"{k}: {', '.join(v)}" for k, v in report.filters.items())
    return _ENV.from_string(_PAGE).render(
        title=title,
        r=report,
        filters=filters,
        charts=figures(report),
        value=fmt_value,
        change=fmt_change,
        pct=pct,
    )
