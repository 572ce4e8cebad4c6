"""`tierdesk triage`: text in, triage decision out (JSON); `tierdesk triage train`: a model;
`tierdesk triage versions`: the model versions learned from the store."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from tierdesk.cli.common import DatabaseOpt, PolicyOpt, PresetOpt, load_rulebook, usage_error
from tierdesk.cli.errors import USAGE, translated
from tierdesk.domain.classifier import Classifier
from tierdesk.domain.intent_map import IntentMapping
from tierdesk.domain.routing import triage_ticket
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.triage import predict_all
from tierdesk.domain.triage_eval import score

# bootstrap (the model's libraries, the store) and serve_cmd are imported where used, so that
# `triage --json` without a model starts at once (issue 15).

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
    from tierdesk import bootstrap

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


BATCH = 512  # lines read before the model classifies them together (a batch is much faster)


def _triage_lines(
    stream: IO[bytes],
    rules: Rulebook,
    contacts: int,
    classifier: Classifier | None,
    mapping: dict[str, IntentMapping] | None,
) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line, in order; a bad line becomes an error.
    Lines are read in batches of BATCH so the model classifies many texts in one call."""
    with stream:
        batch: list[tuple[int, Any]] = []
        for number, raw in enumerate(stream, start=1):
            if raw.strip():
                batch.append((number, _parse_line(raw)))
            if len(batch) >= BATCH:
                yield from _triage_batch(batch, rules, contacts, classifier, mapping)
                batch = []
        yield from _triage_batch(batch, rules, contacts, classifier, mapping)


def _parse_line(raw: bytes) -> Any:
    """The line's JSON object, or the ValueError that says why it is not one."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError included
        return exc
    if not isinstance(record, dict):
        return ValueError(f"expected a JSON object, got {type(record).__name__}")
    return record


def _triage_batch(
    batch: list[tuple[int, Any]],
    rules: Rulebook,
    contacts: int,
    classifier: Classifier | None,
    mapping: dict[str, IntentMapping] | None,
) -> Iterator[dict[str, Any]]:
    texts = [r["text"] for _, r in batch if isinstance(r, dict) and isinstance(r.get("text"), str)]
    predictions = iter(predict_all(classifier, texts))
    for number, record in batch:
        if isinstance(record, ValueError):
            yield {"id": None, "error": f"line {number}: {record}"}
            continue
        has_text = isinstance(record.get("text"), str)
        try:
            decision = triage_ticket(
                {"contact_count": contacts, **record},
                rules,
                classifier=classifier,
                intent_map=mapping,
                prediction=next(predictions) if has_text else None,
            )
        except ValueError as exc:
            yield {"id": record.get("id"), "error": f"line {number}: {exc}"}
            continue
        yield {"id": record.get("id"), **decision.to_json()}


@triage_app.command("train")
def train_cmd(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the model file (with --from-store: also)."),
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Labeled CSV with a header row.")
    ] = None,
    text_col: Annotated[str, typer.Option("--text-col", help="Column of texts.")] = "text",
    label_col: Annotated[str, typer.Option("--label-col", help="Column of labels.")] = "category",
    from_store: Annotated[
        bool,
        typer.Option(
            "--from-store",
            help="Learn from the store's corrected and resolved tickets; weigh the new model "
            "against the model version in force on a held-out slice, refuse a worse one "
            "(exit 1), and keep a better one as a draft version for a manager to approve.",
        ),
    ] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Train the triage classifier on a labeled CSV (writes --out), or on the store (proposes
    a model version)."""
    if from_store == (data is not None):
        usage_error("give --data FILE or --from-store (one of them)")
    if from_store:
        _train_from_store(out, database_url)
        return
    if data is None or out is None:
        usage_error("--data needs --out FILE")
    from tierdesk import bootstrap

    try:
        with translated(code=USAGE):
            model = bootstrap.train_classifier_from_csv(data, text_col, label_col)
            bootstrap.save_classifier(model, out)
    except OSError as exc:
        usage_error(str(exc))
    labels = len(model.labels)
    typer.echo(f"trained on {model.training_size} texts, {labels} labels; wrote {out}")


