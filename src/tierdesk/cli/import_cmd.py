"""`tierdesk import`: ticket history from tierdesk's CSV, a Zendesk or a Freshdesk export
(services.importing; the formats and mappings are in docs/guide.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tierdesk.cli.common import DatabaseOpt, usage_error
from tierdesk.cli.serve_cmd import open_env, settings_from

if TYPE_CHECKING:
    from tierdesk.services.importing import ImportResult

MAX_BYTES = 512 * 1024 * 1024


def register(app: typer.Typer) -> None:
    app.command("import")(import_history)


def import_history(
    files: Annotated[list[Path], typer.Argument(help="The export file(s) to import.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="csv or jsonl (tierdesk's columns), zendesk, freshdesk."
        ),
    ] = "csv",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would be imported; store nothing.")
    ] = False,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Import the good rows of a file that has bad ones."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Import historical tickets (each once: a re-import adds nothing twice). A file with a
    bad row imports nothing unless --skip-bad; bad rows are listed by file, line or record
    and field. Exit 1 when any row was bad."""
    from rich.progress import Progress

    from tierdesk.services import importing
    from tierdesk.services.import_formats import FORMATS

    if fmt not in FORMATS:
        usage_error(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    texts = []
    for path in files:
        try:
            if path.stat().st_size > MAX_BYTES:
                usage_error(f"{path}: larger than {MAX_BYTES // 2**20} MiB; split it")
            texts.append((path, path.read_text(encoding="utf-8-sig")))
        except UnicodeDecodeError:
            usage_error(f"{path}: not UTF-8 text")
        except OSError as exc:
            usage_error(f"cannot read {path}: {exc.strerror or exc}")
    env = open_env(settings_from(database_url=database_url))
    results = []
    any_bad = False
    for path, text in texts:
        rows, bad = importing.read_file(fmt, path.name, text)
        with Progress(transient=True, disable=as_json or dry_run) as bar:
            task = bar.add_task(f"importing {path.name}", total=len(rows))
            result = importing.import_rows(
                env,
                rows,
                bad,
                dry_run=dry_run,
                skip_bad=skip_bad,
                progress=lambda n, task=task: bar.advance(task, n),  # type: ignore[misc]
            )
        any_bad = any_bad or bool(result.bad)
        results.append((path, result))
        if not as_json:
            _say(path, result, skip_bad)
    if as_json:
        data = [{"file": str(p), **r.as_data()} for p, r in results]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    if any_bad:
        raise typer.Exit(1)


def _say(path: Path, result: ImportResult, skip_bad: bool) -> None:
    for bad in result.bad:
        typer.echo(f"bad row: {bad}", err=True)
    n, again = len(result.imported), len(result.already)
    if result.dry_run:
        verb = "would import"
    elif result.stored:
        verb = "imported"
    else:
        typer.echo(
            f"{path}: nothing imported: {len(result.bad)} bad row(s); fix them or give "
            f"--skip-bad to import the other {n}",
            err=True,
        )
        return
    skipped = f", skipped {len(result.bad)} bad row(s)" if result.bad else ""
    typer.echo(f"{path}: {verb} {n} ticket(s), {again} already imported{skipped}")
