"""`tierdesk export`: every ticket in tierdesk's import columns, as CSV or JSON Lines
(services.exporting; `tierdesk import` reads both back)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from tierdesk.cli.common import DatabaseOpt, usage_error
from tierdesk.cli.report_cmd import DateOpt, ListOpt, business_zone, parse_when
from tierdesk.cli.serve_cmd import open_env, settings_from


def register(app: typer.Typer) -> None:
    app.command("export")(export_tickets)


def export_tickets(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, jsonl or parquet.")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    since: DateOpt = None,
    until: DateOpt = None,
    status: ListOpt = None,
    channel: ListOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Export tickets created from --since to --until (default: all), newest first, in the
    columns `tierdesk import` reads (csv, jsonl; docs/guide.md), or the whole history as the
    tables the metrics read (parquet: a directory, -o DIR; `tierdesk report --from-parquet`
    measures it with DuckDB; docs/metrics.md)."""
    from tierdesk.services import exporting
    from tierdesk.services.records import TicketFilter

    formats = (*exporting.EXPORT_FORMATS, "parquet")
    if fmt not in formats:
        usage_error(f"unknown format {fmt!r}; use one of {', '.join(formats)}")
    if fmt == "parquet":
        if output is None:
            usage_error("--format parquet writes a directory: give -o DIR")
        if since or until or status or channel:
            usage_error("--format parquet exports the whole history; filter when you measure")
        _parquet(output, database_url)
        return
    env = open_env(settings_from(database_url=database_url))
    zone = business_zone(env.rules)
    filters = TicketFilter(
        status=tuple(status or ()),
        channel=tuple(channel or ()),
        created_from=parse_when(since, "since", zone) if since else None,
        created_to=parse_when(until, "until", zone) if until else None,
    )
    count = 0

    def counted() -> Iterator[dict[str, str]]:
        nonlocal count
        for record in exporting.rows(env, filters):
            count += 1
            yield record

    chunks = exporting.to_csv(counted()) if fmt == "csv" else exporting.to_jsonl(counted())
    if output is None:
        for chunk in chunks:
            typer.echo(chunk, nl=False)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as file:
            for chunk in chunks:
                file.write(chunk)
    except OSError as exc:
        usage_error(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {output} ({fmt}, {count} ticket(s))", err=True)


def _parquet(directory: Path, database_url: str | None) -> None:
    from tierdesk import bootstrap

    env = open_env(settings_from(database_url=database_url))
    try:
        counts = bootstrap.export_parquet(env, directory)
    except OSError as exc:
        usage_error(f"cannot write {directory}: {exc.strerror or exc}")
    rows = ", ".join(f"{table} {n}" for table, n in counts.items())
    typer.echo(f"wrote {directory} (parquet: {rows})", err=True)
