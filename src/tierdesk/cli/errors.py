"""The one translator from errors to what the CLI prints and the exit code it ends with.

Every command runs inside `guarded` (tierdesk.cli.main wraps them all), so a `TierdeskError` that
reaches the top of a command ends it the same way everywhere:

- an invalid policy prints each finding as `file:line:col: key.path: message`, exit 1;
- bad usage, exit 2: a value the user gave is wrong (a domain or planning input error, a service's
  `InvalidInput`, an unusable database URL), printed as `error: <message>`;
- anything else the program could not do, exit 1 (the database unreachable or behind, a username
  taken): `error: <message>`.

`translated(prefix)` names where the value came from (`--schedule: ...`) or sets the exit code
for one block. Exit 0 is success; codes are documented per command.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer

from tierdesk.domain.errors import DomainError, TierdeskError
from tierdesk.services.errors import InvalidInput

FAILED = 1
USAGE = 2

_P = ParamSpec("_P")
_T = TypeVar("_T")


def exit_code(exc: TierdeskError) -> int:
    """2 when the user gave a wrong value, else 1."""
    return USAGE if isinstance(exc, DomainError | InvalidInput) or _bad_url(exc) else FAILED


def _policy_findings(exc: TierdeskError) -> list[Any] | None:
    """The findings of a PolicyError (None for another error), without importing the policy
    loader (YAML, the schema) for the test: when it was never imported, none was raised."""
    loader = sys.modules.get("tierdesk.policy.loader")
    if loader is not None and isinstance(exc, loader.PolicyError):
        return list(exc.findings)
    return None


def _bad_url(exc: TierdeskError) -> bool:
    """`exc` is a DatabaseUrlError. Its module (and SQLAlchemy with it) is not imported for
    this test: when it was never imported, nothing can have raised one."""
    database = sys.modules.get("tierdesk.adapters.db.database")
    return database is not None and isinstance(exc, database.DatabaseUrlError)


def fail(exc: TierdeskError, prefix: str = "", code: int | None = None) -> NoReturn:
    """Print `exc` as the CLI shows errors and exit with its code (or `code`)."""
    findings = _policy_findings(exc)
    if findings is not None:
        for f in findings:
            typer.echo(f.format(), err=True)
        raise typer.Exit(code or FAILED) from None
    typer.echo(f"error: {prefix}{exc.message}", err=True)
    raise typer.Exit(code or exit_code(exc)) from None


@contextmanager
def translated(prefix: str = "", code: int | None = None) -> Iterator[None]:
    """Errors raised in the block end the command, their message after `prefix`."""
    try:
        yield
    except TierdeskError as exc:
        fail(exc, prefix, code)


def guarded(command: Callable[_P, _T]) -> Callable[_P, _T]:
    """`command`, ending with `fail` when a `TierdeskError` reaches its top."""

    @functools.wraps(command)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        with translated():
            return command(*args, **kwargs)
        raise AssertionError("unreachable")  # pragma: no cover - translated() exits

    return run


def guard_all(app: typer.Typer) -> None:
    """Wrap every command of `app` and of its groups in `guarded`."""
    for info in app.registered_commands:
        if info.callback is not None:
            info.callback = guarded(info.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            guard_all(group.typer_instance)
