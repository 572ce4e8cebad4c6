"""`tierdesk sop render`: print the SOP document of a policy (Markdown, HTML or PDF)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from tierdesk import bootstrap, sop
from tierdesk.analytics.present import sop_live
from tierdesk.cli import report_cmd
from tierdesk.cli.common import DatabaseOpt, PolicyOpt, PresetOpt, emit, load_policy, usage_error
from tierdesk.cli.serve_cmd import open_env, settings_from
from tierdesk.domain.rulebook import Rulebook
from tierdesk.planning.team_size import auto_team_sizes
from tierdesk.policy import compile_policy
from tierdesk.sop.live import LiveData

sop_app = typer.Typer(help="Print the SOP document people sign and train on.", no_args_is_help=True)


@sop_app.command("render")
def render_cmd(
    policy_file: PolicyOpt = None,
    preset: PresetOpt = None,
    business: Annotated[
        str | None, typer.Option("--business", help="Business name (default: the policy's).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html or pdf.")] = "md",
    lang: Annotated[
        str, typer.Option("--lang", help="en or zh-TW; every heading, table and duration.")
    ] = "en",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    with_data: Annotated[
        bool,
        typer.Option(
            "--with-data",
            help="Fill Top 10 Contact Reasons and the metrics' current/trend/action (store).",
        ),
    ] = False,
    since: Annotated[str | None, typer.Option(help="--with-data: from (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="--with-data: to (default: now).")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Render the SOP from the policy the helpdesk enforces (default: the cs-sop preset)."""
    if fmt not in sop.FORMATS:
        usage_error(f"unknown format {fmt!r}; use one of {', '.join(sop.FORMATS)}")
    if lang not in sop.LANGS:
        usage_error(f"unknown language {lang!r}; use one of {', '.join(sop.LANGS)}")
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        usage_error("a PDF is binary: give -o FILE, or redirect stdout to a file")
    loaded = load_policy(policy_file, preset)
    rules = compile_policy(loaded.policy)
    live = measured(rules, since, until, database_url) if with_data else None
    result = sop.render(
        loaded,
        fmt=fmt,
        lang=lang,
        business=business,
        rulebook=rules,
        team_sizes=auto_team_sizes(rules),  # `team_size: auto` tiers sized by Erlang C
        live=live,
    )
    emit(result, output, fmt)


def measured(
    rules: Rulebook, since: str | None, until: str | None, database_url: str | None
) -> LiveData:
    """The store's measures of the printed policy's targets over the period (default: the
    30 days up to now)."""
    env = replace(open_env(settings_from(database_url=database_url)), rules=rules)
    scope = report_cmd.scope_of(env.rules, env.now(), since, until)
    return sop_live(bootstrap.measure(env, scope), rules)


def register(app: typer.Typer) -> None:
    app.add_typer(sop_app, name="sop")
