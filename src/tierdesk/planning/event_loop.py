"""The discrete-event core of the simulation: tickets through tier queues with agents.

Each tier is a queue served by its agents. A ticket waits in its tier's queue (by priority, then
arrival: `rank`), is worked for its pre-drawn handling time and is resolved, unless a
time-in-tier rule (R-ESC-1) fires first: then it leaves the tier at that instant, waiting or in
the middle of being worked (the agent is free again), and joins the next tier's queue. Agents
per tier follow the hour-of-week staff; when staff drops, agents finish the ticket in hand.

State is integer-indexed Python lists (faster to index one at a time than numpy arrays); events
are (time, kind, ticket, version) tuples on one heap, arrivals are merged in from their sorted
array, and hour changes of the staff are a third stream. A ticket's version changes whenever it
leaves a tier, so an event about a tier it has left is recognised as stale and skipped.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tierdesk.planning.ticket_rules import EscalationBook

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_DONE, _DEADLINE = 0, 1
_NAN = math.nan
_INF = math.inf


@dataclass(frozen=True)
class LoopInput:
    """Arrays of one run, in arrival order. `service_s[k][i]`: how long tier k would work
    ticket i. `staff[k][h]`: agents of tier k in hour of week h. `hour_of_week(t)` maps an
    hour boundary to its hour of week; `first_tick` is the hour boundary at or before the
    first arrival (used only when `scheduled`)."""

    arrival: list[float]
    rank: list[int]
    tier: list[int]
    state: list[int]
    service_s: list[list[float]]
    staff: list[list[int]]
    scheduled: bool
    first_tick: float
    hour_of_week: Callable[[float], int]


@dataclass(frozen=True)
class LoopResult:
    """What happened, per tier visit and per ticket (NaN: never happened).

    `enter/start/leave[k, i]`: when ticket i joined tier k's queue, was first worked there and
    left it; `done[i]`: resolved; `first_start[i]`: first worked by anyone; `time_escalations`:
    time-in-tier escalations per ticket; `rule_counts`: by rule id; `busy_s` / `staffed_s`
    per tier; `end`: the last event; `events`: events processed.
    """

    enter: FloatArray
    start: FloatArray
    leave: FloatArray
    done: FloatArray
    first_start: FloatArray
    time_escalations: IntArray
    rule_counts: dict[str, int]
    busy_s: FloatArray
    staffed_s: FloatArray
    end: float
    events: int


class _Engine:
    def __init__(self, data: LoopInput, book: EscalationBook) -> None:
        n, k = len(data.arrival), len(data.staff)
        self.data, self.book = data, book
        self.enter = [[_NAN] * n for _ in range(k)]
        self.start = [[_NAN] * n for _ in range(k)]
        self.leave = [[_NAN] * n for _ in range(k)]
        self.done = [_NAN] * n
        self.first = [_NAN] * n
        self.state = list(data.state)
        self.version = [0] * n
        self.tier_now = list(data.tier)
        self.deadline = [_INF] * n
        self.escalations = [0] * n
        self.rules: dict[str, int] = {}
        self.queues: list[list[tuple[int, float, int, int]]] = [[] for _ in range(k)]
        self.waiting = [0] * k
        self.busy = [0] * k
        self.busy_s = [0.0] * k
        self.cap = [row[0] for row in data.staff]
        self.staffed_s = [0.0] * k
        self.heap: list[tuple[float, int, int, int]] = []
        self.events = 0

    def enter_tier(self, i: int, k: int, t: float) -> None:
        """Ticket i joins tier k at t: worked at once if an agent is free, else queued."""
        self.version[i] += 1
        ver = self.version[i]
        self.enter[k][i] = t
        self.tier_now[i] = k
        rule = self.book.time_rule(self.state[i], k)
        dl = t + rule.limit_s if rule is not None else _INF
        self.deadline[i] = dl
        if self.busy[k] < self.cap[k] and not self.waiting[k]:
            self.begin(i, k, t, ver)
            return
        heapq.heappush(self.queues[k], (self.data.rank[i], t, i, ver))
        self.waiting[k] += 1
        if dl < _INF:
            heapq.heappush(self.heap, (dl, _DEADLINE, i, ver))

    def begin(self, i: int, k: int, t: float, ver: int) -> None:
        """An agent of tier k starts on ticket i at t."""
        self.busy[k] += 1
        self.start[k][i] = t
        if self.first[i] != self.first[i]:  # NaN: nobody has worked it yet
            self.first[i] = t
        end = t + self.data.service_s[k][i]
        dl = self.deadline[i]
        if end < dl:
            heapq.heappush(self.heap, (end, _DONE, i, ver))
        else:  # may repeat the one pushed on queueing: the first to fire makes the other stale
            heapq.heappush(self.heap, (dl, _DEADLINE, i, ver))

    def dispatch(self, k: int, t: float) -> None:
        """Free agents of tier k take the next live tickets of its queue."""
        queue, version = self.queues[k], self.version
        while self.busy[k] < self.cap[k] and self.waiting[k]:
            _, _, i, ver = heapq.heappop(queue)
            if version[i] != ver:
                continue  # escalated while waiting: already counted out of `waiting`
            self.waiting[k] -= 1
            self.begin(i, k, t, ver)

    def finish(self, i: int, k: int, t: float) -> None:
        """Ticket i is resolved by tier k at t."""
        self.version[i] += 1
        self.leave[k][i] = t
        self.done[i] = t
        self.busy[k] -= 1
        self.busy_s[k] += t - self.start[k][i]
        self.dispatch(k, t)

    def escalate(self, i: int, k: int, t: float) -> None:
        """A time-in-tier rule fires on ticket i in tier k at t (waiting or being worked)."""
        rule = self.book.time_rule(self.state[i], k)
        if rule is None:  # pragma: no cover - a deadline exists only with a rule
            return
        self.escalations[i] += 1
        self.rules[rule.rule_id] = self.rules.get(rule.rule_id, 0) + 1
        self.state[i] = rule.next_state
        started = self.start[k][i]
        if rule.to_tier == k:  # only teams were told: the tier keeps the ticket
            self.version[i] += 1
            self._keep(i, k, t, started)
            return
        self.leave[k][i] = t
        if started == started:  # being worked: the agent hands it off and is free
            self.busy[k] -= 1
            self.busy_s[k] += t - started
        else:
            self.waiting[k] -= 1
        self.enter_tier(i, rule.to_tier, t)
        if started == started:
            self.dispatch(k, t)

    def _keep(self, i: int, k: int, t: float, started: float) -> None:
        """Re-arm a ticket that stays in its tier after a team-only escalation."""
        ver = self.version[i]
        rule = self.book.time_rule(self.state[i], k)
        dl = self.enter[k][i] + rule.limit_s if rule is not None else _INF
        self.deadline[i] = max(dl, t)
        if started == started:
            end = started + self.data.service_s[k][i]
            when, kind = (end, _DONE) if end < self.deadline[i] else (self.deadline[i], _DEADLINE)
            heapq.heappush(self.heap, (max(when, t), kind, i, ver))
        else:
            heapq.heappush(self.queues[k], (self.data.rank[i], self.enter[k][i], i, ver))
            if dl < _INF:
                heapq.heappush(self.heap, (self.deadline[i], _DEADLINE, i, ver))

    def tick(self, t: float, last: float) -> None:
        """Staff changes at an hour boundary."""
        how = self.data.hour_of_week(t)
        for k, row in enumerate(self.data.staff):
            self.staffed_s[k] += self.cap[k] * (t - last)
            self.cap[k] = row[how]
            self.dispatch(k, t)

    def may_tick_on(self, arrivals_left: bool) -> bool:
        """More hours matter while anything can still happen: arrivals or events to come, or
        a queue that some hour of the week staffs."""
        if arrivals_left or self.heap:
            return True
        rows = self.data.staff
        return any(self.waiting[k] and max(rows[k]) > 0 for k in range(len(rows)))

    def run(self) -> float:
        """Process every event; returns the time of the last one."""
        data, heap = self.data, self.heap
        arrival, tier, n = data.arrival, data.tier, len(data.arrival)
        ai, now = 0, arrival[0]
        tick = data.first_tick if data.scheduled else _INF
        last_tick = tick
        if data.scheduled:
            self.cap = [0] * len(self.cap)
        while True:
            t_heap = heap[0][0] if heap else _INF
            t_arr = arrival[ai] if ai < n else _INF
            if tick <= t_heap and tick <= t_arr and tick < _INF:
                self.tick(tick, last_tick)
                last_tick, now = tick, tick
                tick = tick + 3600.0 if self.may_tick_on(ai < n) else _INF
            elif t_heap <= t_arr and heap:
                now, kind, i, ver = heapq.heappop(heap)
                if self.version[i] != ver:
                    continue
                k = self.tier_now[i]
                if kind == _DONE:
                    self.finish(i, k, now)
                else:
                    self.escalate(i, k, now)
            elif ai < n:
                now = t_arr
                self.enter_tier(ai, tier[ai], now)
                ai += 1
            else:
                break
            self.events += 1
        self._close_staffed(now, last_tick)
        return now

    def _close_staffed(self, end: float, last_tick: float) -> None:
        for k in range(len(self.cap)):
            if self.data.scheduled:
                self.staffed_s[k] += self.cap[k] * max(0.0, end - last_tick)
            else:
                self.staffed_s[k] = self.cap[k] * (end - self.data.arrival[0])


def run_loop(data: LoopInput, book: EscalationBook) -> LoopResult:
    """Run the tickets of `data` through the tiers (see the module doc)."""
    engine = _Engine(data, book)
    end = engine.run()
    return LoopResult(
        enter=np.array(engine.enter, dtype=np.float64),
        start=np.array(engine.start, dtype=np.float64),
        leave=np.array(engine.leave, dtype=np.float64),
        done=np.array(engine.done, dtype=np.float64),
        first_start=np.array(engine.first, dtype=np.float64),
        time_escalations=np.array(engine.escalations, dtype=np.int64),
        rule_counts=dict(sorted(engine.rules.items())),
        busy_s=np.array(engine.busy_s, dtype=np.float64),
        staffed_s=np.array(engine.staffed_s, dtype=np.float64),
        end=end,
        events=engine.events,
    )
