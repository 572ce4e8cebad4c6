"""`tierdesk user add USERNAME --role ROLE`: create a user from the command line (the first
admin of a new helpdesk). The password is prompted twice, or read from stdin."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tierdesk import bootstrap
from tierdesk.cli.common import DatabaseOpt, check_password_length, prompt_password, usage_error
from tierdesk.cli.serve_cmd import open_env, settings_from
from tierdesk.services import users
from tierdesk.services.records import ROLES

user_app = typer.Typer(help="Manage users.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


@user_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Sign-in name (a-z, 0-9, . _ -).")],
    role: Annotated[
        str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.", show_default=False)
    ],
    display_name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Add a user with a password (stored as an argon2id hash)."""
    if role not in ROLES:
        usage_error(f"--role must be one of {', '.join(ROLES)}")
    if password_stdin:
        password = check_password_length(sys.stdin.readline().rstrip("\r\n"))
    else:
        password = prompt_password()
    env = open_env(settings_from(database_url=database_url))
    user = users.add_user(
        env,
        username=username,
        display_name=display_name,
        role=role,
        actor_id=None,
        password_hash=bootstrap.hash_password(password),
    )
    typer.echo(f"added {user.username} ({user.role})")
