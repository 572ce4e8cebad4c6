"""`tierdesk db upgrade` and `tierdesk db current`: the database schema.

The database is `--database-url`, else `TIERDESK_DATABASE_URL`, else the SQLite file
`./var/tierdesk.db`. Exit codes: 0 ok; 1 the database is behind (`current`) or unreachable;
2 an unusable URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tierdesk import bootstrap

db_app = typer.Typer(help="Create and migrate the database schema.", no_args_is_help=True)

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="TIERDESK_DATABASE_URL",
        help="SQLite or PostgreSQL URL (default: sqlite:///./var/tierdesk.db).",
        show_envvar=True,
    ),
]


def _url(url: str | None) -> str:
    return url if url else bootstrap.default_database_url(Path.cwd())


@db_app.command("upgrade")
def upgrade_cmd(database_url: UrlOpt = None) -> None:
    """Create the schema or migrate it to the newest revision (safe to run again)."""
    url = _url(database_url)
    revision = bootstrap.upgrade_database(url)
    typer.echo(f"database at revision {revision} (newest)")


@db_app.command("current")
def current_cmd(database_url: UrlOpt = None) -> None:
    """Show the schema revision of the database; exit 1 when it is not the newest."""
    url = _url(database_url)
    current, head = bootstrap.database_revision(url)
    if current == head:
        typer.echo(f"{current} (newest)")
        return
    typer.echo(f"{current or '(none)'}; the newest is {head}: run `tierdesk db upgrade`")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
