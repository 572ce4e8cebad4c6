"""The dashboard (issue 14): the SOP's metrics for leads, supervisors, managers, QA and admins
(`services.users.METRICS_ROLES`, as GET /api/metrics), in the reader's language.

The page reads the same report as the API and `tierdesk report` (`bootstrap.measure`): each
metric against its policy target with the previous period and the trend, what needs action,
the tier mix against its band (R-TIER-3), SLA attainment, first response per channel (R-SLA-4)
and the top contact reasons (R-MET-2), with charts drawn on the server as SVG. A range is
given in days of the policy's time zone; the filters are single choices (the API takes lists).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_timedelta
from babel.numbers import format_decimal
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from tierdesk import analytics, bootstrap
from tierdesk.analytics import charts
from tierdesk.analytics.metrics import MetricValue, Report
from tierdesk.analytics.present import pct
from tierdesk.domain.model import CHANNELS
from tierdesk.services import users
from tierdesk.services.errors import ServiceError
from tierdesk.web import i18n
from tierdesk.web.console.base import Page, Viewer, show
from tierdesk.web.errors import status_for

router = APIRouter()
DEFAULT_DAYS = 30
TREND_SLICES = 6
Choice = Annotated[str, Query(max_length=100)]


def N_(message: str) -> str:  # noqa: N802 - the name Babel extracts
    """Marks a string for the catalogs; translated where it is shown."""
    return message


# The metrics' names on the page (msgids: analytics.METRICS's labels, which the API and the
# English report print; a test keeps the two the same).
METRIC_LABELS = {
    "volume": N_("Tickets"),
    "fcr": N_("First contact resolution"),
    "csat": N_("CSAT (mean of 1-5)"),
    "csat_satisfied": N_("CSAT satisfied (4-5)"),
    "nps": N_("Net Promoter Score"),
    "aht": N_("Average handle time (calls)"),
    "phone_service_level": N_("Phone service level (inbound calls answered in time)"),
    "first_response_time": N_("First response time (mean, business)"),
    "email_first_response_time": N_("Email first response time (mean, business)"),
    "next_reply_time": N_("Next reply time (mean, business)"),
    "resolution_time": N_("Resolution time (mean, business)"),
    "sla_attainment": N_("SLA attainment (all clocks)"),
    "escalation_rate": N_("Escalation rate"),
    "reopen_rate": N_("Reopen rate"),
    "repeat_contact_rate": N_("Repeat-contact rate"),
    "handoff_repeat_rate": N_("Handoffs where the customer repeated the story"),
    "backlog": N_("Backlog (open at period end)"),
    "backlog_age": N_("Backlog mean age (wall clock)"),
}
CLOCK_LABELS = {
    "first_response": N_("First response"),
    "next_reply": N_("Next reply"),
    "resolution": N_("Resolution"),
}
TREND_LABELS = {"better": N_("better"), "worse": N_("worse"), "same": N_("same")}


@dataclass(frozen=True)
class Filters:
    """The page's form: a range of days (inclusive, in the policy's zone) and one value per
    filter ("" for any)."""

    since: date
    until: date
    channel: str = ""
    tier: str = ""
    team: str = ""
    agent: str = ""
    category: str = ""

    def scope(self, zone: str, now: datetime) -> analytics.Scope:
        """Tickets created from the first day's midnight to the last day's end (or now, if
        sooner). ScopeError for a range the report cannot measure."""
        tz = ZoneInfo(zone)
        start = datetime.combine(self.since, time(), tz)
        end = min(datetime.combine(self.until + timedelta(days=1), time(), tz), now)
        return analytics.Scope(
            start,
            end,
            channel=_one(self.channel),
            tier=_one(self.tier),
            team=_one(self.team),
            agent=_one(self.agent),
            category=_one(self.category),
        )


def _one(value: str) -> tuple[str, ...]:
    return (value,) if value else ()


class Words:
    """The report's names and values in the reader's language (table cells and the charts,
    which are drawn here, not in a template)."""

    def __init__(self, viewer: Viewer) -> None:
        self.lang = viewer.user.language
        self.rules = viewer.env.rules
        self.zone = viewer.locale.zone  # the policy's time zone, as every page formats in
        self._ = i18n.translations(self.lang).gettext

    def metric(self, m: MetricValue) -> str:
        return self._(METRIC_LABELS.get(m.id, m.label))

    def clock(self, clock: str) -> str:
        return self._(CLOCK_LABELS[clock]) if clock in CLOCK_LABELS else clock

    def category(self, category_id: str) -> str:
        found = next((c for c in self.rules.categories if c.id == category_id), None)
        return found.label.get(self.lang) if found is not None else category_id

    def value(self, value: float | None, unit: str) -> str:
        """72.5%, 4.35/5, 35, 1 hour 20 minutes; "–" when nothing was measured."""
        if value is None:
            return "–"
        if unit == "percent":
            return pct(value)
        if unit == "seconds":
            return i18n.duration(timedelta(seconds=round(value)), self.lang) or "0"
        if unit == "score5":
            return f"{value:.2f}/5"
        return format_decimal(round(value), locale=i18n.locale(self.lang))

    def change(self, m: MetricValue) -> str:
        """+5% (better) / −10 minutes (worse) against the previous period; "–" without one."""
        if m.change is None:
            return "–"
        sign = "+" if m.change > 0 else "−" if m.change < 0 else "±"
        trend = f" ({self._(TREND_LABELS[m.trend])})" if m.trend else ""
        return sign + self.value(abs(m.change), m.unit) + trend

    def short(self, unit: str) -> Callable[[float | None], str]:
        """A chart's value labels: durations in their largest unit (4 hr, 56 min), the rest as
        in the tables."""

        def text(value: float | None) -> str:
            if unit == "seconds" and value is not None:
                span = timedelta(seconds=value)
                return format_timedelta(span, format="short", locale=i18n.locale(self.lang))
            return self.value(value, unit)

        return text

    def day(self, moment: datetime) -> str:
        """A chart's date label: Nov 4 / 11月4日, in the policy's zone."""
        local = moment.astimezone(ZoneInfo(self.zone))
        return format_skeleton("MMMd", local, locale=i18n.locale(self.lang))

    def figures(self, report: Report) -> list[tuple[str, Markup]]:
        """(caption, SVG) of the dashboard's charts: a trend line per metric the report
        slices, tier mix against its band, SLA attainment per priority and clock, top reasons."""
        _ = self._
        out = []
        units = {m.id: m.unit for m in report.metrics}
        for metric_id in report.series[0][1] if report.series else ():
            name = _(METRIC_LABELS.get(metric_id, metric_id))
            points = [(self.day(start), values[metric_id]) for start, values in report.series]
            svg = charts.line(name, points, self.short(units.get(metric_id, "count")))
            out.append((_("Trend: %(metric)s") % {"metric": name}, svg))
        mix = [(t.tier, t.share, t.expected, t.action_required) for t in report.tier_mix]
        title = _("Tier mix against the expected band")
        out.append((title, charts.bars(title, mix, pct, scale=1.0, expected=_("expected"))))
        sla = [
            (f"{s.priority} {self.clock(s.clock)}", s.attainment, None, False) for s in report.sla
        ]
        title = _("SLA attainment per priority and clock")
        out.append((title, charts.bars(title, sla, pct, scale=1.0)))
        reasons = [(self.category(r.category), r.share, None, False) for r in report.top_reasons]
        title = _("Top contact reasons")
        out.append((title, charts.bars(title, reasons, pct)))
        return out


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    page: Page,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    channel: Choice = "",
    tier: Choice = "",
    team: Choice = "",
    agent: Choice = "",
    category: Choice = "",
) -> HTMLResponse:
    """The metrics of the tickets created in the chosen days that match the filters (default:
    the last 30 days). Agents are refused, as by the API: they see their own work in their
    queue, not the team's numbers."""
    try:
        users.require_role(page.user, users.METRICS_ROLES, "read the metrics")
    except ServiceError as exc:
        return show(
            request, page, "console/dashboard.html", status=status_for(exc), error=exc, report=None
        )
    env = page.env
    words = Words(page)
    zone = words.zone
    today = env.now().astimezone(ZoneInfo(zone)).date()
    last = until or today
    form = Filters(
        since or last - timedelta(days=DEFAULT_DAYS - 1),
        last,
        channel=channel,
        tier=tier,
        team=team,
        agent=agent,
        category=category,
    )
    report, problem = None, ""
    try:
        report = bootstrap.measure(env, form.scope(zone, env.now()), trend_buckets=TREND_SLICES)
    except analytics.ScopeError as exc:
        problem = exc.message
    return show(
        request,
        page,
        "console/dashboard.html",
        status=200 if report is not None else 422,
        error=None,
        form=form,
        report=report,
        problem=problem,
        words=words,
        figures=words.figures(report) if report is not None else [],
        channels=CHANNELS,
        agents=[u for u in users.list_users(env) if u.role in users.AGENT_ROLES | users.LEAD_ROLES],
    )
