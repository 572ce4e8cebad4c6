"""One translator from the error tree to CLI messages and exit codes (tierdesk.cli.errors)."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
import typer
from typer.testing import CliRunner

from tierdesk.bootstrap import DatabaseUnavailableError, DatabaseUrlError
from tierdesk.cli.errors import guard_all, translated
from tierdesk.domain.durations import DurationError
from tierdesk.domain.errors import TierdeskError
from tierdesk.services.errors import InvalidInput, UsernameTaken


def _run(exc: TierdeskError, prefix: str = "") -> tuple[int, str]:
    app = typer.Typer()

    @app.command()
    def go() -> None:
        with translated(prefix) if prefix else nullcontext():
            raise exc

    guard_all(app)
    result = CliRunner().invoke(app, [])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (DurationError("'soon' is not a duration"), 2),
        (InvalidInput("role", "unknown role"), 2),
        (DatabaseUrlError("not a database URL"), 2),
        (UsernameTaken("mei is taken"), 1),
        (DatabaseUnavailableError("connection refused"), 1),
    ],
)
def test_every_error_ends_the_command_with_its_message_and_exit_code(
    exc: TierdeskError, code: int
) -> None:
    exit_code, output = _run(exc)
    assert exit_code == code
    assert output.strip() == f"error: {exc.message}"


def test_translated_names_where_the_value_came_from() -> None:
    exit_code, output = _run(DurationError("'soon' is not a duration"), "--aht: ")
    assert (exit_code, output.strip()) == (2, "error: --aht: 'soon' is not a duration")
