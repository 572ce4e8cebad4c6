"""The five-section SOP of the cs-sop framework (R-DOC-1), and the tables the full SOP reuses.

`# Customer Service SOP: {Business}` with Support Tiers, SLA Targets, Top 10 Contact Reasons,
Escalation Flowchart and Quality Metrics, every number taken from the policy.
"""

from __future__ import annotations

import re
from datetime import timedelta

from tierdesk.domain.durations import parse_duration
from tierdesk.domain.rulebook import MetricTarget, StaffingInputs
from tierdesk.policy.schema import WEEKDAYS, Calendar
from tierdesk.sop.context import Ctx
from tierdesk.sop.document import Flowchart, Items, Paragraph, Section, SopDocument, Table
from tierdesk.sop.flowchart import build_flow
from tierdesk.sop.rules_in_force import rules_in_force

TOP_REASONS = 10


def tiers_table(ctx: Ctx) -> Table:
    """Tier | Scope | Team Size | Tools."""
    m = ctx.msg
    rows = []
    for tier in ctx.rules.tiers:
        sized = ctx.team_sizes.get(tier.id)
        if tier.team_size is None and sized is not None and tier.staffing is not None:
            size = _erlang_size(ctx, sized, tier.staffing)
        elif tier.team_size is None:
            size = m("values.team_size_auto")
        else:
            key = "values.people_one" if tier.team_size == 1 else "values.people_many"
            size = m(key, n=tier.team_size)
        name = m("values.id_name", id=tier.id, name=ctx.local(tier.name))
        rows.append((name, ctx.local(tier.scope), size, ctx.join(tier.tools)))
    headers = ("headers.tier", "headers.scope", "headers.team_size", "headers.tools")
    return Table(tuple(m(h) for h in headers), tuple(rows), "labels")


def _erlang_size(ctx: Ctx, agents: int, s: StaffingInputs) -> str:
    """`7 (Erlang C: 40/h, AHT 6 min, 80% in 1 min)`: the size and what it was sized for."""
    return ctx.msg(
        "values.team_size_erlang",
        n=agents,
        rate=f"{s.arrivals_per_hour:g}",
        aht=ctx.duration(s.aht),
        level=ctx.percent(s.service_level),
        within=ctx.duration(s.answer_within),
    )


def sla_table(ctx: Ctx) -> Table:
    """Priority | First Response | Resolution | Escalation, each duration with its clock."""
    m = ctx.msg
    rows = tuple(
        (
            m("values.id_name", id=p.id, name=ctx.local(p.name)),
            ctx.on_clock(p.first_response, p.clock),
            ctx.on_clock(p.resolution, p.clock),
            ctx.targets(p.notify),
        )
        for p in ctx.rules.priorities
    )
    headers = ("headers.priority", "headers.first_response", "headers.resolution")
    return Table((*(m(h) for h in headers), m("headers.escalation")), rows, "labels")


def channel_targets(ctx: Ctx) -> tuple[Table, Paragraph] | tuple[()]:
    """Channel | First Response of the policy's per-channel targets (R-SLA-4), with how they
    combine with the priority's; nothing when the policy sets none."""
    m = ctx.msg
    if not ctx.rules.channel_targets:
        return ()
    rows = tuple(
        (m(f"channels.{c.channel}"), ctx.on_clock(c.first_response, c.clock))
        for c in ctx.rules.channel_targets
    )
    table = Table((m("headers.channel"), m("headers.first_response")), rows, "labels")
    return table, Paragraph(m("clocks.channel_note"), "note")


def clock_notes(ctx: Ctx) -> tuple[Paragraph, Items]:
    """What each clock used by a priority or a channel target means: zone, opening hours,
    holidays (R-SLA-1)."""
    m = ctx.msg
    used = list(
        dict.fromkeys(
            [p.clock for p in ctx.rules.priorities] + [c.clock for c in ctx.rules.channel_targets]
        )
    )
    notes = []
    for name in used:
        cal = ctx.policy.calendars[name]
        label = ctx.clock_label(name)
        if cal.always_open:
            notes.append(m("clocks.always_open", label=label, timezone=cal.timezone))
        else:
            notes.append(_business_hours(ctx, label, cal))
    return Paragraph(m("clocks.intro"), "note"), Items(tuple(notes))


