"""`tierdesk simulate`: what-if simulation of one or more policies side by side (issue 4).

Tickets from `--tickets FILE` (CSV: created_at, text, optional category, priority) or
`--synthetic N`; staff from `--staff L1=8,L2=3,L3=1` and/or `--schedule FILE` (CSV or YAML).
Prints one table per metric with a column per policy, or `--json`. Exit 0 ok, 1 for an invalid
policy, 2 for bad usage (the message names the option, or FILE:LINE).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from tierdesk import policy
from tierdesk.cli.common import policy_max_bytes, usage_error
from tierdesk.cli.errors import translated
from tierdesk.domain.durations import format_duration
from tierdesk.domain.rulebook import Rulebook
from tierdesk.planning.arrivals import Arrivals, parse_tickets_csv
from tierdesk.planning.parsing import parse_rate_per_hour
from tierdesk.planning.schedule import (
    DEFAULT_AHT,
    StaffSchedule,
    parse_aht,
    parse_schedule_csv,
    parse_schedule_yaml,
    parse_staff,
)
from tierdesk.planning.simulation import SimulationConfig, compare
from tierdesk.planning.simulation_report import SimulationReport

_T = TypeVar("_T")

PoliciesOpt = Annotated[
    list[Path] | None, typer.Option("--policy", help="Policy YAML file (repeat to compare).")
]
PresetsOpt = Annotated[
    list[str] | None, typer.Option("--preset", help="Packaged preset (repeat to compare).")
]
TicketsOpt = Annotated[
    Path | None,
    typer.Option("--tickets", help="CSV: created_at (ISO 8601), text[, category, priority]."),
]
SyntheticOpt = Annotated[
    int | None, typer.Option("--synthetic", help="Simulate N Poisson arrivals instead.")
]
ArrivalsOpt = Annotated[
    str | None,
    typer.Option("--arrivals", help="Synthetic arrival rate, e.g. 60/h (default: 85% load)."),
]
StaffOpt = Annotated[str | None, typer.Option("--staff", help="Agents per tier: L1=8,L2=3,L3=1.")]
ScheduleOpt = Annotated[
    Path | None,
    typer.Option("--schedule", help="Shifts (CSV or YAML): agents per tier by day and hour."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same run).")]
AhtOpt = Annotated[str, typer.Option("--aht", help="Handling time per tier: L1=6m,L2=15m,...")]
DisciplineOpt = Annotated[
    str, typer.Option("--discipline", help="Queue order: priority (P1 first) or fifo.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def simulate_cmd(
    policy_files: PoliciesOpt = None,
    presets: PresetsOpt = None,
    tickets: TicketsOpt = None,
    synthetic: SyntheticOpt = None,
    arrivals: ArrivalsOpt = None,
    staff: StaffOpt = None,
    schedule: ScheduleOpt = None,
    seed: SeedOpt = 0,
    aht: AhtOpt = DEFAULT_AHT,
    discipline: DisciplineOpt = "priority",
    as_json: JsonOpt = False,
) -> None:
    """Simulate policies on ticket arrivals with the given staff; compare them side by side.

    Policies are shown in the order given, --policy files first, then --preset names.
    """
    named = _policies(policy_files or [], presets or [])
    _check_options(tickets, synthetic, arrivals, discipline)
    config = SimulationConfig(
        staff=None if staff is None else _parsed(parse_staff, staff),
        aht_s=_parsed(parse_aht, aht),
        schedule=None if schedule is None else _read_schedule(schedule),
        seed=seed,
        discipline="fifo" if discipline == "fifo" else "priority",
    )
    if config.staff is None and config.schedule is None:
        usage_error("give --staff (e.g. L1=8,L2=3,L3=1) or --schedule FILE")
    rate = None if arrivals is None else _parsed(parse_rate_per_hour, arrivals, "--arrivals")
    ticket_rows = None if tickets is None else _read_tickets(tickets)
    reports = compare(
        named, config, tickets=ticket_rows, synthetic_count=synthetic, rate_per_hour=rate
    )
    if as_json:
        typer.echo(json.dumps({"policies": [r.to_json() for r in reports]}, indent=2))
    else:
        typer.echo(render_tables(reports))


def _check_options(
    tickets: Path | None, synthetic: int | None, arrivals: str | None, discipline: str
) -> None:
    """Exit 2 on options that do not go together."""
    if (tickets is None) == (synthetic is None):
        usage_error("give one of --tickets FILE or --synthetic N")
    if synthetic is not None and synthetic < 1:
        usage_error(f"--synthetic: {synthetic} tickets; give at least 1")
    if arrivals is not None and synthetic is None:
        usage_error("--arrivals is for --synthetic tickets (--tickets have their own times)")
    if discipline not in ("priority", "fifo"):
        usage_error(f"--discipline: {discipline!r}; use priority or fifo")


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)


def _parsed(parse: Callable[[str], _T], text: str, option: str = "") -> _T:
    try:
        return parse(text)
    except ValueError as exc:
        usage_error(f"{option}: {exc}" if option else str(exc))


def _policies(files: Sequence[Path], presets: Sequence[str]) -> list[tuple[str, Rulebook]]:
    """(column name, rules) per policy; names are file stems and preset names, made unique."""
    if not files and not presets:
        usage_error("give at least one --policy FILE or --preset NAME")
    out: list[tuple[str, Rulebook]] = []
    sources: list[tuple[str, Path | None, str | None]] = [(f.stem, f, None) for f in files]
    sources += [(p, None, p) for p in presets]
    for name, path, preset in sources:
        if preset is not None and preset not in policy.PRESETS:
            usage_error(
                f"--preset: unknown preset {preset!r}; use one of {', '.join(policy.PRESETS)}"
            )
        rules = policy.rulebook(path, preset, policy_max_bytes())
        taken = {n for n, _ in out}
        unique, i = name, 2
        while unique in taken:
            unique, i = f"{name}#{i}", i + 1
        out.append((unique, rules))
    return out


def _read_text(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        usage_error(f"{option}: {path}: cannot read: {exc}")


def _read_tickets(path: Path) -> Arrivals:
    text = _read_text(path, "--tickets")
    with translated("--tickets: "):
        return parse_tickets_csv(text.splitlines(keepends=True), str(path))


def _read_schedule(path: Path) -> StaffSchedule:
    text = _read_text(path, "--schedule")
    with translated("--schedule: "):
        if path.suffix.lower() in (".yaml", ".yml"):
            return parse_schedule_yaml(text, str(path))
        return parse_schedule_csv(text.splitlines(keepends=True), str(path))


# --- the side-by-side tables ---------------------------------------------------------------------

Row = tuple[str, list[str]]


def render_tables(reports: Sequence[SimulationReport]) -> str:
    """One table per metric, a column per policy ('-' where a policy lacks the row)."""
    first = reports[0]
    head = (
        f"{first.tickets:,} tickets from {first.first_arrival} to {first.end}; "
        f"seed {first.seed}; queue order {first.discipline}"
    )
    blocks = [head]
    for title, rows in _sections(reports):
        blocks.append(_table(title, rows, [r.policy for r in reports]))
    return "\n\n".join(blocks)


def _sections(reports: Sequence[SimulationReport]) -> list[tuple[str, list[Row]]]:
    prios = list(dict.fromkeys(s.priority for r in reports for s in r.sla))
    tiers = list(dict.fromkeys(t.tier for r in reports for t in r.tiers))
    rule_ids = sorted({k for r in reports for k, _ in r.escalations})
    waits: list[Row] = [
        (label, [_dur(getattr(r.wait, attr)) for r in reports])
        for label, attr in (
            ("mean", "mean_s"),
            ("p50", "p50_s"),
            ("p90", "p90_s"),
            ("p95", "p95_s"),
        )
    ]
    waits.append(("P(wait)", [_pct(r.p_wait) for r in reports]))
    escalation: list[Row] = [("rate", [_pct(r.escalation_rate) for r in reports])]
    escalation += [(k, [str(dict(r.escalations).get(k, 0)) for r in reports]) for k in rule_ids]
    backlog: list[Row] = [
        ("peak at an hour", [str(r.backlog.peak) for r in reports]),
        ("unresolved at end", [str(r.unresolved) for r in reports]),
    ]
    return [
        ("SLA attainment: first response", _sla_rows(reports, prios, "first_response_met")),
        ("SLA attainment: resolution", _sla_rows(reports, prios, "resolution_met")),
        ("Wait from arrival to first worked", waits),
        ("Tier mix: tickets starting in tier", _tier_rows(reports, tiers, "start_share")),
        ("Tier mix: tickets resolved in tier", _tier_rows(reports, tiers, "resolved_share")),
        ("Escalation", escalation),
        ("Occupancy", _tier_rows(reports, tiers, "occupancy")),
        ("Backlog (tickets waiting or in work)", backlog),
    ]


def _sla_rows(reports: Sequence[SimulationReport], prios: list[str], attr: str) -> list[Row]:
    """A share per priority and policy ('-' where a policy lacks the priority)."""
    return [
        (
            p,
            [
                next((_pct(getattr(s, attr)) for s in r.sla if s.priority == p), "-")
                for r in reports
            ],
        )
        for p in prios
    ]


def _tier_rows(reports: Sequence[SimulationReport], tiers: list[str], attr: str) -> list[Row]:
    """A share per tier and policy ('-' where a policy lacks the tier)."""
    return [
        (t, [next((_pct(getattr(x, attr)) for x in r.tiers if x.tier == t), "-") for r in reports])
        for t in tiers
    ]


def _table(title: str, rows: list[Row], names: list[str]) -> str:
    width = max([len(label) for label, _ in rows] + [len(title), 8])
    cols = [max([len(n), 8] + [len(cells[i]) for _, cells in rows]) for i, n in enumerate(names)]
    lines = [
        f"{title:<{width}}  " + "  ".join(f"{n:>{w}}" for n, w in zip(names, cols, strict=True))
    ]
    for label, cells in rows:
        lines.append(
            f"  {label:<{width - 2}}  "
            + "  ".join(f"{c:>{w}}" for c, w in zip(cells, cols, strict=True))
        )
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100.0 * value:.1f}%"


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.0f}s"
    # to the minute: seconds are noise on waits of minutes or hours
    return format_duration(timedelta(seconds=round(seconds / 60.0) * 60), largest_unit="hour")
