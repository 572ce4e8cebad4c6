"""Running the workers: as threads inside `tierdesk serve`, or as a `tierdesk worker` process.

`start_background` starts the SLA sweeper, the outbox sender and housekeeping (deleting sessions
and API tokens that ended long ago) as daemon threads that end when the given event is set (the
server's lifespan sets it on shutdown). `run_forever` does the same in the foreground of a worker
process and stops gracefully on SIGTERM or SIGINT: the step in progress finishes (its unit of
work commits or rolls back), then the process exits.
`run_once` is one pass over each mailbox, one sweep, one delivery pass and one purge (cron,
tests): the receipts of the mail it took go out in the same run.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from typing import Any

from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import policies
from tierdesk.services.email_intake import Mailbox, Receiver
from tierdesk.services.env import Env
from tierdesk.services.housekeeping import BlobFiles, PurgeReport, purge
from tierdesk.services.outbox import DeliveryReport, Sender, deliver
from tierdesk.services.ports import Clock, UnitOfWork
from tierdesk.services.sweep import SweepReport, sweep
from tierdesk.workers.email import run_mailbox, run_receiver, take_waiting
from tierdesk.workers.housekeeping import HOUSEKEEPING_INTERVAL, run_housekeeping
from tierdesk.workers.outbox import OUTBOX_INTERVAL, run_outbox
from tierdesk.workers.sweeper import SWEEP_INTERVAL, run_sweeper

log = logging.getLogger("tierdesk.workers")


@dataclass(frozen=True)
class OnceReport:
    """What `run_once` did."""

    sweep: SweepReport
    delivery: DeliveryReport
    housekeeping: PurgeReport
    mail: dict[str, int]  # the mail taken from the mailboxes, by outcome


def worker_env(
    uow: Callable[[], UnitOfWork], clock: Clock, rules: Rulebook, **fields: Any
) -> policies.PolicyInForce:
    """What a worker runs on: the rules of the database's effective policy version when one
    was approved (R-DOC-3: that version is the one in force), else `rules`, and the triage
    model version in force when `load_model` is given; a version approved while the worker
    runs takes over within seconds. `fields`: the Env's other fields (its absolute links,
    `bootstrap.public_links`, and `load_model`)."""
    return policies.PolicyInForce(Env(uow=uow, clock=clock, rules=rules, **fields))


def start_background(
    env: policies.EnvSource,
    sender: Sender,
    stop: threading.Event,
    *,
    sweep_interval: float = SWEEP_INTERVAL,
    outbox_interval: float = OUTBOX_INTERVAL,
    housekeeping_interval: float = HOUSEKEEPING_INTERVAL,
    mailboxes: Sequence[Mailbox] = (),
    receivers: Sequence[Receiver] = (),
    blobs: BlobFiles | None = None,
) -> list[threading.Thread]:
    """Start the sweeper, the outbox sender, housekeeping and one email poller per mailbox as
    daemon threads; they run until `stop` is set. Join the returned threads after setting it
    (each ends within one step)."""
    threads = [
        threading.Thread(
            target=run_sweeper,
            args=(env, stop),
            kwargs={"interval": sweep_interval},
            name="tierdesk-sla-sweeper",
            daemon=True,
        ),
        threading.Thread(
            target=run_outbox,
            args=(env, sender, stop),
            kwargs={"interval": outbox_interval},
            name="tierdesk-outbox",
            daemon=True,
        ),
        threading.Thread(
            target=run_housekeeping,
            args=(env, stop),
            kwargs={"interval": housekeeping_interval, "blobs": blobs},
            name="tierdesk-housekeeping",
            daemon=True,
        ),
    ]
    threads += [
        threading.Thread(
            target=run_mailbox,
            args=(mailbox, stop),
            name=f"tierdesk-email-{mailbox.source.name}",
            daemon=True,
        )
        for mailbox in mailboxes
    ]
    threads += [
        threading.Thread(
            target=run_receiver,
            args=(receiver, stop),
            name=f"tierdesk-receiver-{i}",
            daemon=True,
        )
        for i, receiver in enumerate(receivers)
    ]
    for thread in threads:
        thread.start()
    return threads


def stop_background(
    threads: list[threading.Thread], stop: threading.Event, timeout: float = 30.0
) -> bool:
    """Set `stop` and wait up to `timeout` seconds for the threads; False if any still runs."""
    stop.set()
    for thread in threads:
        thread.join(timeout)
    return not any(t.is_alive() for t in threads)


def run_once(
    env: policies.EnvSource,
    sender: Sender,
    *,
    now: datetime | None = None,
    blobs: BlobFiles | None = None,
    mailboxes: Sequence[Mailbox] = (),
) -> OnceReport:
    """One pass over each of `mailboxes` (taken and acknowledged; the sources are closed),
    one sweep (at `now`, default the clock), one delivery pass, then one purge (at `now`;
    orphan mail blobs too with `blobs`)."""
    mail: dict[str, int] = {}
    for mailbox in mailboxes:
        try:
            for outcome, n in take_waiting(mailbox).items():
                mail[outcome] = mail.get(outcome, 0) + n
        finally:
            mailbox.source.close()
    now_env = policies.current(env)
    return OnceReport(
        sweep(now_env, now), deliver(now_env, sender), purge(now_env, now, blobs=blobs), mail
    )


def run_forever(
    env: policies.EnvSource,
    sender: Sender,
    *,
    stop: threading.Event | None = None,
    sweep_interval: float = SWEEP_INTERVAL,
    outbox_interval: float = OUTBOX_INTERVAL,
    housekeeping_interval: float = HOUSEKEEPING_INTERVAL,
    handle_signals: bool = True,
    mailboxes: Sequence[Mailbox] = (),
    receivers: Sequence[Receiver] = (),
    blobs: BlobFiles | None = None,
) -> None:
    """Run the workers in this process until `stop` is set or, with `handle_signals` (and
    when called from the main thread), SIGTERM/SIGINT arrives; then let the steps in progress
    finish and return. Previous signal handlers are restored on return."""
    stop = stop or threading.Event()
    restore = _install_signals(stop) if handle_signals else {}
    try:
        threads = start_background(
            env,
            sender,
            stop,
            sweep_interval=sweep_interval,
            outbox_interval=outbox_interval,
            housekeeping_interval=housekeeping_interval,
            mailboxes=mailboxes,
            receivers=receivers,
            blobs=blobs,
        )
        log.info(
            "workers started (sweep every %ss, outbox every %ss, housekeeping every %ss)",
            sweep_interval,
            outbox_interval,
            housekeeping_interval,
        )
        while not stop.wait(1.0):
            if not all(t.is_alive() for t in threads):  # pragma: no cover - loops never raise
                log.error("a worker thread ended unexpectedly; stopping")
                break
        stop_background(threads, stop)
        log.info("workers stopped")
    finally:
        for signum, handler in restore.items():
            signal.signal(signum, handler)


_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers


def _install_signals(stop: threading.Event) -> dict[signal.Signals, _Handler]:
    """Make SIGTERM and SIGINT set `stop`; the previous handlers, to restore. Nothing (and
    nothing to restore) off the main thread, where Python allows no signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s: stopping after the current step", signal.Signals(signum).name)
        stop.set()

    previous: dict[signal.Signals, _Handler] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        old = signal.signal(signum, on_signal)
        # None: a handler not installed from Python; the default is the closest restore.
        previous[signum] = signal.SIG_DFL if old is None else old
    return previous
