"""The `tierdesk` command line. Each command group lives in its own module and registers itself.

Start-up is kept short (issue 15): a command's module is imported only when that command runs
(or its own --help is asked for). `LAZY_COMMANDS` names, for each command, the module that
registers it and the first paragraph of its help, which `tierdesk --help` lists without
importing anything; tests/unit/test_cli_startup.py checks that the table matches the commands
the modules really register. A module in `COMMAND_MODULES` with no entry in `LAZY_COMMANDS` is
imported and registered at start, as before (correct, only slower).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from tierdesk.cli.errors import guard_all

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
    "qa_cmd",
)


@dataclass(frozen=True)
class LazyCommand:
    name: str
    module: str  # under tierdesk.cli; its register(app) adds the command `name`
    help: str  # the first paragraph of the command's help, as `tierdesk --help` lists it
    group: bool = False  # a group of subcommands (Typer lists them after single commands)


# In the order `tierdesk --help` lists them (Typer's: single commands, then groups).
LAZY_COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand("init", "policy_cmd", "Write a commented policy file to start from."),
    LazyCommand(
        "staff",
        "staff_cmd",
        "Agents needed to meet a service-level target, before and after shrinkage.",
    ),
    LazyCommand(
        "serve",
        "serve_cmd",
        "Run the helpdesk: REST API under /api, OpenAPI at /openapi.json, /healthz.",
    ),
    LazyCommand(
        "simulate",
        "simulate_cmd",
        "Simulate policies on ticket arrivals with the given staff; compare them side by side.",
    ),
    LazyCommand(
        "worker",
        "worker_cmd",
        "Run the SLA sweeper, the outbox sender and housekeeping until SIGTERM/SIGINT (or once\n"
        "with --once).",
    ),
    LazyCommand(
        "report",
        "report_cmd",
        "Metrics of the tickets created from --since (default: 30 days before --until) to\n"
        "--until (default: now), each against its policy target, with the trend over the\n"
        "previous period and whether action is required. Dates are in the business's time zone.",
    ),
    LazyCommand(
        "import",
        "import_cmd",
        "Import historical tickets (each once: a re-import adds nothing twice). A file with a\n"
        "bad row imports nothing unless --skip-bad; bad rows are listed by file, line or record\n"
        "and field. Exit 1 when any row was bad.",
    ),
    LazyCommand(
        "export",
        "export_cmd",
        "Export tickets created from --since to --until (default: all), newest first, in the\n"
        "columns `tierdesk import` reads (csv, jsonl; docs/guide.md), or the whole history as the\n"
        "tables the metrics read (parquet: a directory, -o DIR; `tierdesk report --from-parquet`\n"
        "measures it with DuckDB; docs/metrics.md).",
    ),
    LazyCommand("policy", "policy_cmd", "Check and compare SOP policy files.", group=True),
    LazyCommand("sop", "sop_cmd", "Print the SOP document people sign and train on.", group=True),
    LazyCommand(
        "triage",
        "triage_cmd",
        "Triage customer messages by the policy: category, priority, tier, signals, refund.",
        group=True,
    ),
    LazyCommand("sla", "sla_cmd", "SLA clocks: due times on the policy's calendars.", group=True),
    LazyCommand("user", "user_cmd", "Manage users.", group=True),
    LazyCommand("db", "db_cmd", "Create and migrate the database schema.", group=True),
    LazyCommand("channels", "channels_cmd", "Customer channels (email, ...).", group=True),
    LazyCommand("kb", "kb_cmd", "Knowledge base articles as Markdown files.", group=True),
    LazyCommand(
        "qa", "qa_cmd", "QA reviews: the automatic scores of resolved conversations.", group=True
    ),
)

_LAZY = {c.name: c for c in LAZY_COMMANDS}
_LAZY_MODULES = frozenset(c.module for c in LAZY_COMMANDS)


# The click objects are typed Any: typer vendors its own click (typer._click) in recent versions.
def load_module_commands(module: str) -> dict[str, Any]:
    """The commands `tierdesk.cli.<module>` registers, built and guarded, by name."""
    sub = typer.Typer()
    importlib.import_module(f"tierdesk.cli.{module}").register(sub)
    guard_all(sub)
    group = typer.main.get_group(sub)
    return dict(group.commands)


class LazyGroup(TyperGroup):
    """The top-level group: eagerly registered commands as usual, plus `LAZY_COMMANDS`, whose
    module is imported the first time the command is looked up to run. Listing them in the
    top-level help uses the help text in the table instead."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._loaded: dict[str, Any] = {}
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        """Typer's order: single commands, then groups; the table's first within each."""
        eager = [n for n in super().list_commands(ctx) if n not in _LAZY]
        registered = dict(self.commands)  # (no zero-argument super() inside a comprehension)
        groups = {n for n in eager if hasattr(registered.get(n), "commands")}
        return (
            [c.name for c in LAZY_COMMANDS if not c.group]
            + [n for n in eager if n not in groups]
            + [c.name for c in LAZY_COMMANDS if c.group]
            + [n for n in eager if n in groups]
        )

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        lazy = _LAZY.get(cmd_name)
        if lazy is None:
            return super().get_command(ctx, cmd_name)
        if cmd_name in self._loaded:
            return self._loaded[cmd_name]
        if self._listing:
            return TyperCommand(cmd_name, help=lazy.help)
        self._loaded.update(load_module_commands(lazy.module))
        return self._loaded.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="tierdesk",
    help="tierdesk: the customer-service SOP as a program (run, measure, print, plan).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)


@app.callback()
def _top() -> None:
    # Typer builds a group only for an app with commands or a callback; the lazy commands are
    # not registered with it, so this (doing nothing) keeps `app` a group.
    pass


def _register_eager() -> None:
    for name in COMMAND_MODULES:
        if name not in _LAZY_MODULES:
            module = importlib.import_module(f"tierdesk.cli.{name}")
            module.register(app)


_register_eager()
guard_all(app)  # one translator from errors to messages and exit codes


def main() -> None:
    app()
