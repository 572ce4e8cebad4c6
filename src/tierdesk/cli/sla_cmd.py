"""`tierdesk sla due`: when a new ticket of a priority must be answered and resolved."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from tierdesk.cli.common import PolicyOpt, PresetOpt, load_rulebook, usage_error
from tierdesk.cli.errors import translated
from tierdesk.domain.sla import DueTimes, due_times

sla_app = typer.Typer(help="SLA clocks: due times on the policy's calendars.", no_args_is_help=True)

EXAMPLE = "2026-02-13T17:00:00+08:00"


def parse_created(text: str) -> datetime:
    """An ISO 8601 instant with a UTC offset (or Z); exit 2 naming --created otherwise."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        usage_error(f"--created {text!r} is not an ISO 8601 date-time; write e.g. {EXAMPLE}")
    if value.tzinfo is None or value.utcoffset() is None:
        usage_error(f"--created {text!r} has no UTC offset; write e.g. {EXAMPLE} or ...Z for UTC")
    return value


@sla_app.command("due")
def due_cmd(
    priority: Annotated[str, typer.Option("--priority", help="Priority id, e.g. P2.")],
    created: Annotated[
        str, typer.Option("--created", help=f"When the ticket was created, e.g. {EXAMPLE}.")
    ],
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel",
            help="The ticket's channel (e.g. line): its own first-response target applies too.",
        ),
    ] = None,
    policy_file: PolicyOpt = None,
    preset: PresetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print the first-response and resolution due times, in the clock's local time zone.

    Exit 0 ok, 1 invalid policy, 2 bad usage (no UTC offset, unknown priority).
    """
    created_at = parse_created(created)
    rules = load_rulebook(policy_file, preset)
    with translated("--priority: "):
        due = due_times(priority, created_at, rules, channel)
    typer.echo(json.dumps(to_json(due)) if as_json else render(due))


def _local(value: datetime | None, tz: str) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(tz)).isoformat()


def to_json(due: DueTimes) -> dict[str, str | None]:
    """`first_response_due` and `resolution_due` (ISO 8601 with offset, or null), plus the
    priority and its clock."""
    return {
        "priority": due.priority,
        "clock": due.clock,
        "first_response_due": _local(due.first_response_due, due.timezone),
        "resolution_due": _local(due.resolution_due, due.timezone),
    }


def render(due: DueTimes) -> str:
    data = to_json(due)
    return "\n".join(
        [
            f"priority {due.priority} on the {due.clock} clock ({due.timezone})",
            f"first response due: {data['first_response_due']}",
            f"resolution due:     {data['resolution_due'] or 'no target'}",
        ]
    )


def register(app: typer.Typer) -> None:
    app.add_typer(sla_app, name="sla")