def _business_hours(ctx: Ctx, label: str, cal: Calendar) -> str:
    m = ctx.msg
    days = m.items("clocks.weekdays")
    sep = m("values.list_sep")
    spans = [sep.join(h.replace("-", "–") for h in cal.hours.get(d, [])) for d in WEEKDAYS]
    groups: list[tuple[int, int, str]] = []
    for i, span in enumerate(spans):
        if groups and groups[-1][2] == span and groups[-1][1] == i - 1:
            groups[-1] = (groups[-1][0], i, span)
        else:
            groups.append((i, i, span))
    parts = []
    for first, last, span in groups:
        if not span:
            continue
        when = (
            days[first]
            if first == last
            else m("clocks.day_range", first=days[first], last=days[last])
        )
        parts.append(f"{when} {span}")
    text = m("clocks.business", label=label, hours=ctx.join(parts), timezone=cal.timezone)
    extra = []
    if cal.holidays is not None:
        extra.append(m("clocks.holidays", country=cal.holidays.country))
    if cal.closed:
        dates = m("values.list_sep").join(d.isoformat() for d in sorted(cal.closed))
        extra.append(m("clocks.closed_dates", dates=dates))
    if cal.open:
        dates = m("values.list_sep").join(d.isoformat() for d in sorted(cal.open))
        extra.append(m("clocks.open_dates", dates=dates))
    return m("values.clause_sep").join([text, *extra])


def reasons_table(ctx: Ctx) -> Table:
    """# | Reason | Volume % | Resolution | Template?: measured from the store when the
    document carries live data, else the categories by their expected share."""
    m = ctx.msg
    if ctx.live is not None and ctx.live.reasons:
        labels = {c.id: ctx.local(c.label) for c in ctx.rules.categories}
        rows = tuple(
            (
                str(i),
                labels.get(r.category, r.label),
                ctx.percent(r.share),
                r.tier,
                m("values.template_yes") if r.template else m("values.template_no"),
            )
            for i, r in enumerate(ctx.live.reasons[:TOP_REASONS], 1)
        )
    else:
        cats = sorted(
            (c for c in ctx.rules.categories if c.expected_share is not None),
            key=lambda c: -(c.expected_share or 0.0),
        )[:TOP_REASONS]
        rows = tuple(
            (
                str(i),
                ctx.local(c.label),
                ctx.percent(c.expected_share or 0.0),
                c.tier,
                m("values.template_yes") if c.template else m("values.template_no"),
            )
            for i, c in enumerate(cats, 1)
        )
    keys = ("number", "reason", "volume", "resolution_tier", "template")
    return Table(tuple(m(f"headers.{k}") for k in keys), rows)


def flowchart_blocks(ctx: Ctx) -> tuple[Flowchart, Items]:
    """The decision tree and what every escalation also does (R-ESC-7, R-ESC-8)."""
    m = ctx.msg
    notes = [m("flow.handoff_note")]
    notice = ctx.policy.escalation.customer_notice
    if notice is not None:
        notes.insert(0, m("flow.notice", template=ctx.text(ctx.policy.templates[notice].name)))
    return Flowchart(build_flow(ctx)), Items(tuple(notes))


def metric_rows(ctx: Ctx) -> list[tuple[str, str]]:
    """(label, target) of every metric, the label from the policy when it gives one."""
    rows = []
    for mdef, target in zip(ctx.policy.metrics, ctx.rules.metrics, strict=True):
        label = ctx.text(mdef.label) if mdef.label is not None else ctx.local(target.label)
        rows.append((label, metric_target(ctx, target)))
    return rows


