"""Shared CLI plumbing: policy options; errors to exit codes (0 ok, 1 finding, 2 usage)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:  # imported where used: a command loads only what it needs (issue 15)
    from tierdesk import policy
    from tierdesk.config import Settings
    from tierdesk.domain.rulebook import Rulebook
    from tierdesk.services.email_intake import Mailbox, Receiver
    from tierdesk.services.outbox import Sender
    from tierdesk.services.policies import EnvSource

PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="Policy YAML file (default: the preset).")
]
PresetOpt = Annotated[
    str | None, typer.Option("--preset", help="Packaged preset: cs-sop, full-sop, simple.")
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL (default: SQLite file under ./var/)."),
]


def usage_error(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def emit(document: str | bytes, output: Path | None, fmt: str) -> None:
    """Write a rendered document (text, or the bytes of a PDF) to `output`, or to stdout when
    there is none; a file written is reported on stderr with its size."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    if output is None:
        if isinstance(document, str):
            typer.echo(document, nl=False)
        else:
            typer.get_binary_stream("stdout").write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        usage_error(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {output} ({fmt}, {len(data):,} bytes)", err=True)


def policy_max_bytes() -> int:
    """The largest policy file read (TIERDESK_POLICY_MAX_BYTES)."""
    from tierdesk.config import Settings

    return Settings().policy_max_bytes


def load_policy(policy_file: Path | None, preset: str | None) -> policy.LoadedPolicy:
    """The checked policy named by --policy or --preset (exit 1 with findings when invalid)."""
    from tierdesk import policy

    if policy_file is not None and preset is not None:
        usage_error("give --policy or --preset, not both")
    if preset is not None and preset not in policy.PRESETS:
        usage_error(f"unknown preset {preset!r}; use one of {', '.join(policy.PRESETS)}")
    loaded, _ = policy.load_checked(policy_file, preset, policy_max_bytes())
    return loaded


def load_rulebook(policy_file: Path | None, preset: str | None) -> Rulebook:
    """The compiled policy named by --policy or --preset, from the compiled-policy cache when
    the file (and tierdesk) did not change since it was last compiled (exit 1 with findings
    when invalid)."""
    from tierdesk.cli import policy_cache

    if policy_file is not None and preset is not None:
        usage_error("give --policy or --preset, not both")
    return policy_cache.rulebook(policy_file, preset, lambda: _compile(policy_file, preset))


def _compile(policy_file: Path | None, preset: str | None) -> Rulebook:
    from tierdesk import policy

    return policy.compile_policy(load_policy(policy_file, preset).policy)


def log_to_stderr() -> None:
    """Show what the long-running commands (serve, worker) do: sweeps that found something,
    deliveries, policy versions taking effect, errors. INFO and up, one line each, to stderr."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic narrates every connection ("Context impl SQLiteImpl."); the upgrade itself is
    # logged once by `tierdesk.bootstrap` when the schema changed.
    logging.getLogger("alembic").setLevel(logging.WARNING)


MIN_PASSWORD = 8


def check_password_length(password: str) -> str:
    """`password`, or exit 2 when it is shorter than MIN_PASSWORD characters."""
    if len(password) < MIN_PASSWORD:
        usage_error(f"the password needs at least {MIN_PASSWORD} characters")
    return password


def prompt_password() -> str:
    """A new password, typed twice without echo."""
    return check_password_length(
        typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )


def channels_of(
    settings: Settings, env: EnvSource
) -> tuple[dict[str, Sender], list[Mailbox], list[Receiver]]:
    """The configured channels: each one's outbox sender, the mailboxes to poll and the
    servers receiving mail. A channel configured wrongly (no From address, a mailbox without
    its password) ends the command with the reason (exit 1)."""
    from tierdesk import bootstrap

    try:
        receiver = bootstrap.smtp_receiver(settings, env)
        return (
            bootstrap.channel_senders(settings, env),
            bootstrap.mailboxes(settings, env),
            [receiver] if receiver is not None else [],
        )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
