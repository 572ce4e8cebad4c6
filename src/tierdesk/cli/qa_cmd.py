"""`tierdesk qa score`: score every resolved conversation that has no QA score yet against the
policy's QA checklist (R-QA-1), e.g. after `tierdesk import`, so that the QA queue and the
agent scorecards open on a complete history instead of scoring it a thousand at a time."""

from __future__ import annotations

from typing import Annotated

import typer

from tierdesk.cli.common import DatabaseOpt
from tierdesk.cli.serve_cmd import open_env, settings_from

qa_app = typer.Typer(
    help="QA reviews: the automatic scores of resolved conversations.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(qa_app, name="qa")


@qa_app.command("score")
def score(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Score each resolved or closed ticket that has no current QA score (once each)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from tierdesk.services import qa

    env = open_env(settings_from(database_url=database_url))
    columns = (TextColumn("scoring"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, transient=True, disable=quiet) as bar:
        task = bar.add_task("scoring", total=None)
        done = qa.score_all(env, progress=lambda n: bar.advance(task, n))
    typer.echo(f"scored {done} conversation(s)")
