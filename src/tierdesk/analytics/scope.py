"""What a report covers: a time range and the filters, and the tables it reads."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa

from tierdesk.domain.calendar import require_aware


class ScopeError(ValueError):
    """A report range or filter that cannot be measured (says which and why)."""


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
