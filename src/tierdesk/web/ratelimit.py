"""A small in-process token-bucket rate limiter, keyed by a string (client IP, user+IP).

Why in-process: `tierdesk serve` is one process, and the limits guard against a burst from one
client (login guessing, a form flood), not a distributed attack. Buckets live in a bounded LRU
so an attacker cycling keys cannot grow memory without limit. With several web nodes each node
limits on its own (the effective limit is multiplied by the node count); put a shared limiter
(the reverse proxy's) in front for that setup.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """`rate_per_minute` tokens refill continuously up to `burst`; each hit takes one."""

    def __init__(
        self,
        rate_per_minute: float,
        burst: int,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_minute <= 0 or burst < 1:
            raise ValueError("rate_per_minute must be > 0 and burst >= 1")
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Take a token for `key`: None when allowed, else the whole seconds to wait
        (for a `Retry-After` header)."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                self._trim()
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def waiting(self, key: str) -> int | None:
        """The whole seconds `key` must wait before its next hit, or None when it may hit
        now; takes nothing (to check a limit that only failures use up)."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            return None if tokens >= 1.0 else max(1, math.ceil((1.0 - tokens) / self.rate))

    def _trim(self) -> None:
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
