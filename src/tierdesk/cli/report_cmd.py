"""`tierdesk report`: the SOP's metrics from the store (docs/metrics.md) as Markdown, HTML with
charts, JSON or PDF."""

from __future__ import annotations

import json
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from tierdesk import analytics, bootstrap
from tierdesk.analytics.html import to_html
from tierdesk.analytics.present import as_data, to_markdown
from tierdesk.cli.common import DatabaseOpt, emit, load_rulebook, usage_error
from tierdesk.cli.serve_cmd import open_env, settings_from
from tierdesk.domain.rulebook import Rulebook
from tierdesk.sop.render import html_to_pdf

FORMATS = ("md", "html", "json", "pdf")
DEFAULT_DAYS = 30
TREND_BUCKETS = 6

DateOpt = Annotated[str | None, typer.Option(help="YYYY-MM-DD or an ISO 8601 time.")]
ListOpt = Annotated[list[str] | None, typer.Option(help="Only these (repeat for several).")]


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def parse_when(text: str, what: str, zone: str) -> datetime:
    """A date (midnight in `zone`) or an ISO 8601 time (no offset: in `zone`), as aware UTC;
    exit 2 naming the option when it is neither."""
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day, time(0), ZoneInfo(zone))
        when = datetime.fromisoformat(text)
    except ValueError:
        usage_error(f"--{what}: {text!r} is not a date (YYYY-MM-DD) or an ISO 8601 time")
    return when if when.tzinfo is not None else when.replace(tzinfo=ZoneInfo(zone))


def business_zone(rules: Rulebook) -> str:
    """The time zone dates are read in: the first business calendar's (else the first's)."""
    cals = [c for c in rules.calendars if not c.always_open] or list(rules.calendars)
    return cals[0].timezone


def scope_of(
    rules: Rulebook,
    now: datetime,
    since: str | None,
    until: str | None,
    **filters: list[str] | None,
) -> analytics.Scope:
    """The Scope of the options: --until (default now), --since (default 30 days before),
    read in the business's time zone; exit 2 for a bad date or range."""
    zone = business_zone(rules)
    end = parse_when(until, "until", zone) if until else now
    start = parse_when(since, "since", zone) if since else end - timedelta(days=DEFAULT_DAYS)
    try:
        return analytics.Scope(start, end, **{k: tuple(v or ()) for k, v in filters.items()})
    except analytics.ScopeError as exc:
        usage_error(str(exc))


def report(
    since: DateOpt = None,
    until: DateOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html, json or pdf.")] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    channel: ListOpt = None,
    tier: ListOpt = None,
    team: ListOpt = None,
    agent: ListOpt = None,
    category: ListOpt = None,
    database_url: DatabaseOpt = None,
    from_parquet: Annotated[
        Path | None,
        typer.Option(
            "--from-parquet",
            metavar="DIR",
            help="Measure a `tierdesk export --format parquet` directory with DuckDB (as of "
            "its export, against the configured policy), not the store.",
        ),
    ] = None,
) -> None:
    """Metrics of the tickets created from --since (default: 30 days before --until) to
    --until (default: now), each against its policy target, with the trend over the
    previous period and whether action is required. Dates are in the business's time zone."""
    if fmt not in FORMATS:
        usage_error(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        usage_error("a PDF is binary: give -o FILE, or redirect stdout to a file")
    filters = {"channel": channel, "tier": tier, "team": team, "agent": agent}
    buckets = TREND_BUCKETS if fmt in ("html", "pdf") else 0
    if from_parquet is not None:
        settings = settings_from(database_url=database_url)
        rules = load_rulebook(
            settings.policy_file, None if settings.policy_file else settings.policy_preset
        )
        now = bootstrap.exported_at(from_parquet)
        scope = scope_of(rules, now, since, until, category=category, **filters)
        result = bootstrap.measure_export(from_parquet, rules, scope, trend_buckets=buckets)
    else:
        env = open_env(settings_from(database_url=database_url))
        rules = env.rules
        scope = scope_of(rules, env.now(), since, until, category=category, **filters)
        result = bootstrap.measure(env, scope, trend_buckets=buckets)
    business = rules.business
    if fmt == "json":
        text = json.dumps(as_data(result), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "md":
        text = to_markdown(result, business)
    else:
        text = to_html(result, business)
    emit(html_to_pdf(text) if fmt == "pdf" else text, output, fmt)
