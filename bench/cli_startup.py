"""Start-up of the `tierdesk` command line (issue 15): each command run as its own process,
several times; the median wall time beside `python -c pass` and beside the goal (0.3 s).

    .venv/bin/python bench/cli_startup.py [--runs 5] [--cold]

The compiled-policy cache is warmed by one run first (the figures are a user's second and
later runs); --cold clears it before every run instead. Peak memory is each
process's max RSS (Linux ru_maxrss, from wait4). Bounded: commands x runs processes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 0.3
COMMANDS: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "tierdesk --help": ["-m", "tierdesk", "--help"],
    "triage --json": ["-m", "tierdesk", "triage", "--json", "my card was stolen"],
    "sla due": [
        "-m",
        "tierdesk",
        "sla",
        "due",
        "--priority",
        "P2",
        "--created",
        "2026-02-13T17:00:00+08:00",
    ],
    "policy check": ["-m", "tierdesk", "policy", "check", "POLICY"],
}


def _once(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({child.returncode}): {err.decode()[-500:]}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="clear the policy cache each run")
    opts = parser.parse_args()
    runs = max(1, min(opts.runs, 20))
    work = Path(tempfile.mkdtemp(prefix="tierdesk-bench-"))
    cache = work / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env["TIERDESK_CACHE_DIR"] = str(cache)
    policy_file = work / "policy.yaml"
    from tierdesk import policy  # only to copy the preset; not part of what is measured

    shutil.copyfile(policy.preset_path("cs-sop"), policy_file)
    print(f"tierdesk CLI start-up, median of {runs} runs ({'cold' if opts.cold else 'warm'} cache)")
    print(f"{'command':<18}{'median s':>10}{'x python':>10}{'x goal':>8}{'max RSS MiB':>13}")
    baseline = None
    try:
        for label, template in COMMANDS.items():
            args = [str(policy_file) if a == "POLICY" else a for a in template]
            _once(args, env)  # warm the OS file cache and the policy cache
            times = []
            peak = 0
            for _ in range(runs):
                if opts.cold:
                    shutil.rmtree(cache, ignore_errors=True)
                elapsed, rss = _once(args, env)
                times.append(elapsed)
                peak = max(peak, rss)
            median = statistics.median(times)
            baseline = baseline or median
            print(
                f"{label:<18}{median:>10.3f}{median / baseline:>10.1f}"
                f"{median / GOAL_S:>8.2f}{peak / 1024:>13.0f}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"goal: each tierdesk command under {GOAL_S} s (x goal < 1.00)")


if __name__ == "__main__":
    main()
