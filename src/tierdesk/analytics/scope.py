"""What a report covers: a time range and the filters, and the tables it reads."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tierdesk.domain.calendar import require_aware
from tierdesk.domain.errors import DomainError


class ScopeError(DomainError):
    """A report range or filter that cannot be measured (says which and why)."""

    code = "invalid_scope"


# Business time is measured over a table of the calendars' days from the range to now, so a
# range must be one a helpdesk can have: within these years, at most MAX_SPAN long (its previous
# period, for the trend, is as long again), and reaching at most MAX_REACH from now.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_SPAN = timedelta(days=5 * 366)
MAX_REACH = timedelta(days=11 * 366)


def check_reach(scope: Scope, now: datetime) -> None:
    """ScopeError when `scope` lies further than MAX_REACH from `now`: the days between them
    are what business time is measured over (a five-year report's previous period still fits)."""
    lo = min(scope.since, now)
    hi = max(scope.until, now)
    if hi - lo > MAX_REACH:
        raise ScopeError(
            f"a report reaches at most {MAX_REACH.days} days from now ({now.date()}); "
            f"{scope.since.isoformat()} to {scope.until.isoformat()} is further"
        )


@dataclass(frozen=True)
class Scope:
    """Tickets created in [since, until), narrowed by the filters (an empty tuple: any).
    `team` is the ticket's queue, `agent` its assignee's user id."""

    since: datetime
    until: datetime
    channel: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    agent: tuple[str, ...] = ()
    category: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        require_aware(self.since, "since")
        require_aware(self.until, "until")
        if self.until <= self.since:
            raise ScopeError(
                f"until ({self.until.isoformat()}) must be after since ({self.since.isoformat()})"
            )
        if self.since < EARLIEST or self.until > LATEST:
            raise ScopeError(
                f"a report covers {EARLIEST.date()} to {LATEST.date()}; "
                f"{self.since.isoformat()} to {self.until.isoformat()} is outside it"
            )
        if self.until - self.since > MAX_SPAN:
            raise ScopeError(
                f"a report covers at most {MAX_SPAN.days} days; "
                f"{self.since.isoformat()} to {self.until.isoformat()} is longer"
            )

    def previous(self) -> Scope:
        """The period of the same length just before this one, with the same filters."""
        return replace(self, since=self.since - (self.until - self.since), until=self.since)

    def filters(self) -> dict[str, list[str]]:
        """The filters that are set, by name (for the report's header)."""
        names = ("channel", "tier", "team", "agent", "category")
        return {n: list(getattr(self, n)) for n in names if getattr(self, n)}


@dataclass(frozen=True)
class Tables:
    """The store's tables the metrics read (the composition root passes
    `tierdesk.adapters.db.tables`; the Parquet path passes tables of the same shape)."""

    tickets: sa.Table
    ticket_events: sa.Table
    messages: sa.Table
    calls: sa.Table
    escalations: sa.Table
    extra: dict[str, sa.Table] = field(default_factory=dict)
