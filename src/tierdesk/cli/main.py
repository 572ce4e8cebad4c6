"""The `tierdesk` command line. Each command group lives in its own module and registers itself."""

from __future__ import annotations

import importlib

import typer

from tierdesk.cli.errors import guard_all

app = typer.Typer(
    name="tierdesk",
    help="tierdesk: the customer-service SOP as a program (run, measure, print, plan).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules under tierdesk.cli that define `register(app: typer.Typer) -> None`.
COMMAND_MODULES: tuple[str, ...] = (
    "policy_cmd",
    "staff_cmd",
    "sop_cmd",
    "triage_cmd",
    "sla_cmd",
    "serve_cmd",
    "user_cmd",
    "simulate_cmd",
    "db_cmd",
    "worker_cmd",
    "channels_cmd",
    "report_cmd",
    "kb_cmd",
    "import_cmd",
    "export_cmd",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"tierdesk.cli.{name}")
        module.register(app)


_register_all()
guard_all(app)  # one translator from errors to messages and exit codes


def main() -> None:
    app()
