"""Planning benchmarks, side by side with peers. Prints times and ratios; asserts nothing.

    .venv/bin/python bench/planning.py

Sections (one function each, run in order by `main`):
- erlang: staffing 96 fifteen-minute intervals x 3 tiers with tierdesk's vectorised Erlang C and
  with pyworkforce's ErlangC on the same inputs (pyworkforce is optional: `pip install
  pyworkforce`; it pulls ortools and pandas, so it is not a dev dependency), plus Erlang A.
- simulation: 1,000,000 tickets through the cs-sop preset (triage, routing, R-ESC-1 time in
  tier, SLA due times in business time) with `tierdesk.planning.simulation`: synthetic
  tickets, then a replay of tickets with text (triage once per distinct text). Prints seconds,
  events per second and tickets per second.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from tierdesk import policy
from tierdesk.planning.arrivals import Arrivals
from tierdesk.planning.erlang import ServiceTarget, StaffTable, staff_table
from tierdesk.planning.simulation import SimulationConfig, simulate, synthetic

INTERVAL_S = 900.0  # 96 intervals a day
TIER_AHT_S = np.array([300.0, 900.0, 2400.0])  # L1, L2, L3
TIER_PEAK = np.array([600.0, 120.0, 25.0])  # arrivals per 15 minutes at the daily peak
TARGET = ServiceTarget(level=0.8, threshold_s=60.0)
MAX_OCCUPANCY = 0.85
SHRINKAGE = 0.3


def workload(seed: int = 4) -> npt.NDArray[np.float64]:
    """Arrivals per interval, shape (96, 3): a day curve peaking mid-day, with noise, all > 0."""
    hours = np.arange(96) / 4.0
    curve = 0.05 + np.exp(-(((hours - 13.0) / 4.0) ** 2))
    noise = np.random.default_rng(seed).uniform(0.9, 1.1, size=(96, 3))
    return np.asarray(np.outer(curve, TIER_PEAK) * noise, dtype=np.float64)


def best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of `repeats` runs in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def pyworkforce_agents(arrivals: npt.NDArray[np.float64], erlang_c: Any) -> np.ndarray:
    """pyworkforce's raw_positions for each interval and tier (its inputs are in minutes)."""
    out = np.zeros(arrivals.shape, dtype=np.int64)
    for (i, t), count in np.ndenumerate(arrivals):
        model = erlang_c(
            transactions=float(count),
            aht=TIER_AHT_S[t] / 60.0,
            asa=TARGET.threshold_s / 60.0,
            interval=INTERVAL_S / 60.0,
            shrinkage=SHRINKAGE,
        )
        out[i, t] = model.required_positions(TARGET.level, MAX_OCCUPANCY)["raw_positions"]
    return out


def ours(arrivals: npt.NDArray[np.float64], patience_s: float | None = None) -> StaffTable:
    """tierdesk's staffing of the whole table in one call."""
    return staff_table(
        arrivals,
        TIER_AHT_S,
        TARGET,
        interval_s=INTERVAL_S,
        max_occupancy=MAX_OCCUPANCY,
        shrinkage=SHRINKAGE,
        patience_s=patience_s,
    )


def bench_erlang() -> None:
    """Erlang C staffing, 96 intervals x 3 tiers: tierdesk vs pyworkforce, and Erlang A."""
    arrivals = workload()
    print(
        f"== erlang: staffing {arrivals.shape[0]} intervals x {arrivals.shape[1]} tiers "
        f"(peak load {float((arrivals * TIER_AHT_S / INTERVAL_S).max()):.0f} Erlangs), "
        f"target 80% in 60 s, max occupancy 85%, shrinkage 30%"
    )
    ours_s, table = best_of(50, lambda: ours(arrivals))
    print(f"tierdesk staff_table (Erlang C):   {ours_s * 1e3:9.3f} ms")
    compare_pyworkforce(arrivals, ours_s, table)
    a_s, table_a = best_of(3, lambda: ours(arrivals, patience_s=120.0))
    print(
        f"tierdesk staff_table (Erlang A, patience 2 min): {a_s * 1e3:9.1f} ms; "
        f"agents {int(table_a.agents.sum())} vs {int(table.agents.sum())} under Erlang C"
    )