@triage_app.command("versions")
def versions_cmd(
    database_url: DatabaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the versions as JSON.")] = False,
) -> None:
    """The triage model versions in the store, with their held-out figures and status."""
    from tierdesk.cli.serve_cmd import open_env, settings_from
    from tierdesk.services import model_versions

    env = open_env(settings_from(database_url=database_url))
    found = model_versions.history(env)
    if as_json:
        rows = [{k: v for k, v in vars(m).items() if "evaluation" not in k} for m in found]
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    if not found:
        typer.echo("no model versions: `tierdesk triage train --from-store` proposes one")
    for m in found:
        typer.echo(
            f"{m.number:>3}  {m.status:<10} {m.created_at:%Y-%m-%d %H:%M}  trained on "
            f"{m.trained_on}, held-out {m.held_out}: accuracy {m.accuracy:.3f}, "
            f"{m.baseline} {m.baseline_accuracy:.3f}  ({m.id})"
        )


@triage_app.command("eval")
def eval_cmd(
    data: Annotated[Path, typer.Argument(help="Labelled CSV (header row) or JSONL file.")],
    policy_file: PolicyOpt = None,
    preset: PresetOpt = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="Triage with this model too.")
    ] = None,
    intent_map: Annotated[
        Path | None,
        typer.Option("--intent-map", help="CSV: source_intent,category,priority,tier[,...]."),
    ] = None,
    text_col: Annotated[str, typer.Option("--text-col", help="Column of texts.")] = "text",
    label_col: Annotated[
        str, typer.Option("--label-col", help="Column of the right categories.")
    ] = "category",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Triage every labelled text and print accuracy per category and the confusion pairs."""
    rules = load_rulebook(policy_file, preset)
    classifier, mapping = _load_model(model, intent_map)
    from tierdesk import bootstrap

    try:
        with translated(code=USAGE):
            texts, labels = bootstrap.read_labelled(data, text_col, label_col)
    except OSError as exc:
        usage_error(str(exc))
    predictions = predict_all(classifier, texts)
    guesses = [
        triage_ticket(
            {"text": t}, rules, classifier=classifier, intent_map=mapping, prediction=p
        ).category
        for t, p in zip(texts, predictions, strict=True)
    ]
    report = score(zip(labels, guesses, strict=True))
    if as_json:
        typer.echo(_dumps(report.to_json()))
        return
    typer.echo(f"{data}: {report.total} texts, accuracy {report.accuracy:.3f}")
    typer.echo(f"{'category':<24}{'accuracy':>9}{'precision':>10}{'support':>9}")
    for c in report.categories:
        typer.echo(f"{c.category:<24}{c.accuracy:>9.3f}{c.precision:>10.3f}{c.support:>9}")
    typer.echo("confusion pairs (label -> triaged as):" if report.confusions else "no confusions")
    for label, guess, n in report.confusions:
        typer.echo(f"  {n:>5}  {label} -> {guess}")


def _train_from_store(out: Path | None, database_url: str | None) -> None:
    from tierdesk import bootstrap
    from tierdesk.cli.serve_cmd import open_env, settings_from
    from tierdesk.services import training

    env = open_env(settings_from(database_url=database_url))
    with translated():
        result = training.retrain(env, bootstrap.train_classifier)
        version = training.propose(env, result, bootstrap.model_bytes(result.model))
    if out is not None:
        with translated(code=USAGE):
            bootstrap.save_classifier(result.model, out)
    held = result.candidate.total
    typer.echo(
        f"trained on {result.trained_on} tickets ({result.corrected} corrected by a person); "
        f"held-out {held}: accuracy {result.candidate.accuracy:.3f}, "
        f"{result.in_force_name} {result.in_force.accuracy:.3f}"
        + (f"; wrote {out}" if out is not None else "")
    )
    if result.left_out:
        rare = ", ".join(result.left_out)
        typer.echo(f"not learned (fewer than {training.MIN_PER_CATEGORY} tickets): {rare}")
    typer.echo(
        f"model version {version.number} ({version.id}) is a draft: it triages once a manager "
        "approves it (console: Triage models; API: POST /api/model-versions/{id}/approve)"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(triage_app, name="triage")
