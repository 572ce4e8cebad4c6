"""Staff notifications (`notifications`): who on the staff is told of what, folding and
what ignores quiet hours.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from tierdesk.domain.model import Signal
from tierdesk.domain.notify_rules import NoticeKind
from tierdesk.policy.schema.base import Duration, PriorityId, Strict, Text


class NotificationRuleDef(Strict):
    """Who on the staff is told of what (seed 004's "who to notify")."""

    id: str = Field(description="Rule ID, e.g. N-PRI-1.")
    on: NoticeKind = Field(
        description=(
            "The event: ticket_priority (a ticket opened with or moved to a priority), "
            "escalation, sla_warning, sla_breach, approval (a request waits), policy_version "
            "(a new version to acknowledge), incident (declared)."
        )
    )
    notify: list[str] = Field(
        min_length=1,
        description=(
            "Roles, tiers (their agents), teams (see `teams`), `assignee`, `deciders` (the "
            "role an approval waits for), `agents`, `staff` or `user:NAME`."
        ),
    )
    priorities: list[PriorityId] = Field([], description="Only tickets of these priorities.")
    targets: list[str] = Field([], description="Escalations: only those to one of these.")
    signals: list[Signal] = Field([], description="Only tickets with one of these signals.")
    urgent: bool = Field(False, description="Ignore quiet hours for these notices.")
    description: Text | None = Field(None, description="What the rule is for, printed in the SOP.")


class NotificationSettings(Strict):
    """Staff notifications: the rules, folding and what ignores quiet hours."""

    rules: list[NotificationRuleDef] = Field(
        [], description="Who is told of what; every rule that matches an event tells its people."
    )
    fold_within: Duration = Field(
        timedelta(minutes=30),
        description="Notices to one person about one ticket within this time fold into one.",
    )
    urgent_priorities: list[PriorityId] = Field(
        ["P1"], description="Notices about tickets of these priorities ignore quiet hours."
    )
    urgent_signals: list[Signal] = Field(
        [Signal.SAFETY_ISSUE], description="Notices about tickets with these signals too."
    )
    teams: dict[str, list[str]] = Field(
        {},
        description=(
            "Who a team (or a name such as cto_founder) means in `notify`: roles or user:NAME."
        ),
    )