def compare_pyworkforce(
    arrivals: npt.NDArray[np.float64], ours_s: float, table: StaffTable
) -> None:
    """Time pyworkforce on the same inputs and count the intervals where the agents agree."""
    try:
        erlang_c = importlib.import_module("pyworkforce.queuing").ErlangC
    except ImportError:
        print(
            "pyworkforce: not installed; for the side-by-side run `pip install pyworkforce` "
            "(it pulls ortools and pandas) in this environment"
        )
        return
    peer_s, peer = best_of(3, lambda: pyworkforce_agents(arrivals, erlang_c))
    same = int(np.sum(peer == table.agents))
    print(f"pyworkforce ErlangC, per interval: {peer_s * 1e3:9.3f} ms")
    print(f"ratio pyworkforce / tierdesk:      {peer_s / ours_s:9.0f}x")
    print(
        f"agreement on agents: {same}/{peer.size} intervals"
        + ("" if same == peer.size else " (see tests/unit/test_erlang.py for known cases)")
    )


SIM_TICKETS = 1_000_000
SIM_STAFF = {"L1": 60, "L2": 20, "L3": 6}
SIM_AHT = {"L1": 360.0, "L2": 900.0, "L3": 1800.0}


def with_texts(arrivals: Arrivals, texts: tuple[str, ...], seed: int = 4) -> Arrivals:
    """The same arrival instants, each ticket carrying one of `texts` (triage decides)."""
    n = len(arrivals)
    ids = np.random.default_rng(seed).integers(0, len(texts), size=n)
    return Arrivals(
        created_s=arrivals.created_s,
        text_id=ids.astype(np.int64),
        texts=texts,
        category=np.full(n, -1, dtype=np.int64),
        priority=np.full(n, -1, dtype=np.int64),
        labels=(),
        lines=np.arange(2, n + 2, dtype=np.int64),
        source="bench",
    )


def bench_simulation() -> None:
    """1,000,000 tickets through cs-sop: synthetic, then replayed with text."""
    rules = policy.rulebook(preset="cs-sop")
    config = SimulationConfig(staff=SIM_STAFF, aht_s=SIM_AHT, seed=1, name="cs-sop")
    staff = ",".join(f"{t}={n}" for t, n in SIM_STAFF.items())
    print(f"== simulation: {SIM_TICKETS:,} tickets, cs-sop preset, staff {staff}, seed 1")
    start = time.perf_counter()
    arrivals = synthetic(rules, SIM_TICKETS, config)
    report = simulate(rules, arrivals, config)
    _print_run("synthetic (category by expected share)", time.perf_counter() - start, report)
    texts = tuple(
        e.get(lang) for c in rules.categories for e in c.examples for lang in ("en", "zh-TW")
    )
    replay = with_texts(arrivals, texts)
    start = time.perf_counter()
    report = simulate(rules, replay, config)
    label = f"replay with text ({len(set(texts))} distinct texts, triaged once each)"
    _print_run(label, time.perf_counter() - start, report)


def _print_run(label: str, seconds: float, report: Any) -> None:
    print(
        f"{label}:\n  {seconds:6.2f} s; {report.events / seconds:,.0f} events/s "
        f"({report.events:,} events); {report.tickets / seconds:,.0f} tickets/s; "
        f"escalation rate {report.escalation_rate:.1%}, "
        f"L1 occupancy {report.tier('L1').occupancy:.1%}"
    )


SECTIONS: tuple[Callable[[], None], ...] = (bench_erlang, bench_simulation)


def main() -> None:
    for section in SECTIONS:
        section()
        print()


if __name__ == "__main__":
    main()
