"""`tierdesk worker`: the SLA sweeper, the outbox sender and housekeeping as a separate process.

Run any number of them against one PostgreSQL database (sweep and delivery skip what another
worker holds: FOR UPDATE SKIP LOCKED). SIGTERM or SIGINT stops a worker gracefully after the
step in progress. `--once` takes what waits in each configured mailbox, then does one sweep,
one delivery pass (the receipts of that mail included) and one purge of long-ended sessions
and API tokens, and prints the counts (cron, tests). Webhook messages are POSTed to
their subscriptions; the others go to the development mailbox file (`--mailbox`, one JSON line
each) until the real channel senders exist. Exit
codes: 0 ok; 1 the database is unreachable or its schema is not current; 2 bad usage (an
unusable URL, --policy with --preset).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tierdesk import bootstrap
from tierdesk.cli.common import (
    PolicyOpt,
    PresetOpt,
    channels_of,
    load_rulebook,
    log_to_stderr,
)
from tierdesk.cli.serve_cmd import settings_from
from tierdesk.config import Settings
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services.policies import PolicyInForce
from tierdesk.workers.run import OnceReport, run_forever, run_once, worker_env

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="TIERDESK_DATABASE_URL",
        help="SQLite or PostgreSQL URL (default: sqlite:///./var/tierdesk.db).",
        show_envvar=True,
    ),
]
MailboxOpt = Annotated[
    Path,
    typer.Option("--mailbox", help="Development mailbox: delivered messages as JSON lines."),
]


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    database_url: UrlOpt = None,
    policy_file: PolicyOpt = None,
    preset: PresetOpt = None,
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="One mail pass, one sweep, one delivery and one purge, then exit."
        ),
    ] = False,
    mailbox: MailboxOpt = Path("var/mailbox.jsonl"),
    as_json: Annotated[
        bool, typer.Option("--json", help="With --once: print one JSON object.")
    ] = False,
    sweep_interval: Annotated[
        float, typer.Option("--sweep-interval", min=0.1, help="Seconds between SLA sweeps.")
    ] = 15.0,
    outbox_interval: Annotated[
        float, typer.Option("--outbox-interval", min=0.1, help="Seconds between outbox passes.")
    ] = 2.0,
    housekeeping_interval: Annotated[
        float,
        typer.Option(
            "--housekeeping-interval",
            min=1.0,
            help="Seconds between purges of long-ended sessions and API tokens.",
        ),
    ] = 3600.0,
) -> None:
    """Run the SLA sweeper, the outbox sender and housekeeping until SIGTERM/SIGINT (or once
    with --once).

    The rules are those of the database's effective policy version, else --policy/--preset."""
    rules = load_rulebook(policy_file, preset)
    settings = settings_from()
    env = _open(database_url, rules, settings)
    allow = settings.webhook_allow_private  # TIERDESK_WEBHOOK_ALLOW_PRIVATE
    channels, mailboxes, receivers = channels_of(settings, env)
    sender = bootstrap.outbound_sender(
        mailbox, env, allow_private_webhooks=allow, channels=channels
    )
    if once:
        blobs = bootstrap.orphan_blobs(settings)
        report = run_once(env, sender, blobs=blobs, mailboxes=mailboxes)
        typer.echo(json.dumps(to_json(report)) if as_json else render(report))
        return
    log_to_stderr()
    run_forever(
        env,
        sender,
        sweep_interval=sweep_interval,
        outbox_interval=outbox_interval,
        housekeeping_interval=housekeeping_interval,
        mailboxes=mailboxes,
        receivers=receivers,
        blobs=bootstrap.orphan_blobs(settings),
    )


def _open(database_url: str | None, rules: Rulebook, settings: Settings) -> PolicyInForce:
    url = database_url or bootstrap.default_database_url(Path.cwd())
    database = bootstrap.open_database(url)
    clock = bootstrap.system_clock()
    links = bootstrap.public_links(settings)
    return worker_env(
        database.uow, clock, rules, load_model=bootstrap.load_stored_classifier, **links
    )


def to_json(report: OnceReport) -> dict[str, dict[str, int]]:
    """`{"sweep": {looked, warnings, breaches, escalations, skipped}, "outbox": {claimed,
    sent, retried, dead, suppressed}, "housekeeping": {sessions, tokens, blobs}}` (housekeeping:
    how many ended sessions, API tokens and orphan mail blobs were deleted; suppressed: dead
    without sending, mail to a bounced address), "mail": {outcome: count} of the mail taken
    from the configured mailboxes (ticket, reply, duplicate, auto_reply, ...)}`."""
    s, d, h = report.sweep, report.delivery, report.housekeeping
    return {
        "sweep": {
            "looked": s.looked,
            "warnings": s.warnings,
            "breaches": s.breaches,
            "escalations": s.escalations,
            "skipped": s.skipped,
        },
        "outbox": {
            "claimed": d.claimed,
            "sent": d.sent,
            "retried": d.retried,
            "dead": d.dead,
            "suppressed": d.suppressed,
        },
        "housekeeping": {"sessions": h.sessions, "tokens": h.tokens, "blobs": h.blobs},
        "mail": dict(sorted(report.mail.items())),
    }


def render(report: OnceReport) -> str:
    s, d, h = report.sweep, report.delivery, report.housekeeping
    taken = ", ".join(f"{n} {o}" for o, n in sorted(report.mail.items())) or "nothing"
    return (
        f"mail: {taken} taken\n"
        f"sweep: looked at {s.looked} ticket(s): {s.warnings} warning(s), {s.breaches} "
        f"breach(es), {s.escalations} escalation(s), {s.skipped} skipped\n"
        f"outbox: claimed {d.claimed}: {d.sent} sent, {d.retried} to retry, {d.dead} dead\n"
        f"housekeeping: deleted {h.sessions} ended session(s), {h.tokens} ended API token(s), "
        f"{h.blobs} orphan mail blob(s)"
    )
