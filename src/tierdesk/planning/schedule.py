"""Staff for a simulation: `L1=8,L2=3,L3=1`, handling times `L1=6m,...`, and shift schedules.

A shift schedule gives agents per tier for hours of the week, as CSV (`days,hours,L1,L2,...`,
one column per tier) or YAML (`shifts: [{days: Mon-Fri, hours: 09-18, staff: {L1: 8}}]` with an
optional `timezone`). `days` is `Mon`, `Mon-Fri`, `Sat,Sun` or `*`; `hours` is `9`, `09-18`
(from 09:00 up to 18:00) or `*`. Later rows win; hours no row covers keep the `--staff` figure
(0 without one). Hours of the week are on the schedule's time zone (default: the policy's
business calendar). Every parser raises `ScheduleError` naming the option or FILE:LINE.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from tierdesk.domain.errors import DomainError
from tierdesk.planning.history import HOURS_PER_WEEK, WEEKDAYS
from tierdesk.planning.parsing import parse_duration_s

IntArray = npt.NDArray[np.int64]

DEFAULT_AHT = "L1=6m,L2=15m,L3=30m"
_PAIR = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=\s*(\S.*?)\s*$")
_HOURS = re.compile(r"^\s*(\d{1,2})(?::00)?\s*(?:-\s*(\d{1,2})(?::00)?)?\s*$")


class ScheduleError(DomainError):
    """Bad staff, handling-time or schedule input; the message names where."""

    code = "bad_schedule"


@dataclass(frozen=True)
class ShiftRow:
    """Agents per tier on some days and hours; `where` is FILE:LINE."""

    days: frozenset[int]
    hours: frozenset[int]
    staff: tuple[tuple[str, int], ...]
    where: str


@dataclass(frozen=True)
class StaffSchedule:
    """Shift rows in file order, and the time zone of their hours (None: the policy's)."""

    rows: tuple[ShiftRow, ...]
    timezone: str | None = None
    source: str = ""
    tiers: frozenset[str] = field(default_factory=frozenset)

    def matrix(self, tiers: Sequence[str], fallback: Mapping[str, int] | None) -> IntArray:
        """Agents per tier (rows, in `tiers` order) and hour of week (168 columns). Raises
        ScheduleError when the schedule names a tier the policy does not have."""
        unknown = sorted(self.tiers - set(tiers))
        if unknown:
            raise ScheduleError(
                f"{self.source}: tier(s) {', '.join(unknown)} not in the policy "
                f"(tiers: {', '.join(tiers)})"
            )
        base = [(fallback or {}).get(t, 0) for t in tiers]
        out = np.repeat(np.asarray(base, dtype=np.int64)[:, None], HOURS_PER_WEEK, axis=1)
        for row in self.rows:
            cells = [d * 24 + h for d in row.days for h in row.hours]
            for tier, n in row.staff:
                out[tiers.index(tier), cells] = n
        return out


def parse_pairs(text: str, option: str) -> dict[str, str]:
    """`L1=8,L2=3` as {"L1": "8", "L2": "3"}; ScheduleError naming `option` when malformed or
    a tier is given twice."""
    out: dict[str, str] = {}
    for part in text.split(","):
        m = _PAIR.match(part)
        if m is None:
            raise ScheduleError(f"{option}: {part.strip()!r} is not TIER=VALUE (e.g. L1=8)")
        if m.group(1) in out:
            raise ScheduleError(f"{option}: tier {m.group(1)} is given twice")
        out[m.group(1)] = m.group(2)
    return out


def parse_staff(text: str) -> dict[str, int]:
    """Agents per tier from `L1=8,L2=3,L3=1` (whole numbers >= 0)."""
    return {t: _count(v, f"--staff: {t}") for t, v in parse_pairs(text, "--staff").items()}


def parse_aht(text: str) -> dict[str, float]:
    """Average handling time per tier in seconds from `L1=6m,L2=15m,L3=30m`."""
    out: dict[str, float] = {}
    for tier, value in parse_pairs(text, "--aht").items():
        try:
            out[tier] = parse_duration_s(value)
        except ValueError as exc:
            raise ScheduleError(f"--aht: {tier}: {exc}") from None
    return out


def per_tier(
    values: Mapping[str, Any], tiers: Sequence[str], option: str, business: str
) -> list[Any]:
    """`values` in tier order; ScheduleError for a tier the policy lacks or one left out."""
    unknown = sorted(set(values) - set(tiers))
    if unknown:
        raise ScheduleError(
            f"{option}: unknown tier(s) {', '.join(unknown)}; the policy of {business} has "
            f"{', '.join(tiers)}"
        )
    missing = [t for t in tiers if t not in values]
    if missing:
        raise ScheduleError(f"{option}: no value for tier(s) {', '.join(missing)} of {business}")
    return [values[t] for t in tiers]


def parse_schedule_csv(lines: Iterable[str], source: str) -> StaffSchedule:
    """A schedule from CSV: header `days,hours,<tier>...`, one row per shift."""
    reader = csv.DictReader(iter(lines))
    try:
        header = list(reader.fieldnames or [])
        if "days" not in header or "hours" not in header or len(header) < 3:
            raise ScheduleError(f"{source}:1: the header must be days,hours,<tier>,...")
        tiers = [h for h in header if h not in ("days", "hours")]
        rows = []
        for rec in reader:
            where = f"{source}:{reader.line_num}"
            staff = {t: rec[t] for t in tiers if (rec.get(t) or "").strip()}
            rows.append(_row(rec.get("days"), rec.get("hours"), staff, where))
    except csv.Error as exc:
        raise ScheduleError(f"{source}:{reader.line_num}: not CSV: {exc}") from None
    return _schedule(rows, None, source)


def parse_schedule_yaml(text: str, source: str) -> StaffSchedule:
    """A schedule from YAML: `shifts:` (a list of {days, hours, staff: {tier: n}}) and an
    optional `timezone`."""
    try:
        doc = YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise ScheduleError(f"{source}: not YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("shifts"), list):
        raise ScheduleError(f"{source}:1: expected a mapping with a `shifts:` list")
    extra = sorted(set(doc) - {"shifts", "timezone"})
    if extra:
        raise ScheduleError(f"{source}:1: unknown key(s) {', '.join(map(str, extra))}")
    rows = []
    for i, item in enumerate(doc["shifts"]):
        where = f"{source}:{doc['shifts'].lc.item(i)[0] + 1}"
        if not isinstance(item, dict) or not isinstance(item.get("staff"), dict):
            raise ScheduleError(f"{where}: a shift needs days, hours and staff: {{L1: 8, ...}}")
        bad = sorted(set(item) - {"days", "hours", "staff"})
        if bad:
            raise ScheduleError(f"{where}: unknown key(s) {', '.join(map(str, bad))}")
        staff = {str(k): str(v) for k, v in item["staff"].items()}
        rows.append(_row(_text(item.get("days")), _text(item.get("hours")), staff, where))
    tz = doc.get("timezone")
    return _schedule(rows, None if tz is None else str(tz), source)


def _schedule(rows: list[ShiftRow], tz: str | None, source: str) -> StaffSchedule:
    if not rows:
        raise ScheduleError(f"{source}: no shifts in the schedule")
    tiers = frozenset(t for r in rows for t, _ in r.staff)
    return StaffSchedule(tuple(rows), tz, source, tiers)


def _row(days: str | None, hours: str | None, staff: Mapping[str, str], where: str) -> ShiftRow:
    counts = tuple((t, _count(v, f"{where}: {t}")) for t, v in staff.items())
    return ShiftRow(_days(days or "", where), _hours(hours or "", where), counts, where)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _count(value: str, where: str) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise ScheduleError(f"{where}: {text!r} is not a whole number of agents (>= 0)")
    return int(text)


def _days(text: str, where: str) -> frozenset[int]:
    spec = text.strip()
    if spec in ("*", "all"):
        return frozenset(range(7))
    names = [d.lower() for d in WEEKDAYS]
    out: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        ends = part.lower().split("-")
        if not part or len(ends) > 2 or any(e[:3] not in names for e in ends):
            raise ScheduleError(f"{where}: days {text!r}: use e.g. Mon, Mon-Fri, Sat,Sun or *")
        a, b = names.index(ends[0][:3]), names.index(ends[-1][:3])
        out.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(out)


def _hours(text: str, where: str) -> frozenset[int]:
    if text.strip() in ("*", "all"):
        return frozenset(range(24))
    m = _HOURS.match(text)
    start = int(m.group(1)) if m else -1
    end = int(m.group(2)) if m and m.group(2) is not None else start + 1
    if m is None or not 0 <= start < end <= 24:
        raise ScheduleError(f"{where}: hours {text!r}: use e.g. 9, 09-18 (up to 18:00) or *")
    return frozenset(range(start, end))
