"""Erlang C staffing (R-SLA-3): how many agents answer "80% in 60 s", per interval and per tier.

Erlang C (M/M/n): Poisson arrivals, exponential handling times with mean AHT, n agents, callers
who never give up. With A = arrivals per second * AHT (the offered load in Erlangs) and n > A:
    P(wait) = C(n, A) = n B / (n - A (1 - B)),      B = Erlang B(n, A)
    service level(t) = 1 - C exp(-(n - A) t / AHT)   (share answered within t)
    ASA = C AHT / (n - A),   occupancy = A / n.
With n <= A the queue grows without bound: P(wait) = 1, service level 0, ASA infinite.

Staffing takes the fewest agents that meet the target and keep occupancy at or below the cap, then
grosses them up for shrinkage (breaks, training, absence): scheduled = ceil(agents / (1 - s)).
Asynchronous channels use the same maths with a long threshold ("90% in 4h" first response).
With a mean patience the Erlang A model (`tierdesk.planning.erlang_a`) replaces Erlang C.

Everything is vectorised over intervals: `staff_table` sizes 96 intervals x 3 tiers in well under
a millisecond, scanning upwards from the least stable staff with the Erlang B recursion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tierdesk.planning.erlang_a import erlang_a_agents, erlang_a_metrics
from tierdesk.planning.erlang_b import FloatArray, erlang_b

IntArray = npt.NDArray[np.int64]

_SLACK = 1e-9  # tolerance on "70%" style caps: 10.5 Erlangs / 70% is 15 agents, not 16
_SL_SLACK = 1e-12  # a service level equal to the target up to rounding meets it
_MAX_SCAN = 10_000_000


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """`level` (a fraction in (0, 1)) of contacts answered within `threshold_s` seconds."""

    level: float
    threshold_s: float

    def __post_init__(self) -> None:
        if not 0.0 < self.level < 1.0:
            raise ValueError(
                f"service level must be above 0% and below 100% (random arrivals can never "
                f"guarantee 100%), got {self.level:.4g}"
            )
        if not math.isfinite(self.threshold_s) or self.threshold_s < 0:
            raise ValueError(f"threshold must be >= 0 seconds, got {self.threshold_s}")


@dataclass(frozen=True, slots=True)
class QueueMetrics:
    """Steady-state figures of one queue with a given staff."""

    agents: int
    load_erlangs: float
    service_level: float
    p_wait: float
    asa_s: float  # math.inf when the queue is unstable (agents <= load under Erlang C)
    occupancy: float
    p_abandon: float = 0.0  # always 0 under Erlang C


@dataclass(frozen=True, slots=True)
class Staffing:
    """Agents needed on the queue, agents to schedule after shrinkage, and what they achieve."""

    agents: int
    scheduled: int
    metrics: QueueMetrics


@dataclass(frozen=True, slots=True)
class StaffTable:
    """`staff_table` results: every array has the broadcast shape of its inputs."""

    load_erlangs: FloatArray
    agents: IntArray
    scheduled: IntArray
    service_level: FloatArray
    p_wait: FloatArray
    asa_s: FloatArray
    occupancy: FloatArray
    p_abandon: FloatArray

    def staffing(self, index: tuple[int, ...] | int) -> Staffing:
        """The result for one interval, e.g. `table.staffing((hour, tier))`."""
        metrics = QueueMetrics(
            agents=int(self.agents[index]),
            load_erlangs=float(self.load_erlangs[index]),
            service_level=float(self.service_level[index]),
            p_wait=float(self.p_wait[index]),
            asa_s=float(self.asa_s[index]),
            occupancy=float(self.occupancy[index]),
            p_abandon=float(self.p_abandon[index]),
        )
        return Staffing(int(self.agents[index]), int(self.scheduled[index]), metrics)


def offered_load(arrivals_per_hour: npt.ArrayLike, aht_s: npt.ArrayLike) -> FloatArray:
    """Offered load in Erlangs: arrivals per hour * AHT in seconds / 3600."""
    rate = np.asarray(arrivals_per_hour, dtype=np.float64)
    aht = np.asarray(aht_s, dtype=np.float64)
    if not np.all(np.isfinite(rate)) or np.any(rate < 0):
        raise ValueError(f"arrivals must be finite and >= 0, got {arrivals_per_hour!r}")
    if not np.all(np.isfinite(aht)) or np.any(aht <= 0):
        raise ValueError(f"AHT must be a positive number of seconds, got {aht_s!r}")
    return np.asarray(rate * aht / 3600.0, dtype=np.float64)


def erlang_c(agents: npt.ArrayLike, load: npt.ArrayLike) -> FloatArray:
    """Erlang C: the probability that a contact waits; 1 where agents <= load (unstable queue)."""
    n, a = np.broadcast_arrays(np.asarray(agents, np.float64), np.asarray(load, np.float64))
    b = erlang_b(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(n > a, n * b / (n - a * (1.0 - b)), 1.0)
    return np.asarray(np.where(a == 0, 0.0, c), dtype=np.float64)


def erlang_c_metrics(
    agents: npt.ArrayLike, load: npt.ArrayLike, aht_s: npt.ArrayLike, threshold_s: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(service level within threshold, P(wait), ASA seconds, occupancy), broadcast elementwise.

    Unstable queues (agents <= load > 0) get service level 0, P(wait) 1, ASA inf, occupancy 1.
    """
    n, a, h, t = np.broadcast_arrays(
        *(np.asarray(v, np.float64) for v in (agents, load, aht_s, threshold_s))
    )
    p_wait = erlang_c(n, a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = n - a
        stable = gap > 0
        sl = np.where(stable, 1.0 - p_wait * np.exp(-gap * t / h), 0.0)
        asa = np.where(stable, p_wait * h / gap, np.inf)
        occ = np.where(n > 0, np.minimum(a / n, 1.0), 0.0)
    idle = a == 0
    sl = np.where(idle, 1.0, np.clip(sl, 0.0, 1.0))
    asa = np.where(idle, 0.0, asa)
    return sl, p_wait, asa, occ


def scheduled_agents(agents: npt.ArrayLike, shrinkage: float) -> IntArray:
    """Agents to schedule so that `agents` remain after `shrinkage` (a fraction in [0, 1))."""
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError(f"shrinkage must be at least 0% and below 100%, got {shrinkage:.4g}")
    needed = np.asarray(agents, dtype=np.float64)
    return np.ceil(needed / (1.0 - shrinkage) - _SLACK).astype(np.int64)


def erlang_c_agents(
    load: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    target: ServiceTarget,
    max_occupancy: float = 1.0,
) -> IntArray:
    """The fewest agents meeting `target` with occupancy <= `max_occupancy`, per element.

    Starts each element at max(floor(A) + 1, ceil(A / max_occupancy)) (the service level rises
    with every agent, so nothing below can be the answer), takes Erlang B there in log space, then
    walks up with the recursion B(k+1) = A B(k) / (k + 1 + A B(k)) only on the unmet elements.
    """
    _check_occupancy(max_occupancy)
    a, h = np.broadcast_arrays(np.asarray(load, np.float64), np.asarray(aht_s, np.float64))
    if not np.all(np.isfinite(a)) or np.any(a < 0) or not np.all(h > 0):
        raise ValueError("load must be finite and >= 0 Erlangs, AHT > 0 seconds")
    shape, a, h = a.shape, a.ravel(), h.ravel()
    n = np.maximum(np.floor(a) + 1.0, np.ceil(a / max_occupancy - _SLACK))
    n = np.where(a == 0, 0.0, n)
    idx = np.flatnonzero(a > 0)
    k, aa, hh = n[idx], a[idx], h[idx]
    b = erlang_b(k, aa)
    for _ in range(_MAX_SCAN):
        c = k * b / (k - aa * (1.0 - b))
        sl = 1.0 - c * np.exp(-(k - aa) * target.threshold_s / hh)
        n[idx] = k
        short = sl < target.level - _SL_SLACK
        if not short.any():
            break
        idx, k, aa, hh, b = idx[short], k[short], aa[short], hh[short], b[short]
        ab = aa * b
        k = k + 1.0
        b = ab / (k + ab)
    else:  # pragma: no cover - the service level reaches any level < 1 long before this
        raise RuntimeError("staffing search did not converge")
    return n.astype(np.int64).reshape(shape)


def staff_table(
    arrivals_per_interval: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    target: ServiceTarget,
    *,
    interval_s: float = 900.0,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
    patience_s: float | None = None,
) -> StaffTable:
    """Staffing for every interval: e.g. arrivals of shape (96, 3) (15-minute intervals x tiers)
    with `aht_s` of shape (3,) (one AHT per tier). Arrivals and AHT broadcast together.

    Erlang C unless `patience_s` (mean patience before abandoning) is given, then Erlang A (under
    a millisecond per interval rather than per table). Raises ValueError on invalid inputs.
    """
    if not math.isfinite(interval_s) or interval_s <= 0:
        raise ValueError(f"interval must be a positive number of seconds, got {interval_s}")
    arrivals, aht = np.broadcast_arrays(
        np.asarray(arrivals_per_interval, np.float64), np.asarray(aht_s, np.float64)
    )
    load = offered_load(arrivals * (3600.0 / interval_s), aht)
    scheduled_agents(0, shrinkage)  # validates shrinkage before any work
    if patience_s is None:
        agents = erlang_c_agents(load, aht, target, max_occupancy)
        sl, p_wait, asa, occ = erlang_c_metrics(agents, load, aht, target.threshold_s)
        p_abandon = np.zeros(load.shape)
    else:
        agents, sl, p_wait, asa, occ, p_abandon = _erlang_a_table(
            load, aht, target, max_occupancy, patience_s
        )
    return StaffTable(
        load_erlangs=load,
        agents=agents,
        scheduled=scheduled_agents(agents, shrinkage),
        service_level=sl,
        p_wait=p_wait,
        asa_s=asa,
        occupancy=occ,
        p_abandon=p_abandon,
    )


def required_staff(
    arrivals_per_hour: float,
    aht_s: float,
    target: ServiceTarget,
    *,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
    patience_s: float | None = None,
) -> Staffing:
    """Staffing for one interval with `arrivals_per_hour` contacts (see `staff_table`)."""
    table = staff_table(
        [arrivals_per_hour],
        aht_s,
        target,
        interval_s=3600.0,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        patience_s=patience_s,
    )
    return table.staffing(0)


def evaluate(
    arrivals_per_hour: float,
    aht_s: float,
    agents: int,
    threshold_s: float,
    *,
    patience_s: float | None = None,
) -> QueueMetrics:
    """What `agents` achieve against `arrivals_per_hour` (service level within `threshold_s`)."""
    if agents < 0:
        raise ValueError(f"agents must be >= 0, got {agents}")
    load = float(offered_load(arrivals_per_hour, aht_s))
    if patience_s is not None:
        m = erlang_a_metrics(agents, load, aht_s, threshold_s, _checked_patience(patience_s))
        return QueueMetrics(
            agents, load, m.service_level, m.p_wait, m.asa_s, m.occupancy, m.p_abandon
        )
    sl, p_wait, asa, occ = erlang_c_metrics(agents, load, aht_s, threshold_s)
    return QueueMetrics(agents, load, float(sl), float(p_wait), float(asa), float(occ))


def _erlang_a_table(
    load: FloatArray,
    aht: FloatArray,
    target: ServiceTarget,
    max_occupancy: float,
    patience_s: float,
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    patience = _checked_patience(patience_s)
    _check_occupancy(max_occupancy)
    agents = erlang_c_agents(load, aht, target, max_occupancy)  # start points for the search
    out = [np.zeros(load.shape) for _ in range(5)]
    for i in np.ndindex(load.shape):
        a, h, guess = float(load[i]), float(aht[i]), int(agents[i])
        n = erlang_a_agents(
            a, h, target.level, target.threshold_s, patience, max_occupancy, guess=guess
        )
        m = erlang_a_metrics(n, a, h, target.threshold_s, patience)
        agents[i] = n
        for arr, value in zip(
            out, (m.service_level, m.p_wait, m.asa_s, m.occupancy, m.p_abandon), strict=True
        ):
            arr[i] = value
    sl, p_wait, asa, occ, p_abandon = out
    return agents, sl, p_wait, asa, occ, p_abandon


def _checked_patience(patience_s: float) -> float:
    if not math.isfinite(patience_s) or patience_s <= 0:
        raise ValueError(f"patience must be a positive number of seconds, got {patience_s}")
    return patience_s


def _check_occupancy(max_occupancy: float) -> None:
    if not 0.0 < max_occupancy <= 1.0:
        raise ValueError(f"max occupancy must be above 0% and at most 100%, got {max_occupancy}")
