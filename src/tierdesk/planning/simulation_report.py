"""The figures of one simulated policy: SLA attainment, waits, tier mix, escalation, occupancy,
backlog over time. Plain dataclasses; `SimulationReport.to_json()` gives the JSON of
`tierdesk simulate --json`. Times are seconds; instants are ISO 8601 UTC strings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def finite(value: float) -> float | None:
    """`value`, or None for NaN or an infinity (JSON has neither)."""
    return value if math.isfinite(value) else None


def iso(seconds: float) -> str:
    """An epoch instant as ISO 8601 UTC."""
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class WaitStats:
    """Waits of `count` tickets (those that were worked); None when there are none."""

    count: int
    mean_s: float | None
    p50_s: float | None
    p90_s: float | None
    p95_s: float | None
    max_s: float | None

    @classmethod
    def of(cls, waits: FloatArray) -> WaitStats:
        w = waits[np.isfinite(waits)]
        if not len(w):
            return cls(0, None, None, None, None, None)
        p50, p90, p95 = (float(x) for x in np.percentile(w, [50, 90, 95]))
        return cls(len(w), float(w.mean()), p50, p90, p95, float(w.max()))


@dataclass(frozen=True)
class SlaRow:
    """One priority: its tickets and the share that met each target (None: no target or no
    tickets). A ticket never worked or never resolved by the end missed the target."""

    priority: str
    tickets: int
    first_response_target_s: float
    first_response_met: float | None
    resolution_target_s: float | None
    resolution_met: float | None


@dataclass(frozen=True)
class TierRow:
    """One tier: agents (mean over the staffed hours), AHT, tickets that started there and
    were resolved there (shares of all tickets), visits, occupancy, and the queue wait."""

    tier: str
    agents: float
    aht_s: float
    start_share: float
    resolved_share: float
    visits: int
    occupancy: float | None
    wait: WaitStats


@dataclass(frozen=True)
class Backlog:
    """Tickets in the system (waiting or being worked) at each hour from `start`, per tier
    and in total; the last point is the end of the run."""

    start: str
    step_s: float
    total: tuple[int, ...]
    by_tier: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def peak(self) -> int:
        return max(self.total, default=0)


@dataclass(frozen=True)
class SimulationReport:
    """Everything `simulate` reports for one policy."""

    policy: str
    seed: int
    tickets: int
    resolved: int
    unresolved: int
    first_arrival: str
    end: str
    sla: tuple[SlaRow, ...]
    wait: WaitStats  # arrival to first worked, over all tickets that were worked
    p_wait: float  # share of tickets that were not worked the moment they arrived
    tiers: tuple[TierRow, ...]
    escalation_rate: float
    escalations: tuple[tuple[str, int], ...]  # by rule id, intake and time in tier
    backlog: Backlog
    events: int
    discipline: str

    def tier(self, tier_id: str) -> TierRow:
        """The row of one tier; KeyError when the policy has no such tier."""
        for row in self.tiers:
            if row.tier == tier_id:
                return row
        raise KeyError(tier_id)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples as lists or objects)."""
        return {
            "policy": self.policy,
            "seed": self.seed,
            "discipline": self.discipline,
            "tickets": self.tickets,
            "resolved": self.resolved,
            "unresolved": self.unresolved,
            "first_arrival": self.first_arrival,
            "end": self.end,
            "events": self.events,
            "sla": [vars_of(r) for r in self.sla],
            "wait": vars_of(self.wait),
            "p_wait": self.p_wait,
            "tiers": [{**vars_of(r), "wait": vars_of(r.wait)} for r in self.tiers],
            "escalation_rate": self.escalation_rate,
            "escalations": dict(self.escalations),
            "backlog": {
                "start": self.backlog.start,
                "step_seconds": self.backlog.step_s,
                "peak": self.backlog.peak,
                "total": list(self.backlog.total),
                "by_tier": {t: list(v) for t, v in self.backlog.by_tier},
            },
        }


def vars_of(obj: object) -> dict[str, Any]:
    """A dataclass's fields as a dict (one level)."""
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}  # type: ignore[attr-defined]


def backlog_series(
    arrival: FloatArray,
    done: FloatArray,
    enter: FloatArray,
    leave: FloatArray,
    tiers: tuple[str, ...],
    end: float,
) -> Backlog:
    """Tickets in the system at each whole UTC hour from the first arrival's hour to the end,
    plus the end itself: arrived so far minus resolved so far (and per tier: entered minus
    left). NaN times never happened."""
    start = math.floor(arrival[0] / 3600.0) * 3600.0
    grid = np.append(np.arange(start, end, 3600.0), end)

    def in_system(came: FloatArray, went: FloatArray) -> tuple[int, ...]:
        came_n = np.searchsorted(np.sort(came[np.isfinite(came)]), grid, side="right")
        went_n = np.searchsorted(np.sort(went[np.isfinite(went)]), grid, side="right")
        return tuple(int(x) for x in came_n - went_n)

    by_tier = tuple((t, in_system(enter[k], leave[k])) for k, t in enumerate(tiers))
    return Backlog(iso(start), 3600.0, in_system(arrival, done), by_tier)