def metric_target(ctx: Ctx, target: MetricTarget) -> str:
    """`> 70%`, `< 8 min`, `> 80% answered in 60 s`: durations in this language."""
    if target.unit == "seconds":
        return f"{target.op} {ctx.duration(timedelta(seconds=int(target.value)))}"
    if target.unit == "service_level":
        threshold = re.split(r"\s+in\s+", target.display, maxsplit=1)[1]
        return ctx.msg(
            "values.service_level",
            op=target.op,
            percent=ctx.percent(target.value),
            duration=ctx.duration(parse_duration(threshold)),
        )
    return target.display


def live_value(ctx: Ctx, value: float | None, unit: str) -> str:
    """A measured value in this language: `72.5%`, `1 h 30 min`, `4.35/5`, `35`."""
    if value is None:
        return ctx.msg("values.none")
    if unit == "percent":
        return ctx.percent(value)
    if unit == "seconds":
        return ctx.duration(timedelta(seconds=round(abs(value))))
    return f"{value:.2f}/5" if unit == "score5" else f"{value:.0f}"


def live_cells(ctx: Ctx, metric_id: str) -> tuple[str, str, str]:
    """(current, trend, action required) of a policy metric; blank without live data."""
    if ctx.live is None:
        return ("", "", "")
    m = ctx.msg
    found = ctx.live.metrics.get(metric_id)
    if found is None:
        return (m("values.none"), m("values.none"), m("values.none"))
    if found.change is None:
        trend = m("values.none")
    else:
        word = "up" if found.change > 0 else "down" if found.change < 0 else "stable"
        size = live_value(ctx, abs(found.change), found.unit)
        trend = m(f"values.trend_{word}") + ("" if word == "stable" else f" {size}")
    action = m("values.action_yes") if found.action_required else m("values.action_no")
    return (live_value(ctx, found.value, found.unit), trend, action)


def metrics_table(ctx: Ctx) -> Table:
    """Metric | Target, with Current | Trend | Action Required when measured."""
    m = ctx.msg
    if ctx.live is None:
        return Table((m("headers.metric"), m("headers.target")), tuple(metric_rows(ctx)))
    keys = ("metric", "target", "current", "trend", "action_required")
    rows = tuple(
        (label, target, *live_cells(ctx, t.id))
        for (label, target), t in zip(metric_rows(ctx), ctx.rules.metrics, strict=True)
    )
    return Table(tuple(m(f"headers.{k}") for k in keys), rows)


def meta_line(ctx: Ctx) -> str:
    """Version, effective date, owner and approver, from document control (R-DOC-3)."""
    control = ctx.policy.document.control
    if control is None:
        return ""
    m = ctx.msg
    parts = [m("doc.meta_version", version=control.version)]
    if control.effective is not None:
        parts.append(m("doc.meta_effective", date=control.effective.isoformat()))
    parts.append(m("doc.meta_owner", owner=control.owner))
    parts.append(m("doc.meta_approver", approver=control.approver))
    return m("doc.meta_sep").join(parts)


def build_cs_sop(ctx: Ctx) -> SopDocument:
    """The cs-sop document: five `##` sections in the order of the seed's Output Format."""
    m = ctx.msg
    sections = (
        Section(m("sections.support_tiers"), 2, (tiers_table(ctx),)),
        Section(
            m("sections.sla_targets"),
            2,
            (sla_table(ctx), *channel_targets(ctx), *clock_notes(ctx)),
        ),
        Section(m("sections.top_reasons"), 2, (reasons_table(ctx),)),
        Section(m("sections.escalation_flowchart"), 2, flowchart_blocks(ctx)),
        Section(m("sections.quality_metrics"), 2, (metrics_table(ctx),)),
        *rules_in_force(ctx),
    )
    title = m("doc.title_cs_sop", business=ctx.business)
    return SopDocument(title, meta_line(ctx), ctx.lang, ctx.business, sections)
