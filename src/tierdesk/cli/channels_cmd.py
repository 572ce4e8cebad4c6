"""`tierdesk channels check`: try each configured channel connection (the SMTP relay, every
IMAP mailbox, ...) once and say in one line per channel what works and what is wrong."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from tierdesk import bootstrap
from tierdesk.cli.serve_cmd import settings_from

channels_app = typer.Typer(help="Customer channels (email, ...).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(channels_app, name="channels")


@channels_app.command("check")
def check(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Connect to each configured channel (TIERDESK_SMTP_*, TIERDESK_EMAIL_MAILBOXES, ...):
    one line each, `ok` or what is wrong. Exit 1 when any fails; secrets are never shown."""
    checks = bootstrap.channel_checks(settings_from())
    if not checks:
        typer.echo("no channels configured: outgoing mail goes to var/mailbox.jsonl")
        return
    failed = 0
    for name, run in checks:
        problem = run()
        failed += problem is not None
        if as_json:
            typer.echo(json.dumps({"channel": name, "ok": problem is None, "problem": problem}))
        else:
            typer.echo(f"{name}: {'ok' if problem is None else problem}")
    if failed:
        raise typer.Exit(1)
