"""What every SOP builder needs: the policy, its compiled rules, the language and formatting.

Durations in an SOP are printed in hours at most (`72 h`, not `3 days`): on a business clock a
target counts business hours, and the seeds write their targets in hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from tierdesk.domain.durations import format_duration
from tierdesk.domain.model import LocalText, money_text
from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy.compile import text as local_text
from tierdesk.policy.schema import Policy, Text
from tierdesk.sop.live import LiveData
from tierdesk.sop.messages import Messages


@dataclass(frozen=True)
class Ctx:
    """The policy being printed, in one language, for one business name."""

    policy: Policy
    rules: Rulebook
    msg: Messages
    business: str
    team_sizes: Mapping[str, int] = field(default_factory=dict)  # `auto` tiers sized by Erlang C
    live: LiveData | None = None  # measured values (`sop render --with-data`)
    # The checker's findings on the policy (`Finding`s or their stored JSON): the appendix
    # opens with its warnings.
    findings: tuple[Any, ...] = ()

    @property
    def lang(self) -> str:
        return self.msg.lang

    def text(self, value: Text | None) -> str:
        """Policy text in this language (falling back to English, then any language)."""
        return local_text(value).get(self.lang)

    def local(self, value: LocalText) -> str:
        return value.get(self.lang)

    def duration(self, value: timedelta) -> str:
        return format_duration(value, self.lang, largest_unit="hour")

    def on_clock(self, value: timedelta | None, clock: str) -> str:
        """`15 min (24x7)`, `1 h (business hours)`; a dash when there is no target."""
        if value is None:
            return self.msg("values.none")
        return self.msg(
            "values.with_clock", duration=self.duration(value), clock=self.clock_label(clock)
        )

    def clock_label(self, name: str) -> str:
        """How a calendar is called in the document: 24x7, or business hours (+ its name if
        several calendars of that kind exist)."""
        cals = self.policy.calendars
        cal = cals[name]
        key = "values.clock_24x7" if cal.always_open else "values.clock_business"
        same_kind = [n for n, c in cals.items() if c.always_open == cal.always_open]
        label = self.msg(key)
        return label if len(same_kind) == 1 else f"{label}: {name}"

    def role(self, role: str) -> str:
        try:
            return self.msg(f"roles.{role}")
        except KeyError:
            return role.replace("_", " ").title()

    def target(self, target: str) -> str:
        """A tier (L2), a team (its name) or a role (its title)."""
        if target in self.policy.tiers:
            return target
        team = self.policy.teams.get(target)
        if team is not None:
            return self.text(team.name)
        return self.role(target)

    def targets(self, targets: tuple[str, ...] | list[str]) -> str:
        if not targets:
            return self.msg("values.none")
        return self.msg("values.target_sep").join(self.target(t) for t in targets)

    def join(self, items: list[str] | tuple[str, ...]) -> str:
        return self.msg("values.list_sep").join(items) if items else self.msg("values.none")

    def money(self, amount: Decimal, currency: str) -> str:
        return money_text(amount, currency)

    def percent(self, fraction: float | Decimal) -> str:
        value = f"{float(fraction) * 100:.1f}".rstrip("0").rstrip(".")
        return f"{value}%"
