"""The Erlang B blocking probability, stable from one agent to thousands, with no factorials.

B(n, A) is the probability that all n servers are busy in a loss system offered A Erlangs. It is
the building block of Erlang C (queue, infinite patience) and Erlang A (queue with abandonment).

Two ways to compute it, both free of overflow:
- in log space, B = Poisson(n; A) / P(Poisson(A) <= n), with the log of the probability mass from
  `gammaln` and the distribution function from the regularised incomplete gamma (`pdtr`). Every
  staffing question lives at n near or above A, where that distribution function is at least ~0.4,
  so the ratio keeps full precision;
- the textbook recursion 1/B(n) = 1 + n / (A * B(n-1)), used only where the distribution function
  underflows (a handful of agents against a load of many hundreds of Erlangs).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]

# Below this the Poisson distribution function has lost its digits to underflow.
_CDF_FLOOR = 1e-280


def erlang_b(agents: npt.ArrayLike, load: npt.ArrayLike) -> FloatArray:
    """Erlang B: the probability that all `agents` are busy when offered `load` Erlangs.

    `agents` (whole numbers >= 0) and `load` (finite, >= 0) broadcast together; the result has
    their broadcast shape (a 0-d array for two scalars). B(0, A) = 1 and B(n, 0) = 0 for n > 0.
    Raises ValueError for negative, fractional or non-finite inputs.
    """
    n, a = _checked(agents, load)
    shape = n.shape
    n, a = n.ravel(), a.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        cdf = special.pdtr(n, a)
        log_b = special.xlogy(n, a) - a - special.gammaln(n + 1.0) - np.log(cdf)
    b: FloatArray = np.minimum(np.exp(log_b), 1.0)
    deep = cdf < _CDF_FLOOR
    if np.any(deep):
        b[deep] = erlang_b_recursive(n[deep], a[deep])
    return b.reshape(shape)


def erlang_b_scalar(agents: int, load: float) -> float:
    """`erlang_b` for one queue, without the array overhead (for loops over single queues)."""
    if agents < 0 or not math.isfinite(load) or load < 0:
        raise ValueError(f"need agents >= 0 and a finite load >= 0, got {agents}, {load}")
    if load == 0:
        return 1.0 if agents == 0 else 0.0
    cdf = float(special.pdtr(agents, load))
    if cdf < _CDF_FLOOR:
        return float(erlang_b_recursive(agents, load))
    log_b = agents * math.log(load) - load - math.lgamma(agents + 1.0) - math.log(cdf)
    return min(math.exp(log_b), 1.0)


def erlang_b_recursive(agents: npt.ArrayLike, load: npt.ArrayLike) -> FloatArray:
    """Erlang B by the recursion B(k) = A B(k-1) / (k + A B(k-1)), B(0) = 1, vectorised.

    Exact and stable for any inputs but costs max(agents) steps; `erlang_b` is the fast entry
    point and falls back to this one only where its log-space form underflows.
    """
    n, a = _checked(agents, load)
    b = np.ones(n.shape, dtype=np.float64)
    for k in range(1, int(n.max(initial=0)) + 1):
        ab = a * b
        b = np.where(k <= n, ab / (k + ab), b)
    return b


def _checked(agents: npt.ArrayLike, load: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    n = np.asarray(agents, dtype=np.float64)
    a = np.asarray(load, dtype=np.float64)
    if not np.all(np.isfinite(n)) or np.any(n < 0) or np.any(n != np.floor(n)):
        raise ValueError(f"agents must be whole numbers >= 0, got {agents!r}")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"load must be a finite number of Erlangs >= 0, got {load!r}")
    n_b, a_b = np.broadcast_arrays(n, a)
    return n_b.astype(np.float64), a_b.astype(np.float64)
