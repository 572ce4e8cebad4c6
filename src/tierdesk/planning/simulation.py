"""What-if simulation of a policy on ticket arrivals (issue 4): `simulate(rules, arrivals, config)`.

Each ticket is triaged, routed and escalated at intake by the policy (`ticket_rules`), waits in
its tier's queue for an agent, is worked for a handling time drawn from an exponential
distribution with the tier's AHT, and leaves resolved, or escalated by a time-in-tier rule
(R-ESC-1) to the next tier (`event_loop`). Its first response is when an agent first works it;
SLA targets are due in business time on the priority's clock (`business_time`).

Deterministic for a seed: the handling times come from `numpy.random.default_rng([seed, 1])`,
the same per ticket and tier whatever the staff, so runs with different staff or policies differ
only by what the staff or the policy changes (common random numbers). Synthetic arrivals use
`default_rng([seed, 0])` (see `synthetic`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from tierdesk.domain.rulebook import Rulebook
from tierdesk.planning.arrivals import Arrivals, category_shares, synthetic_arrivals
from tierdesk.planning.business_time import BusinessTimeline
from tierdesk.planning.event_loop import LoopInput, LoopResult, run_loop
from tierdesk.planning.schedule import ScheduleError, StaffSchedule, per_tier
from tierdesk.planning.simulation_report import (
    SimulationReport,
    SlaRow,
    TierRow,
    WaitStats,
    backlog_series,
    iso,
)
from tierdesk.planning.ticket_rules import EscalationBook, TicketPlan, plan_tickets

FloatArray = npt.NDArray[np.float64]
Discipline = Literal["priority", "fifo"]

DEFAULT_LOAD = 0.85  # synthetic arrivals load the busiest tier to this share of its agents


@dataclass(frozen=True)
class SimulationConfig:
    """Agents per tier (`staff`, and/or a shift `schedule` over it), handling time per tier in
    seconds, the seed, and the queue order: `priority` (P1 first, then arrival) or `fifo`."""

    staff: Mapping[str, int] | None
    aht_s: Mapping[str, float]
    schedule: StaffSchedule | None = None
    seed: int = 0
    discipline: Discipline = "priority"
    name: str = "policy"


def simulate(rules: Rulebook, arrivals: Arrivals, config: SimulationConfig) -> SimulationReport:
    """Replay `arrivals` through the policy with the staff of `config` (see the module doc).

    Raises ScheduleError for staff or AHT that do not match the policy's tiers, ArrivalsError
    for tickets naming a category or priority the policy lacks, ValueError for empty input.
    """
    if not len(arrivals):
        raise ValueError("no tickets to simulate")
    tiers = rules.tier_order
    staff = staff_matrix(rules, config)
    aht = np.asarray(per_tier(config.aht_s, tiers, "--aht", rules.business), dtype=np.float64)
    if np.any(aht <= 0):
        raise ScheduleError("--aht: every handling time must be above 0")
    book = EscalationBook(rules)
    plan = plan_tickets(rules, arrivals, book)
    rng = np.random.default_rng([config.seed, 1])
    service = rng.standard_exponential((len(tiers), len(arrivals))) * aht[:, None]
    ranks = np.array([p.rank for p in rules.priorities], dtype=np.int64)
    tz = _zone(rules, config.schedule)
    first = float(arrivals.created_s[0])
    data = LoopInput(
        arrival=arrivals.created_s.tolist(),
        rank=(ranks[plan.priority] if config.discipline == "priority" else plan.priority * 0)
        .astype(np.int64)
        .tolist(),
        tier=plan.tier.tolist(),
        state=plan.state.tolist(),
        service_s=service.tolist(),
        staff=staff.tolist(),
        scheduled=config.schedule is not None,
        first_tick=_hour_floor(first, tz),
        hour_of_week=lambda t: _hour_of_week(t, tz),
    )
    result = run_loop(data, book)
    return _report(rules, arrivals, config, plan, result, staff, aht)


def compare(
    policies: Sequence[tuple[str, Rulebook]],
    config: SimulationConfig,
    *,
    tickets: Arrivals | None = None,
    synthetic_count: int | None = None,
    rate_per_hour: float | None = None,
) -> list[SimulationReport]:
    """Simulate each named policy on the same tickets (or on `synthetic_count` synthetic
    tickets, the same arrival instants for every policy at the first policy's default rate
    unless `rate_per_hour` is given), with the same staff and seed. One report per policy."""
    if (tickets is None) == (synthetic_count is None):
        raise ValueError("give tickets or a synthetic count, not both and not neither")
    if not policies:
        raise ValueError("no policy to simulate")
    if rate_per_hour is None and tickets is None:
        rate_per_hour = default_rate(policies[0][1], config)
    reports = []
    for name, rules in policies:
        named = replace(config, name=name)
        arrivals = tickets
        if arrivals is None:
            arrivals = synthetic(rules, synthetic_count or 0, named, rate_per_hour)
        reports.append(simulate(rules, arrivals, named))
    return reports


def synthetic(
    rules: Rulebook,
    count: int,
    config: SimulationConfig,
    rate_per_hour: float | None = None,
) -> Arrivals:
    """`count` Poisson arrivals for `rules`, at `rate_per_hour`, or by default at the rate
    that loads the busiest tier to 85% of its agents (see `default_rate`)."""
    rate = rate_per_hour if rate_per_hour is not None else default_rate(rules, config)
    return synthetic_arrivals(rules, count, rate, np.random.default_rng([config.seed, 0]))


def default_rate(rules: Rulebook, config: SimulationConfig) -> float:
    """Arrivals per hour at which the busiest tier, by the categories' expected shares and
    the tier they start in, is 85% busy with its mean staff (escalations come on top)."""
    shares = category_shares(rules)
    tiers = rules.tier_order
    start = np.zeros(len(tiers))
    for share, cat in zip(shares, rules.categories, strict=True):
        start[tiers.index(cat.tier)] += share
    staff = staff_matrix(rules, config).mean(axis=1)
    aht = np.asarray(per_tier(config.aht_s, tiers, "--aht", rules.business), dtype=np.float64)
    used = start > 0
    if not np.any(staff[used] > 0):
        raise ScheduleError("no agents in any tier that tickets start in: nothing to simulate")
    with np.errstate(divide="ignore"):
        rates = np.where(used, staff * 3600.0 / aht / np.where(used, start, 1.0), np.inf)
    return float(DEFAULT_LOAD * rates.min()) or 1.0


def staff_matrix(rules: Rulebook, config: SimulationConfig) -> npt.NDArray[np.int64]:
    """Agents per tier (policy order) and hour of week, from the staff and the schedule."""
    tiers = rules.tier_order
    if config.schedule is None:
        if config.staff is None:
            raise ScheduleError("give --staff (or a --schedule)")
        counts = per_tier(config.staff, tiers, "--staff", rules.business)
        return np.repeat(np.asarray(counts, dtype=np.int64)[:, None], 168, axis=1)
    if config.staff is not None:
        per_tier(config.staff, tiers, "--staff", rules.business)  # same checks as without
    return config.schedule.matrix(tiers, config.staff)


def _report(
    rules: Rulebook,
    arrivals: Arrivals,
    config: SimulationConfig,
    plan: TicketPlan,
    result: LoopResult,
    staff: npt.NDArray[np.int64],
    aht: FloatArray,
) -> SimulationReport:
    arrival, n = arrivals.created_s, len(arrivals)
    waits = result.first_start - arrival
    escalated = plan.intake_escalated | (result.time_escalations > 0)
    counts = dict(plan.intake_rules)
    for rule_id, c in result.rule_counts.items():
        counts[rule_id] = counts.get(rule_id, 0) + c
    resolved = int(np.isfinite(result.done).sum())
    return SimulationReport(
        policy=config.name,
        seed=config.seed,
        tickets=n,
        resolved=resolved,
        unresolved=n - resolved,
        first_arrival=iso(float(arrival[0])),
        end=iso(result.end),
        sla=_sla(rules, arrival, plan, result),
        wait=WaitStats.of(waits),
        p_wait=float(np.mean(~(waits <= 0))),
        tiers=_tiers(rules, plan, result, staff, aht),
        escalation_rate=float(escalated.mean()),
        escalations=tuple(sorted(counts.items())),
        backlog=backlog_series(
            arrival, result.done, result.enter, result.leave, rules.tier_order, result.end
        ),
        events=result.events,
        discipline=config.discipline,
    )


def _sla(
    rules: Rulebook, arrival: FloatArray, plan: TicketPlan, result: LoopResult
) -> tuple[SlaRow, ...]:
    """Per priority: the share that was first worked by the first-response due time and
    resolved by the resolution due time (business time on the priority's clock)."""
    rows = []
    timelines: dict[str, BusinessTimeline] = {}
    for p, level in enumerate(rules.priorities):
        mask = plan.priority == p
        fr_s = level.first_response.total_seconds()
        res_s = None if level.resolution is None else level.resolution.total_seconds()
        if not mask.any():
            rows.append(SlaRow(level.id, 0, fr_s, None, res_s, None))
            continue
        at = arrival[mask]
        if level.clock not in timelines:
            spec = rules.calendar(level.clock)
            timelines[level.clock] = BusinessTimeline(
                spec, float(arrival[0]), float(arrival[-1]), _longest_target(rules)
            )
        line = timelines[level.clock]
        fr_met = float(np.mean(result.first_start[mask] <= line.due(at, fr_s)))
        res_met = None
        if res_s is not None:
            res_met = float(np.mean(result.done[mask] <= line.due(at, res_s)))
        rows.append(SlaRow(level.id, int(mask.sum()), fr_s, fr_met, res_s, res_met))
    return tuple(rows)


def _longest_target(rules: Rulebook) -> float:
    targets = [p.first_response for p in rules.priorities]
    targets += [p.resolution for p in rules.priorities if p.resolution is not None]
    return max(t.total_seconds() for t in targets)


def _tiers(
    rules: Rulebook,
    plan: TicketPlan,
    result: LoopResult,
    staff: npt.NDArray[np.int64],
    aht: FloatArray,
) -> tuple[TierRow, ...]:
    n = len(plan.tier)
    rows = []
    for k, tier in enumerate(rules.tier_order):
        resolved_here = np.isfinite(result.done) & (result.leave[k] == result.done)
        staffed = float(result.staffed_s[k])
        hours = max(staffed, 0.0)
        rows.append(
            TierRow(
                tier=tier,
                agents=float(staff[k].mean()),
                aht_s=float(aht[k]),
                start_share=float(np.mean(plan.tier == k)),
                resolved_share=float(resolved_here.sum()) / n,
                visits=int(np.isfinite(result.enter[k]).sum()),
                occupancy=float(result.busy_s[k] / hours) if hours > 0 else None,
                wait=WaitStats.of(result.start[k] - result.enter[k]),
            )
        )
    return tuple(rows)


def _zone(rules: Rulebook, schedule: StaffSchedule | None) -> ZoneInfo:
    """The schedule's time zone, else the policy's first business calendar's (else UTC)."""
    if schedule is not None and schedule.timezone:
        try:
            return ZoneInfo(schedule.timezone)
        except (ValueError, KeyError):
            raise ScheduleError(
                f"{schedule.source}: unknown time zone {schedule.timezone!r}"
            ) from None
    business = [c for c in rules.calendars if not c.always_open] or list(rules.calendars)
    return ZoneInfo(business[0].timezone) if business else ZoneInfo("UTC")


def _hour_floor(seconds: float, tz: ZoneInfo) -> float:
    local = datetime.fromtimestamp(seconds, tz=tz)
    return local.replace(minute=0, second=0, microsecond=0).timestamp()


def _hour_of_week(seconds: float, tz: ZoneInfo) -> int:
    local = datetime.fromtimestamp(seconds, tz=UTC).astimezone(tz)
    return local.weekday() * 24 + local.hour
