"""The loop every worker runs: do a step, wait, repeat until told to stop.

A failing step is logged with its traceback and retried after a growing pause (capped), so a
database restart or a broken channel never kills the worker; the first success resets the pause.
Waiting is `stop.wait(...)`, so setting the event ends the loop at once, mid-pause.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("tierdesk.workers")

# A step returns a one-line summary when it did something (logged), None when idle, and
# whether more work is waiting (then the loop goes on without pausing).
Step = Callable[[], "StepResult"]


@dataclass(frozen=True)
class StepResult:
    summary: str | None = None
    more: bool = False


def failure_pause(interval: float, failures: int, max_pause: float) -> float:
    """Seconds to wait after `failures` failures in a row: the interval doubled per failure
    (at least 1 s after the first, so a tight loop never hammers a broken database), capped."""
    base = max(interval, 1.0) if interval > 0 else 0.0
    return float(min(base * 2 ** min(failures - 1, 16), max_pause))


def run_loop(
    name: str,
    step: Step,
    stop: threading.Event,
    *,
    interval: float,
    max_pause: float = 300.0,
) -> int:
    """Run `step` every `interval` seconds until `stop` is set; returns how many steps ran.

    Never raises for a failing step (logged, then retried after `failure_pause`)."""
    if interval < 0:
        raise ValueError(f"{name}: interval must be >= 0 seconds, got {interval}")
    failures = runs = 0
    while not stop.is_set():
        runs += 1
        try:
            result = step()
        except Exception:  # a worker must outlive any one failure; the traceback is logged
            failures += 1
            pause = failure_pause(interval, failures, max_pause)
            log.exception("%s failed (%d in a row); retrying in %.1f s", name, failures, pause)
            stop.wait(pause)
            continue
        if failures:
            log.info("%s recovered after %d failure(s)", name, failures)
        failures = 0
        if result.summary:
            log.info("%s: %s", name, result.summary)
        if not result.more:
            stop.wait(interval)
    return runs
