"""The simulation: Erlang C agreement on M/M/c, determinism, staff monotonicity, escalation,
conservation of tickets, business-time due dates, shift schedules."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierdesk import policy
from tierdesk.domain.calendar import calendar_for
from tierdesk.domain.rulebook import Rulebook
from tierdesk.planning.arrivals import Arrivals, parse_tickets_csv
from tierdesk.planning.business_time import BusinessTimeline
from tierdesk.planning.erlang import evaluate
from tierdesk.planning.schedule import parse_schedule_csv
from tierdesk.planning.simulation import SimulationConfig, simulate, synthetic

AHT = {"L1": 360.0, "L2": 900.0, "L3": 1800.0}


@cache
def cs_sop() -> Rulebook:
    return policy.rulebook(preset="cs-sop")


@cache
def one_tier() -> Rulebook:
    """cs-sop cut down to one tier, one P1 category (24x7 clock), no escalation: M/M/c."""
    rules = cs_sop()
    cat = replace(rules.categories[0], tier="L1", priority="P1", expected_share=1.0)
    return replace(
        rules,
        tiers=(rules.tier("L1"),),
        tier_order=("L1",),
        categories=(cat,),
        escalation_rules=(),
        routing_rules=(),
        fallback_category=cat.id,
    )


def poisson(rules: Rulebook, count: int, rate_per_hour: float, seed: int) -> Arrivals:
    config = SimulationConfig(staff=dict.fromkeys(rules.tier_order, 1), aht_s=AHT, seed=seed)
    return synthetic(rules, count, config, rate_per_hour)


def mmc(servers: int, arrivals: Arrivals, seed: int = 3) -> SimulationConfig:
    return SimulationConfig(staff={"L1": servers}, aht_s={"L1": 360.0}, seed=seed)


def p90_wait_erlang_c(rate: float, aht: float, servers: int) -> float:
    """Erlang C: P(W > t) = C exp(-(n - A) t / AHT), solved for 10%."""
    m = evaluate(rate, aht, servers, 0.0)
    return math.log(m.p_wait / 0.1) * aht / (servers - m.load_erlangs)


def test_mmc_wait_probability_mean_and_tail_match_erlang_c() -> None:
    """100,000 Poisson arrivals at 100/h, AHT 6 min (10 Erlangs), 12 agents, FIFO."""
    rate, servers = 100.0, 12
    arrivals = poisson(one_tier(), 100_000, rate, seed=11)
    report = simulate(one_tier(), arrivals, replace(mmc(servers, arrivals), discipline="fifo"))
    expected = evaluate(rate, 360.0, servers, 0.0)
    fewer = evaluate(rate, 360.0, servers - 1, 0.0)
    # Tolerances: several standard errors of this run length, yet far from 11 agents' answer.
    assert report.p_wait == pytest.approx(expected.p_wait, abs=0.03)
    assert abs(report.p_wait - fewer.p_wait) > 0.15
    assert report.wait.mean_s == pytest.approx(expected.asa_s, rel=0.15)
    assert report.wait.mean_s is not None and report.wait.mean_s < fewer.asa_s * 0.6
    assert report.wait.p90_s == pytest.approx(p90_wait_erlang_c(rate, 360.0, servers), rel=0.15)
    assert report.tier("L1").occupancy == pytest.approx(expected.occupancy, abs=0.02)
    assert report.resolved == report.tickets == 100_000


def test_same_seed_same_run_and_another_seed_another() -> None:
    config = SimulationConfig(staff={"L1": 5, "L2": 2, "L3": 1}, aht_s=AHT, seed=5)
    a = simulate(cs_sop(), synthetic(cs_sop(), 3000, config), config)
    b = simulate(cs_sop(), synthetic(cs_sop(), 3000, config), config)
    other = replace(config, seed=6)
    c = simulate(cs_sop(), synthetic(cs_sop(), 3000, other), other)
    assert a.to_json() == b.to_json()
    assert a.to_json() != c.to_json()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), servers=st.integers(1, 6), rate=st.floats(5.0, 60.0))
def test_more_agents_never_lower_sla_attainment_for_the_same_seed(
    seed: int, servers: int, rate: float
) -> None:
    rules = one_tier()
    arrivals = poisson(rules, 400, rate, seed)
    fewer = simulate(rules, arrivals, replace(mmc(servers, arrivals, seed), discipline="fifo"))
    more = simulate(rules, arrivals, replace(mmc(servers + 1, arrivals, seed), discipline="fifo"))
    for low, high in zip(fewer.sla, more.sla, strict=True):
        assert (high.first_response_met or 0) >= (low.first_response_met or 0)
        assert (high.resolution_met or 0) >= (low.resolution_met or 0)


@pytest.mark.parametrize("tier", ["L1", "L2", "L3"])
def test_more_agents_in_any_tier_of_cs_sop_never_lower_sla_attainment(tier: str) -> None:
    staff = {"L1": 4, "L2": 2, "L3": 1}
    config = SimulationConfig(staff=staff, aht_s=AHT, seed=9)
    arrivals = synthetic(cs_sop(), 4000, config, 30.0)
    base = simulate(cs_sop(), arrivals, config)
    more = simulate(cs_sop(), arrivals, replace(config, staff={**staff, tier: staff[tier] + 2}))
    for low, high in zip(base.sla, more.sla, strict=True):
        assert (high.first_response_met or 0) >= (low.first_response_met or 0) - 1e-12
        assert (high.resolution_met or 0) >= (low.resolution_met or 0) - 1e-12


@pytest.mark.rule("R-ESC-1")
def test_tickets_over_the_l1_time_limit_escalate_to_l2_and_are_counted() -> None:
    config = SimulationConfig(staff={"L1": 2, "L2": 3, "L3": 1}, aht_s=AHT, seed=4)
    arrivals = synthetic(cs_sop(), 3000, config, 25.0)
    report = simulate(cs_sop(), arrivals, config)
    escalated = dict(report.escalations)["R-ESC-1"]
    assert escalated > 0
    l1, l2 = report.tier("L1"), report.tier("L2")
    assert l2.visits == round(l2.start_share * report.tickets) + escalated
    assert l1.wait.max_s is not None and l1.wait.max_s <= 15 * 60 + 1e-6  # gone by 15 min
    assert report.escalation_rate >= escalated / report.tickets
    without = replace(
        cs_sop(), escalation_rules=tuple(r for r in cs_sop().escalation_rules if r.id != "R-ESC-1")
    )
    quiet = simulate(without, arrivals, config)
    assert "R-ESC-1" not in dict(quiet.escalations)
    assert quiet.tier("L2").visits == round(quiet.tier("L2").start_share * quiet.tickets)


@pytest.mark.rule("R-ESC-4")
def test_a_legal_threat_in_the_text_starts_at_l3_and_counts_as_an_escalation() -> None:
    rows = ["created_at,text"]
    rows += [f"2026-03-02T10:{m:02d}:00+08:00,Where is my order?" for m in range(30)]
    rows += ["2026-03-02T10:31:00+08:00,I will sue you and call my lawyer about this charge"]
    arrivals = parse_tickets_csv([r + "\n" for r in rows], "t.csv")
    config = SimulationConfig(staff={"L1": 2, "L2": 1, "L3": 1}, aht_s=AHT, seed=1)
    report = simulate(cs_sop(), arrivals, config)
    assert report.tier("L3").start_share == pytest.approx(1 / 31)
    assert dict(report.escalations)["R-ESC-4"] == 1
    assert report.escalation_rate >= 1 / 31


def test_backlog_conserves_tickets_arrived_equals_resolved_plus_in_the_system() -> None:
    config = SimulationConfig(staff={"L1": 3, "L2": 1, "L3": 0}, aht_s=AHT, seed=2)
    arrivals = synthetic(cs_sop(), 2000, config, 20.0)
    report = simulate(cs_sop(), arrivals, config)
    backlog = report.backlog
    assert report.unresolved > 0  # L3 has nobody: its tickets stay
    assert report.resolved + report.unresolved == report.tickets == 2000
    assert backlog.total[-1] == report.unresolved
    for hour, total in enumerate(backlog.total):
        assert total == sum(series[hour] for _, series in backlog.by_tier)
    assert dict(backlog.by_tier)["L3"][-1] == report.unresolved


def test_bulk_due_times_equal_the_domain_calendar_on_business_hours_and_holidays() -> None:
    spec = cs_sop().calendar("business")
    cal = calendar_for(spec)
    rng = np.random.default_rng(0)
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()  # New Year's Day, a TW holiday
    instants = np.sort(start + rng.uniform(0, 60 * 86400, size=300))
    line = BusinessTimeline(spec, instants[0], instants[-1], 40 * 3600.0)
    for hours in (0.25, 1.0, 4.0, 40.0):
        due = line.due(instants, hours * 3600.0)
        for at, got in zip(instants[::7], due[::7], strict=True):
            moment = datetime.fromtimestamp(float(at), tz=UTC)
            want = cal.due(moment, timedelta(hours=hours)).timestamp()
            assert got == pytest.approx(want, abs=1e-3)


def test_a_shift_schedule_leaves_night_tickets_waiting_for_the_morning() -> None:
    schedule = parse_schedule_csv(["days,hours,L1\n", "*,9-18,4\n"], "shifts.csv")
    rules = one_tier()
    # Monday 00:00-01:00 UTC is 08:00-09:00 in Taipei: before the shift starts at 09:00.
    arrivals = poisson(rules, 40, 120.0, seed=1)
    assert arrivals.created_s[-1] < datetime(2026, 1, 5, 1, tzinfo=UTC).timestamp()
    config = SimulationConfig(staff=None, aht_s={"L1": 360.0}, schedule=schedule, seed=1)
    report = simulate(rules, arrivals, config)
    assert report.p_wait == 1.0
    assert report.resolved == 40
    assert report.tier("L1").agents == pytest.approx(4 * 9 / 24)
    occupancy = report.tier("L1").occupancy
    assert occupancy is not None and occupancy <= 1.0


def test_a_time_rule_that_only_tells_a_team_keeps_the_ticket_in_its_tier() -> None:
    rules = cs_sop()
    tell_lead = tuple(
        replace(r, target=("team_lead",)) if r.id == "R-ESC-1" else r
        for r in rules.escalation_rules
    )
    told = replace(rules, escalation_rules=tell_lead)
    config = SimulationConfig(staff={"L1": 2, "L2": 3, "L3": 1}, aht_s=AHT, seed=4)
    arrivals = synthetic(told, 2000, config, 25.0)
    report = simulate(told, arrivals, config)
    assert dict(report.escalations)["R-ESC-1"] > 0
    assert report.tier("L2").visits == round(report.tier("L2").start_share * report.tickets)
    assert report.resolved == report.tickets
