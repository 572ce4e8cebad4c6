"""`tierdesk kb export DIR` / `tierdesk kb import DIR`: the knowledge base as Markdown files
with YAML front matter (one per article and language), so a team can keep its articles in git
(`tierdesk.services.kb_files`). Import checks every file first: a bad one is reported as
`FILE:LINE: message` (exit 2) and nothing is imported. Imported texts are drafts by the user
named with `--as`, published through the review like any other edit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tierdesk.cli.common import DatabaseOpt, usage_error
from tierdesk.cli.serve_cmd import open_env, settings_from
from tierdesk.services import kb_files
from tierdesk.services.env import Env

kb_app = typer.Typer(help="Knowledge base articles as Markdown files.", no_args_is_help=True)
AsOpt = Annotated[
    str, typer.Option("--as", help="Username of the staff member the import or export runs as.")
]
DirArg = Annotated[Path, typer.Argument(help="Directory of <slug>.<language>.md files.")]


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")


def _user(env: Env, username: str) -> str:
    with env.reader() as uow:
        user = uow.users.get_by_username(username.strip().lower())
    if user is None:
        usage_error(f"--as: no user {username!r}")
    return user.id


@kb_app.command("export")
def export(directory: DirArg, as_user: AsOpt, database_url: DatabaseOpt = None) -> None:
    """Write every article in every language to DIRECTORY (created when missing)."""
    env = open_env(settings_from(database_url=database_url))
    written = kb_files.export(env, directory, actor_id=_user(env, as_user))
    typer.echo(f"exported {len(written)} file(s) to {directory}")


@kb_app.command("import")
def import_(directory: DirArg, as_user: AsOpt, database_url: DatabaseOpt = None) -> None:
    """Import DIRECTORY's files (all checked first; one bad file imports nothing)."""
    if not directory.is_dir():
        usage_error(f"{directory} is not a directory")
    env = open_env(settings_from(database_url=database_url))
    done = kb_files.import_dir(env, directory, actor_id=_user(env, as_user))
    typer.echo(
        f"imported from {directory}: {done.created} new article(s), {done.translated} new "
        f"translation(s), {done.revised} revised, {done.unchanged} unchanged"
    )
