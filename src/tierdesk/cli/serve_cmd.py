"""`tierdesk serve`: the helpdesk web server (REST API) with its background work in-process.

On start it upgrades the database schema, opens the store, optionally seeds demo data (and
prints the demo sign-ins), then runs uvicorn. The SLA sweeper, the outbox sender and
housekeeping run as threads for the life of the server (`--no-workers` when separate
`tierdesk worker` processes do that job, e.g. on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import sys
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from tierdesk import bootstrap
from tierdesk.cli.common import DatabaseOpt as DatabaseOpt  # re-exported: commands import it here
from tierdesk.cli.common import (
    PolicyOpt,
    PresetOpt,
    channels_of,
    load_rulebook,
    log_to_stderr,
    prompt_password,
    usage_error,
)
from tierdesk.config import Settings
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import users
from tierdesk.services.email_intake import Mailbox, Receiver
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, UsernameTaken
from tierdesk.services.housekeeping import BlobFiles
from tierdesk.services.outbox import Sender
from tierdesk.services.policies import EnvSource, PolicyInForce
from tierdesk.web.app import Lifespan, create_app
from tierdesk.workers.run import start_background, stop_background

HostOpt = Annotated[str | None, typer.Option("--host", help="Address (default 127.0.0.1).")]
PortOpt = Annotated[int | None, typer.Option("--port", help="Port (default 8000).")]


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def settings_from(**given: Any) -> Settings:
    """Settings from TIERDESK_* variables, overridden by the options given (exit 2 if bad)."""
    try:
        return Settings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        usage_error("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))


def open_env(settings: Settings, rules: Rulebook | None = None) -> Env:
    """The Env on the configured database (schema upgraded first); exit 1 with the message
    when the database cannot be used."""
    return bootstrap.open_env(settings, rules)


def serve(
    host: HostOpt = None,
    port: PortOpt = None,
    database_url: DatabaseOpt = None,
    policy_file: PolicyOpt = None,
    preset: PresetOpt = None,
    demo: Annotated[bool, typer.Option("--demo", help="Seed demo users and tickets.")] = False,
    workers: Annotated[
        bool,
        typer.Option(
            "--workers/--no-workers", help="Run the SLA sweeper, outbox and housekeeping."
        ),
    ] = True,
) -> None:
    """Run the helpdesk: REST API under /api, OpenAPI at /openapi.json, /healthz."""
    settings = settings_from(
        host=host,
        port=port,
        database_url=database_url,
        policy_file=policy_file,
        policy_preset=preset,
        demo=demo or None,
    )
    if policy_file is not None and preset is not None:
        usage_error("give --policy or --preset, not both")
    rules = load_rulebook(
        settings.policy_file, None if settings.policy_file else settings.policy_preset
    )
    log_to_stderr()
    env = open_env(settings, rules)
    if settings.demo:
        seed_demo(env)
    else:
        first_admin(env, interactive=sys.stdin.isatty())
    live = PolicyInForce(env)  # a version approved while serving takes over (R-DOC-3)
    mailbox = settings.var_dir / "mailbox.jsonl"
    allow = settings.webhook_allow_private
    channels, mailboxes, receivers = channels_of(settings, live)
    lifespan = (
        background(
            live,
            mailbox,
            allow_private_webhooks=allow,
            channels=channels,
            mailboxes=mailboxes,
            receivers=receivers,
            blobs=bootstrap.orphan_blobs(settings),
        )
        if workers
        else None
    )
    app = create_app(live, settings, lifespan=lifespan)
    typer.echo(f"tierdesk on http://{settings.host}:{settings.port} (API docs at /docs)")
    uvicorn.run(app, **uvicorn_options(settings))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `serve` runs uvicorn. Forwarded headers (X-Forwarded-For/-Proto) are believed only
    from the proxies TIERDESK_FORWARDED_ALLOW_IPS names; unset, they are ignored (uvicorn's
    own default would believe 127.0.0.1, so anyone on the host could pick their address and
    slip past the per-address limits)."""
    proxies = (settings.forwarded_allow_ips or "").strip()
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies,
    }


def first_admin(env: Env, *, interactive: bool) -> None:
    """A helpdesk without an active admin has nobody to sign in and add the team: on a
    terminal, ask once for the first admin's name and password; otherwise say how to add one.
    Nothing is asked when an active admin exists."""
    if any(u.active for u in users.list_users(env, role="admin")):
        return
    if not interactive:
        typer.echo(
            "no admin yet: add the first one with `tierdesk user add NAME --role admin`",
            err=True,
        )
        return
    typer.echo("No admin yet: create the first one (it signs in and adds the team).")
    while True:
        username = typer.prompt("Admin username", default="admin")
        password = prompt_password()
        try:
            user = users.add_user(
                env,
                username=username,
                display_name=username,
                role="admin",
                actor_id=None,
                password_hash=bootstrap.hash_password(password),
            )
        except (InvalidInput, UsernameTaken) as exc:
            typer.echo(f"error: {exc.message}", err=True)
            continue
        typer.echo(f"added {user.username} (admin)")
        return


def seed_demo(env: Env) -> None:
    """Seed demo data with `tierdesk.demo.seed` (when that module exists) and print the
    demo sign-ins. A store that already has tickets is not seeded again."""
    if importlib.util.find_spec("tierdesk.demo") is None:
        typer.echo("demo data is not available in this build; starting empty", err=True)
        return
    demo = importlib.import_module("tierdesk.demo")
    try:
        summary = demo.seed(env, now=env.now(), hash_password=bootstrap.hash_password)
    except demo.DemoRefused as exc:  # the store already has data: start without demo data
        typer.echo(f"demo: {exc}", err=True)
        return
    typer.echo(f"demo data: {summary.tickets} tickets; sign in as any of:")
    for user in summary.users:
        typer.echo(f"  {user.username:<14} {user.role:<11} password: {user.password}")


def background(
    env: EnvSource,
    mailbox: Path,
    *,
    allow_private_webhooks: bool = False,
    channels: Mapping[str, Sender] | None = None,
    mailboxes: Sequence[Mailbox] = (),
    receivers: Sequence[Receiver] = (),
    blobs: BlobFiles | None = None,
) -> Lifespan:
    """A lifespan running the SLA sweeper, the outbox sender (webhooks over HTTP, each
    configured channel's messages to its sender in `channels`, the rest to the dev mailbox
    file) and housekeeping as threads while the server runs; on shutdown they finish their
    current step. Each mailbox in `mailboxes` is polled by its own thread;
    each receiver (SMTP) runs while the server does."""

    @asynccontextmanager
    async def life(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        sender = bootstrap.outbound_sender(
            mailbox, env, allow_private_webhooks=allow_private_webhooks, channels=channels
        )
        threads = start_background(
            env, sender, stop, mailboxes=mailboxes, receivers=receivers, blobs=blobs
        )
        try:
            yield
        finally:
            await asyncio.to_thread(stop_background, threads, stop)

    return life
