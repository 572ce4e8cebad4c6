"""The outbox sender loop: receipts, replies, notices and surveys reach the customer.

Calls `tierdesk.services.outbox.deliver`, which claims a batch (concurrent workers never get the
same message), sends each with the `Sender`, and retries failures with backoff until a message is
dead. A sent message is never claimed again, so running the loop twice sends nothing twice.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from tierdesk.services.outbox import DeliveryReport, Sender, deliver
from tierdesk.services.policies import EnvSource, current
from tierdesk.workers.loop import StepResult, run_loop

OUTBOX_INTERVAL = 2.0
OUTBOX_BATCH = 50


def describe_delivery(report: DeliveryReport) -> str | None:
    """One line for a pass that claimed anything; None for an idle one."""
    if not report.claimed:
        return None
    released = f", {report.released} released (lease running short)" if report.released else ""
    return (
        f"claimed {report.claimed}: {report.sent} sent, {report.retried} to retry, "
        f"{report.dead} dead{released}"
    )


def delivery_step(
    env: EnvSource,
    sender: Sender,
    *,
    limit: int = OUTBOX_BATCH,
    lease: timedelta = timedelta(minutes=2),
    max_attempts: int = 8,
) -> StepResult:
    """One delivery pass; `more` when the batch was full and sent (more may be waiting)."""
    report = deliver(current(env), sender, limit=limit, lease=lease, max_attempts=max_attempts)
    return StepResult(describe_delivery(report), more=report.claimed >= limit and report.sent > 0)


def run_outbox(
    env: EnvSource,
    sender: Sender,
    stop: threading.Event,
    *,
    interval: float = OUTBOX_INTERVAL,
    limit: int = OUTBOX_BATCH,
    lease: timedelta = timedelta(minutes=2),
    max_attempts: int = 8,
    max_pause: float = 300.0,
) -> int:
    """Deliver due outbox messages every `interval` seconds until `stop` is set; returns the
    number of passes. A pass that fails as a whole (database down) is logged and retried after
    a growing pause; a failing message is the service's business (retry, backoff, dead)."""
    return run_loop(
        "outbox",
        lambda: delivery_step(env, sender, limit=limit, lease=lease, max_attempts=max_attempts),
        stop,
        interval=interval,
        max_pause=max_pause,
    )
