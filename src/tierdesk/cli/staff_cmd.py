"""`tierdesk staff`: agents needed for a service-level target (Erlang C, or Erlang A with patience).

One interval from `--arrivals`, or a table per tier and hour of week from `--from-history FILE`
(a CSV with `created_at`, ISO 8601 with a UTC offset, and an optional `tier` column).
Exit 0 ok, 2 bad usage (the message names the option).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from tierdesk.cli.common import usage_error
from tierdesk.planning.erlang import (
    ServiceTarget,
    Staffing,
    StaffTable,
    required_staff,
    staff_table,
)
from tierdesk.planning.history import ArrivalProfile, arrival_profile, hour_label
from tierdesk.planning.parsing import (
    parse_duration_s,
    parse_fraction,
    parse_rate_per_hour,
    parse_target,
)

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Inputs:
    aht_s: float
    target: ServiceTarget
    max_occupancy: float
    shrinkage: float
    patience_s: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "aht_seconds": self.aht_s,
            "target": {"level": self.target.level, "threshold_seconds": self.target.threshold_s},
            "max_occupancy": self.max_occupancy,
            "shrinkage": self.shrinkage,
            "patience_seconds": self.patience_s,
            "model": "erlang_c" if self.patience_s is None else "erlang_a",
        }


AhtOpt = Annotated[str, typer.Option("--aht", help="Average handling time: 5m, 300s, 4m30s.")]
TargetOpt = Annotated[
    str, typer.Option("--target", help="Service level: '80% in 60s', '90% in 4h' (email).")
]
ArrivalsOpt = Annotated[
    str | None, typer.Option("--arrivals", help="Arrival rate: 120/h, 2/min, 900/day.")
]
HistoryOpt = Annotated[
    Path | None,
    typer.Option("--from-history", help="CSV of tickets: created_at (ISO 8601), tier."),
]
OccupancyOpt = Annotated[str, typer.Option("--max-occupancy", help="Occupancy cap, e.g. 85%.")]
ShrinkageOpt = Annotated[
    str, typer.Option("--shrinkage", help="Share of paid time off the queue, e.g. 30%.")
]
PatienceOpt = Annotated[
    str | None,
    typer.Option("--patience", help="Mean patience before abandoning (Erlang A), e.g. 2m."),
]
TzOpt = Annotated[
    str | None,
    typer.Option("--tz", help="Time zone for hours of week (default: each stamp's offset)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def staff_cmd(
    aht: AhtOpt,
    target: TargetOpt,
    arrivals: ArrivalsOpt = None,
    from_history: HistoryOpt = None,
    max_occupancy: OccupancyOpt = "100%",
    shrinkage: ShrinkageOpt = "0%",
    patience: PatienceOpt = None,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Agents needed to meet a service-level target, before and after shrinkage."""
    inputs = _parse_inputs(aht, target, max_occupancy, shrinkage, patience)
    if arrivals is not None and from_history is None:
        rate = _parsed("--arrivals", parse_rate_per_hour, arrivals)
        result = _staff_one(rate, inputs)
        if as_json:
            typer.echo(json.dumps(_one_json(rate, result, inputs), indent=2))
        else:
            _print_one(rate, result, inputs)
    elif from_history is not None and arrivals is None:
        profile = arrival_profile(_read_history(from_history), tz=_zone(tz))
        table = _staff_profile(profile, inputs)
        if as_json:
            typer.echo(json.dumps(_table_rows(profile, table), indent=2))
        else:
            _print_table(from_history, profile, table, inputs)
    else:
        usage_error("give one of --arrivals or --from-history")


def register(app: typer.Typer) -> None:
    app.command("staff")(staff_cmd)


def _parsed(option: str, parse: Callable[[str], _T], text: str) -> _T:
    """parse(text), or exit 2 with the parser's message prefixed by the option's name."""
    try:
        return parse(text)
    except ValueError as exc:
        usage_error(f"{option}: {exc}")


def _parse_inputs(
    aht: str, target: str, max_occupancy: str, shrinkage: str, patience: str | None
) -> _Inputs:
    inputs = _Inputs(
        aht_s=_parsed("--aht", parse_duration_s, aht),
        target=_parsed("--target", parse_target, target),
        max_occupancy=_parsed("--max-occupancy", parse_fraction, max_occupancy),
        shrinkage=_parsed("--shrinkage", parse_fraction, shrinkage),
        patience_s=None if patience is None else _parsed("--patience", parse_duration_s, patience),
    )
    if inputs.max_occupancy <= 0:
        usage_error(f"--max-occupancy: {max_occupancy!r} must be above 0%")
    if inputs.shrinkage >= 1:
        usage_error(f"--shrinkage: {shrinkage!r} must be below 100%")
    return inputs


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        usage_error(f"--tz: unknown time zone {name!r}; use e.g. Asia/Taipei or UTC")


def _staff_one(rate: float, inputs: _Inputs) -> Staffing:
    return required_staff(
        rate,
        inputs.aht_s,
        inputs.target,
        max_occupancy=inputs.max_occupancy,
        shrinkage=inputs.shrinkage,
        patience_s=inputs.patience_s,
    )


