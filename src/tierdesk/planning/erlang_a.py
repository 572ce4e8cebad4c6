"""Erlang A (M/M/n+M, Palm's queue): Erlang C plus callers who hang up after exponential patience.

Model: Poisson arrivals (rate lambda), exponential handling (mean AHT, rate mu), n agents, first
come first served, each waiting contact abandons after an exponential patience (mean 1/theta).

The queue is the birth-death chain of Erlang C with death rate n*mu + j*theta when j contacts wait.
Its stationary law is exact in closed form up to one series: with x = n*mu/theta, y = lambda/theta
and r_j = y^j / ((x+1)(x+2)...(x+j)), an arrival finds j contacts waiting with probability
q_j = B r_j / (1 - B + B S), where B = Erlang B(n, A) and S = sum_j r_j. The series is summed in
log space over the window of j where the terms matter (around their peak, to e^-40 of it), which
is the chain truncated where it has no more mass to give; it is exact to rounding, also for very
long patience, where x and y grow without bound and the incomplete-gamma form underflows.

For a contact that finds j waiting, the time until it reaches an agent (its offered wait V) is a
sum of exponentials with rates n*mu + i*theta, i = 0..j, so exp(-theta V) ~ Beta(x, j+1). Hence:
- P(answered | j) = x / (x + j + 1);
- P(answered within t | j) = x / (x + j + 1) * P(Beta(x+1, j+1) >= exp(-theta t))
  (a size-biased Beta: the contact must also outlast its own patience);
- E[V; answered | j] = x / (x + j + 1) * (digamma(x + j + 2) - digamma(x + 1)) / theta.

Definitions used (they vary between tools): the service level is the share of ALL arrivals that
are answered within the threshold (an abandoned contact counts as missed); the ASA is the mean
wait of answered contacts; occupancy is the carried load A (1 - P(abandon)) / n. As the patience
grows without bound each of them converges to its Erlang C value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

from tierdesk.planning.erlang_b import erlang_b_scalar

_TAIL_NATS = 42.0  # terms below e^-42 of the peak term change nothing in double precision


@dataclass(frozen=True, slots=True)
class AbandonmentMetrics:
    """Steady-state figures of an Erlang A queue, per arriving contact (see the module doc)."""

    service_level: float
    p_wait: float
    p_abandon: float
    asa_s: float
    occupancy: float


def erlang_a_metrics(
    agents: int, load: float, aht_s: float, threshold_s: float, patience_s: float
) -> AbandonmentMetrics:
    """The Erlang A figures for `agents` serving `load` Erlangs (any load: the queue is stable).

    `aht_s` and `patience_s` (mean patience) are positive seconds, `threshold_s` >= 0 is the
    service-level threshold. With no agents every contact waits and abandons; with no load
    nobody waits.
    """
    if agents < 0 or load < 0 or aht_s <= 0 or patience_s <= 0 or threshold_s < 0:
        raise ValueError("agents, load and threshold must be >= 0; AHT and patience > 0")
    if load == 0:
        return AbandonmentMetrics(1.0, 0.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return AbandonmentMetrics(0.0, 1.0, 1.0, math.inf, 0.0)
    theta = 1.0 / patience_s
    x = agents * patience_s / aht_s
    y = load * patience_s / aht_s
    j, log_r = _queue_terms(x, y)
    b = erlang_b_scalar(agents, load)
    peak = float(log_r.max())
    log_s = peak + math.log(float(np.exp(log_r - peak).sum()))
    log_norm = float(np.logaddexp(math.log1p(-b), math.log(b) + log_s))
    q = np.exp(log_r + (math.log(b) - log_norm))  # P(an arrival finds j contacts waiting)
    answered = x / (x + j + 1.0)
    p_wait = float(q.sum())
    p_abandon = float(np.dot(q, 1.0 - answered))
    # P(Beta(x+1, j+1) >= w) = I_{1-w}(j+1, x+1), with 1 - w = 1 - exp(-theta t) to full precision
    in_time = special.betainc(j + 1.0, x + 1.0, -math.expm1(-threshold_s * theta))
    service_level = 1.0 - p_wait + float(np.dot(q, answered * in_time))
    waits = answered * _harmonic(x, j) / theta
    asa = float(np.dot(q, waits)) / (1.0 - p_abandon) if p_abandon < 1.0 else math.inf
    occupancy = load * (1.0 - p_abandon) / agents
    return AbandonmentMetrics(
        service_level=min(max(service_level, 0.0), 1.0),
        p_wait=min(p_wait, 1.0),
        p_abandon=min(max(p_abandon, 0.0), 1.0),
        asa_s=asa,
        occupancy=min(occupancy, 1.0),
    )


def erlang_a_agents(
    load: float,
    aht_s: float,
    level: float,
    threshold_s: float,
    patience_s: float,
    max_occupancy: float = 1.0,
    guess: int | None = None,
) -> int:
    """The fewest agents whose Erlang A service level reaches `level` within `threshold_s` and
    whose occupancy stays at or below `max_occupancy`. Zero for zero load.

    Both conditions are monotone in the number of agents, so the answer is found by galloping
    from `guess` (the Erlang C answer is a good one: default ceil(load)) and bisecting, in about
    2 log2(|answer - guess|) + 2 evaluations.
    """
    if not 0.0 < level < 1.0 or not 0.0 < max_occupancy <= 1.0:
        raise ValueError("level must be in (0, 1) and max_occupancy in (0, 1]")
    if load == 0:
        return 0

    def meets(n: int) -> bool:
        m = erlang_a_metrics(n, load, aht_s, threshold_s, patience_s)
        return m.service_level >= level - 1e-12 and m.occupancy <= max_occupancy + 1e-12

    return _least_true(meets, max(1, math.ceil(load) if guess is None else guess))


def _least_true(meets: Callable[[int], bool], guess: int) -> int:
    """The least n >= 1 with meets(n), for a predicate false below some n and true from it on.

    meets(0) is taken as false (no agents answer nothing) and never evaluated.
    """
    step = 1
    if meets(guess):
        hi = guess
        while True:
            lo = max(hi - step, 0)
            if lo == 0 or not meets(lo):
                break
            hi, step = lo, 2 * step
    else:
        lo = guess
        while True:
            hi = lo + step
            if meets(hi):
                break
            lo, step = hi, 2 * step
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _queue_terms(x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Queue lengths j with non-negligible r_j, and log r_j (r_j = y^j / prod_{i<=j} (x+i))."""
    peak = max(0, math.floor(y - x))  # terms grow while y > x + j + 1
    width = math.ceil(math.sqrt(2.0 * _TAIL_NATS * (y + 1.0))) + 64  # Gaussian-like about the peak
    ratio = y / (x + 1.0)
    if peak == 0 and ratio < 1.0:  # decreasing at least geometrically from j = 0
        width = min(width, math.ceil(_TAIL_NATS / -math.log(ratio)) + 2)
    first = max(0, peak - width)
    j = np.arange(first, peak + width + 1, dtype=np.float64)
    log_first = first * math.log(y) - (special.gammaln(x + first + 1.0) - special.gammaln(x + 1.0))
    steps = math.log(y) - np.log(x + j[1:])
    log_r = log_first + np.concatenate(([0.0], np.cumsum(steps)))
    return j, log_r


def _harmonic(x: float, j: np.ndarray) -> np.ndarray:
    """sum_{i=1}^{j+1} 1 / (x + i) for each j (= digamma(x+j+2) - digamma(x+1), without the
    cancellation that difference suffers when x is huge)."""
    first = j[0]
    offset = special.digamma(x + first + 1.0) - special.digamma(x + 1.0) if first > 0 else 0.0
    return np.asarray(offset + np.cumsum(1.0 / (x + j + 1.0)), dtype=np.float64)
