"""`tierdesk init`, `tierdesk policy check` and `tierdesk policy diff`."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tierdesk.cli import policy_cache
from tierdesk.cli.common import policy_max_bytes
from tierdesk.cli.errors import USAGE, translated

if TYPE_CHECKING:  # the loader (YAML, the schema) is imported where used (issue 15)
    from tierdesk import policy

policy_app = typer.Typer(help="Check and compare SOP policy files.", no_args_is_help=True)


@policy_app.command("check")
def check_cmd(
    file: Annotated[Path, typer.Argument(help="The policy YAML file.")],
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="A JSON list, one {file, line, column, path, severity, message} each."
        ),
    ] = False,
) -> None:
    """Report every problem as `file:line:col: key.path: message`. Exit 1 on errors."""
    findings = policy_cache.check_findings(file, lambda: _findings(file, as_json))
    if as_json:
        typer.echo(json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2))
        errors = sum(f.severity == "error" for f in findings)
        if errors or (strict and len(findings) > errors):
            raise typer.Exit(1)
        return
    for f in findings:
        typer.echo(f.format(), err=f.severity == "error")
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    summary = f"{file}: {errors} error(s), {warnings} warning(s)"
    typer.echo(summary if findings else f"{file}: ok", err=bool(errors))
    if errors or (strict and warnings):
        raise typer.Exit(1)


def _findings(file: Path, as_json: bool) -> list[Any]:
    from tierdesk import policy

    try:
        return policy.check(policy.load(file, max_bytes=policy_max_bytes()))
    except policy.PolicyError as exc:
        if not as_json:
            raise
        return exc.findings


@policy_app.command("diff")
def diff_cmd(
    old: Annotated[Path, typer.Argument(help="The policy before the change.")],
    new: Annotated[Path, typer.Argument(help="The policy after the change.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON list of {path, kind, old, new}.")
    ] = False,
) -> None:
    """What changes from OLD to NEW, one line per change (comments and formatting are not
    changes). Exit 0 when nothing changes, 1 when something does, 2 when a file does not
    load or check."""
    from tierdesk.policy.compare import compare, describe

    before, after = _checked_or_exit(old), _checked_or_exit(new)
    changes = compare(before.policy, after.policy)
    if as_json:
        typer.echo(json.dumps([asdict(c) for c in changes], ensure_ascii=False, indent=2))
    else:
        for change in changes:
            typer.echo(describe(change))
    if changes:
        raise typer.Exit(1)


def _checked_or_exit(file: Path) -> policy.LoadedPolicy:
    """The policy in `file`; its error findings (as `policy check` prints them) and exit 2."""
    from tierdesk import policy

    with translated(code=USAGE):
        loaded, _ = policy.load_checked(file, max_bytes=policy_max_bytes())
    return loaded


def init_cmd(
    path: Annotated[Path, typer.Argument(help="Where to write the policy.")] = Path("policy.yaml"),
    preset: Annotated[str, typer.Option(help="cs-sop, full-sop or simple.")] = "cs-sop",
    business: Annotated[str | None, typer.Option(help="Your business name.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented policy file to start from."""
    from tierdesk import policy

    if preset not in policy.PRESETS:
        typer.echo(f"error: unknown preset {preset!r}; use {', '.join(policy.PRESETS)}", err=True)
        raise typer.Exit(2)
    if path.exists() and not force:
        typer.echo(f"error: {path} exists; pass --force to overwrite", err=True)
        raise typer.Exit(2)
    text = policy.preset_path(preset).read_text(encoding="utf-8")
    if business is not None:
        quoted = '"' + business.replace("\\", "\\\\").replace('"', '\\"') + '"'
        text = re.sub(r"(?m)^business: .*$", f"business: {quoted}", text, count=1)
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {path} (preset {preset}); check it with: tierdesk policy check {path}")


def register(app: typer.Typer) -> None:
    app.command("init")(init_cmd)
    app.add_typer(policy_app, name="policy")