def _staff_profile(profile: ArrivalProfile, inputs: _Inputs) -> StaffTable:
    return staff_table(
        profile.rates_per_hour,
        inputs.aht_s,
        inputs.target,
        interval_s=3600.0,
        max_occupancy=inputs.max_occupancy,
        shrinkage=inputs.shrinkage,
        patience_s=inputs.patience_s,
    )


def _read_history(path: Path) -> list[tuple[datetime, str]]:
    """(created_at, tier) per CSV row; a missing or empty tier is `all`. Exit 2 on bad input."""
    where = f"--from-history: {path}"
    rows: list[tuple[datetime, str]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "created_at" not in reader.fieldnames:
                usage_error(f"{where}: needs a header row with a created_at column")
            for row in reader:
                rows.append(
                    (
                        _timestamp(row.get("created_at"), f"{where}:{reader.line_num}"),
                        (row.get("tier") or "").strip() or "all",
                    )
                )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        usage_error(f"{where}: cannot read: {exc}")
    if not rows:
        usage_error(f"{where}: no tickets in the file")
    return rows


def _timestamp(raw: str | None, where: str) -> datetime:
    text = (raw or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        usage_error(f"{where}: created_at {text!r} is not an ISO 8601 timestamp")
    if moment.tzinfo is None:
        usage_error(f"{where}: created_at {text!r} has no UTC offset (e.g. +08:00 or Z)")
    return moment


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _one_json(rate: float, result: Staffing, inputs: _Inputs) -> dict[str, Any]:
    m = result.metrics
    return {
        "agents": result.agents,
        "scheduled": result.scheduled,
        "service_level": m.service_level,
        "asa_seconds": _finite(m.asa_s),
        "occupancy": m.occupancy,
        "p_wait": m.p_wait,
        "p_abandon": m.p_abandon,
        "load_erlangs": m.load_erlangs,
        "inputs": {"arrivals_per_hour": rate, **inputs.as_json()},
    }


def _table_rows(profile: ArrivalProfile, table: StaffTable) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for t, tier in enumerate(profile.tiers):
        for how in range(profile.rates_per_hour.shape[1]):
            s = table.staffing((t, how))
            rows.append(
                {
                    "tier": tier,
                    "hour_of_week": how,
                    "label": hour_label(how),
                    "arrivals_per_hour": float(profile.rates_per_hour[t, how]),
                    "load_erlangs": s.metrics.load_erlangs,
                    "agents": s.agents,
                    "scheduled": s.scheduled,
                    "service_level": s.metrics.service_level,
                    "asa_seconds": _finite(s.metrics.asa_s),
                    "occupancy": s.metrics.occupancy,
                    "p_wait": s.metrics.p_wait,
                    "p_abandon": s.metrics.p_abandon,
                }
            )
    return rows


def _pct(value: float) -> str:
    return f"{100.0 * value:.1f}%"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if math.isfinite(value) else "never"


def _describe(inputs: _Inputs) -> str:
    model = (
        "Erlang C" if inputs.patience_s is None else f"Erlang A (patience {inputs.patience_s:g} s)"
    )
    t = inputs.target
    return (
        f"{model}; AHT {inputs.aht_s:g} s; target {_pct(t.level)} in {t.threshold_s:g} s; "
        f"max occupancy {_pct(inputs.max_occupancy)}; shrinkage {_pct(inputs.shrinkage)}"
    )


def _print_one(rate: float, result: Staffing, inputs: _Inputs) -> None:
    m = result.metrics
    lines = [
        f"{rate:g} arrivals/h = {m.load_erlangs:.2f} Erlangs; {_describe(inputs)}",
        f"  agents needed        {result.agents}",
        f"  scheduled            {result.scheduled}  (after {_pct(inputs.shrinkage)} shrinkage)",
        f"  service level        {_pct(m.service_level)} in {inputs.target.threshold_s:g} s",
        f"  ASA                  {_seconds(m.asa_s)}",
        f"  occupancy            {_pct(m.occupancy)}",
        f"  P(wait)              {_pct(m.p_wait)}",
    ]
    if inputs.patience_s is not None:
        lines.append(f"  P(abandon)           {_pct(m.p_abandon)}")
    typer.echo("\n".join(lines))


def _print_table(path: Path, profile: ArrivalProfile, table: StaffTable, inputs: _Inputs) -> None:
    typer.echo(f"{path}: {profile.total_arrivals} tickets; {_describe(inputs)}")
    header = (
        "tier   hour       arrivals/h  agents  scheduled  service  ASA       occupancy  P(wait)"
    )
    typer.echo(header)
    hidden = 0
    for t, tier in enumerate(profile.tiers):
        for how in range(profile.rates_per_hour.shape[1]):
            rate = float(profile.rates_per_hour[t, how])
            if rate == 0:
                hidden += 1
                continue
            s = table.staffing((t, how))
            m = s.metrics
            typer.echo(
                f"{tier:<6} {hour_label(how)}  {rate:10.2f}  {s.agents:6d}  {s.scheduled:9d}  "
                f"{_pct(m.service_level):>7}  {_seconds(m.asa_s):>8}  {_pct(m.occupancy):>9}  "
                f"{_pct(m.p_wait):>7}"
            )
    if hidden:
        typer.echo(f"({hidden} tier-hours with no arrivals need no agents; --json lists them all)")
