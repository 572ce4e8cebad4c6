"""`tierdesk triage`: text in, triage decision out (JSON); `tierdesk triage train`: a model."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from tierdesk import bootstrap
from tierdesk.cli.common import PolicyOpt, PresetOpt, load_rulebook, usage_error
from tierdesk.cli.errors import USAGE, translated
from tierdesk.domain.classifier import Classifier
from tierdesk.domain.intent_map import IntentMapping
from tierdesk.domain.routing import triage_ticket
from tierdesk.domain.rulebook import Rulebook

triage_app = typer.Typer(
    help="Triage customer messages by the policy: category, priority, tier, signals, refund.",
    invoke_without_command=True,
)


def _dumps(obj: Mapping[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)


@triage_app.callback(invoke_without_command=True)
def triage_cmd(
    ctx: typer.Context,
    text: Annotated[
        str | None, typer.Option("--json", metavar="TEXT", help="Triage one text; print JSON.")
    ] = None,
    jsonl: Annotated[
        str | None,
        typer.Option(
            "--jsonl",
            metavar="FILE|-",
            help='Triage each line {"id", "text", ...} of FILE (- for stdin); one JSON line out.',
        ),
    ] = None,
    policy_file: PolicyOpt = None,
    preset: PresetOpt = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="A model from `tierdesk triage train`.")
    ] = None,
    intent_map: Annotated[
        Path | None,
        typer.Option("--intent-map", help="CSV: source_intent,category,priority,tier[,...]."),
    ] = None,
    contacts: Annotated[
        int, typer.Option("--contacts", min=1, help="Contacts on this issue, this one included.")
    ] = 1,
) -> None:
    """Print the triage decision as JSON. Exit 0 ok, 1 invalid policy, 2 bad usage."""
    if ctx.invoked_subcommand is not None:
        return
    if (text is None) == (jsonl is None):
        usage_error("give --json TEXT or --jsonl FILE|- (one of them)")
    rules = load_rulebook(policy_file, preset)
    classifier, mapping = _load_model(model, intent_map)
    if jsonl is not None:
        for out in _triage_lines(_open(jsonl), rules, contacts, classifier, mapping):
            typer.echo(_dumps(out))
        return
    record = {"text": text, "contact_count": contacts}
    decision = triage_ticket(record, rules, classifier=classifier, intent_map=mapping)
    typer.echo(_dumps(decision.to_json()))


def _load_model(
    model: Path | None, intent_map: Path | None
) -> tuple[Classifier | None, dict[str, IntentMapping] | None]:
    if model is None:
        if intent_map is not None:
            usage_error("--intent-map needs --model")
        return None, None
    try:
        with translated(code=USAGE):
            classifier = bootstrap.load_classifier(model)
            mapping = None if intent_map is None else bootstrap.load_intent_map(intent_map)
    except OSError as exc:
        usage_error(str(exc))
    return classifier, mapping


def _open(source: str) -> IO[bytes]:
    if source == "-":
        return typer.get_binary_stream("stdin")
    try:
        return Path(source).open("rb")
    except OSError as exc:
        usage_error(f"cannot read {source}: {exc.strerror or exc}")


def _triage_lines(
    stream: IO[bytes],
    rules: Rulebook,
    contacts: int,
    classifier: Classifier | None,
    mapping: dict[str, IntentMapping] | None,
) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line, in order; a bad line becomes an error."""
    with stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            record: Any = None
            try:
                record = json.loads(raw.decode("utf-8"))
                if not isinstance(record, dict):
                    raise ValueError(f"expected a JSON object, got {type(record).__name__}")
                ticket = {"contact_count": contacts, **record}
                decision = triage_ticket(ticket, rules, classifier=classifier, intent_map=mapping)
            except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError included
                line_id = record.get("id") if isinstance(record, dict) else None
                yield {"id": line_id, "error": f"line {number}: {exc}"}
                continue
            yield {"id": record.get("id"), **decision.to_json()}


@triage_app.command("train")
def train_cmd(
    data: Annotated[Path, typer.Option("--data", help="Labeled CSV with a header row.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the model file.")],
    text_col: Annotated[str, typer.Option("--text-col", help="Column of texts.")] = "text",
    label_col: Annotated[str, typer.Option("--label-col", help="Column of labels.")] = "category",
) -> None:
    """Train the triage classifier on a labeled CSV and write the model file."""
    try:
        with translated(code=USAGE):
            model = bootstrap.train_classifier_from_csv(data, text_col, label_col)
            bootstrap.save_classifier(model, out)
    except OSError as exc:
        usage_error(str(exc))
    labels = len(model.labels)
    typer.echo(f"trained on {model.training_size} texts, {labels} labels; wrote {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(triage_app, name="triage")
