"""The housekeeping loop: deletes sessions and API tokens that ended long ago, and orphan mail
blobs (with a blob store).

Calls `tierdesk.services.housekeeping.purge` every `interval` seconds (an hour by default); a
row is deleted once whoever gets it, so any number of workers may run it at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from tierdesk.services.housekeeping import BlobFiles, PurgeReport, purge
from tierdesk.services.policies import EnvSource, current
from tierdesk.workers.loop import StepResult, run_loop

HOUSEKEEPING_INTERVAL = 3600.0


def describe_purge(report: PurgeReport) -> str | None:
    """One line for a purge that deleted anything; None for an idle one."""
    if not (report.sessions or report.tokens or report.blobs):
        return None
    line = f"deleted {report.sessions} ended session(s), {report.tokens} ended API token(s)"
    return line + (f", {report.blobs} orphan mail blob(s)" if report.blobs else "")


def housekeeping_step(
    env: EnvSource,
    *,
    purge_fn: Callable[..., PurgeReport] = purge,
    blobs: BlobFiles | None = None,
) -> StepResult:
    """One purge (at the clock's time, with the service's default retention); orphan mail
    blobs too with `blobs`."""
    if blobs is None:
        return StepResult(describe_purge(purge_fn(current(env))))
    return StepResult(describe_purge(purge_fn(current(env), blobs=blobs)))


def run_housekeeping(
    env: EnvSource,
    stop: threading.Event,
    *,
    interval: float = HOUSEKEEPING_INTERVAL,
    max_pause: float = 300.0,
    purge_fn: Callable[..., PurgeReport] = purge,
    blobs: BlobFiles | None = None,
) -> int:
    """Purge every `interval` seconds until `stop` is set; returns the number of purges.

    A failing purge is logged and retried after a growing pause; it never ends the loop.
    `purge_fn` is `tierdesk.services.housekeeping.purge` (replaceable in tests)."""
    return run_loop(
        "housekeeping",
        lambda: housekeeping_step(env, purge_fn=purge_fn, blobs=blobs),
        stop,
        interval=interval,
        max_pause=max_pause,
    )
