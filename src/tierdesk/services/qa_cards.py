"""Agent scorecards from stored QA reviews, in one pass over the rows (no rescoring).

Per agent (and for everyone together): tickets scored (every stored review) and reviewed (a
QA specialist overrode an item or confirmed the score), the mean score of the scored ones with
the overrides in force, each checklist item's pass rate (passed / decided: items the text could
not show and no one decided are left out), the replies sent as unedited templates, and the
mean score per week (weeks start on Monday in the policy's time zone).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tierdesk.services.qa_records import QaReviewRecord


@dataclass(frozen=True)
class ItemRate:
    id: str
    passed: int
    decided: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.decided if self.decided else None


@dataclass(frozen=True)
class WeekScore:
    week: date  # the Monday
    scored: int
    mean_score: float | None


@dataclass(frozen=True)
class Scorecard:
    agent_id: str | None  # None: no agent (an unassigned ticket without replies)
    name: str
    scored: int
    reviewed: int
    mean_score: float | None
    items: tuple[ItemRate, ...]
    weeks: tuple[WeekScore, ...]
    unedited_templates: int


@dataclass(frozen=True)
class Scorecards:
    since: datetime
    until: datetime
    items: tuple[str, ...]  # the item ids, in checklist order (then any other scored)
    agents: tuple[Scorecard, ...]  # by name
    everyone: Scorecard


@dataclass
class _Tally:
    scored: int = 0
    reviewed: int = 0
    score_sum: float = 0.0
    score_n: int = 0
    unedited: int = 0
    passed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    decided: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    weeks: dict[date, list[float]] = field(default_factory=lambda: defaultdict(list))
    week_n: dict[date, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, r: QaReviewRecord, week: date) -> None:
        self.scored += 1
        self.reviewed += r.reviewed_at is not None
        self.week_n[week] += 1
        if r.score is not None:
            self.score_sum += r.score
            self.score_n += 1
            self.weeks[week].append(r.score)
        self.unedited += len(r.result.get("unedited", ()))
        for item_id, passed in r.verdicts.items():
            if passed is not None:
                self.decided[item_id] += 1
                self.passed[item_id] += bool(passed)

    def card(self, agent_id: str | None, name: str, items: Sequence[str]) -> Scorecard:
        return Scorecard(
            agent_id=agent_id,
            name=name,
            scored=self.scored,
            reviewed=self.reviewed,
            mean_score=self.score_sum / self.score_n if self.score_n else None,
            items=tuple(ItemRate(i, self.passed[i], self.decided[i]) for i in items),
            weeks=tuple(
                WeekScore(w, self.week_n[w], _mean(self.weeks[w])) for w in sorted(self.week_n)
            ),
            unedited_templates=self.unedited,
        )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def monday(at: datetime, zone: str) -> date:
    """The Monday of the week holding `at`, in `zone`."""
    day = at.astimezone(ZoneInfo(zone)).date()
    return day - timedelta(days=day.weekday())


def cards(
    rows: Iterable[QaReviewRecord],
    *,
    since: datetime,
    until: datetime,
    items: Sequence[str],
    names: Mapping[str, str],
    zone: str,
) -> Scorecards:
    """The scorecards of `rows` (see the module doc); `items` are the checklist's ids."""
    per: dict[str | None, _Tally] = defaultdict(_Tally)
    everyone = _Tally()
    seen: dict[str, None] = dict.fromkeys(items)
    for r in rows:
        week = monday(r.closed_at, zone)
        per[r.agent_id].add(r, week)
        everyone.add(r, week)
        seen.update(dict.fromkeys(r.verdicts))
    ids = tuple(seen)
    agents = sorted(
        (t.card(a, names.get(a, a) if a else "", ids) for a, t in per.items()),
        key=lambda c: (c.agent_id is None, c.name.casefold(), c.agent_id or ""),
    )
    return Scorecards(since, until, ids, tuple(agents), everyone.card(None, "", ids))
