"""The SLA sweeper loop: warnings, breaches and time-based escalations (R-SLA-2, R-ESC-1).

Calls `tierdesk.services.sweep.sweep` every `interval` seconds; the service records each finding
once, so any number of sweepers may run at once (PostgreSQL: FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from tierdesk.services.policies import EnvSource, current
from tierdesk.services.sweep import SweepReport, sweep
from tierdesk.workers.loop import StepResult, run_loop

SWEEP_INTERVAL = 15.0
SWEEP_LIMIT = 200


def describe_sweep(report: SweepReport) -> str | None:
    """One line for a sweep that found something; None for an idle one."""
    found = report.warnings or report.breaches or report.escalations or report.skipped
    if not (found or report.notices_sent):
        return None
    return (
        f"looked at {report.looked} ticket(s): {report.warnings} warning(s), "
        f"{report.breaches} breach(es), {report.escalations} escalation(s), "
        f"{report.skipped} skipped, {report.notices_sent} staff notice(s) sent"
    )


def sweep_step(
    env: EnvSource, *, limit: int = SWEEP_LIMIT, sweep_fn: Callable[..., SweepReport] = sweep
) -> StepResult:
    """One sweep; `more` when the batch was full (more tickets are due right now)."""
    report = sweep_fn(current(env), limit=limit)
    return StepResult(describe_sweep(report), more=report.looked >= limit > report.skipped)


def run_sweeper(
    env: EnvSource,
    stop: threading.Event,
    *,
    interval: float = SWEEP_INTERVAL,
    limit: int = SWEEP_LIMIT,
    max_pause: float = 300.0,
    sweep_fn: Callable[..., SweepReport] = sweep,
) -> int:
    """Sweep every `interval` seconds until `stop` is set; returns the number of sweeps.

    A failing sweep is logged and retried after a growing pause; it never ends the loop.
    `sweep_fn` is `tierdesk.services.sweep.sweep` (replaceable in tests)."""
    return run_loop(
        "sla-sweeper",
        lambda: sweep_step(env, limit=limit, sweep_fn=sweep_fn),
        stop,
        interval=interval,
        max_pause=max_pause,
    )
