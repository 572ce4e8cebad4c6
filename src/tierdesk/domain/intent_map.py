"""What a learned intent means for triage: its category, priority, tier and escalation signal.

The classifier names fine-grained intents (e.g. Banking77's `lost_or_stolen_card`); an intent map
turns each into the coarse triage vocabulary the policy speaks. Pure standard library: reading the
map from a file is an adapter's job (`tierdesk.bootstrap.load_intent_map`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tierdesk.domain.errors import DomainError
from tierdesk.domain.model import Signal

_PRIORITY = re.compile(r"P[1-9]")
_TIER = re.compile(r"L[1-9]")
_SIGNALS = frozenset(s.value for s in Signal)


class IntentMapError(DomainError):
    """An intent map (or one of its rows) is malformed; the message says where and why."""

    code = "invalid_intent_map"


@dataclass(frozen=True)
class IntentMapping:
    """Triage meaning of one intent. Invariants are checked on construction.

    `priority` is P1-P9 (P1 most urgent), `tier` is L1-L9, `escalation_signal` is None or one of
    the `Signal` values. Raises IntentMapError naming the offending field otherwise.
    """

    category: str
    priority: str
    tier: str
    escalation_signal: str | None = None

    def __post_init__(self) -> None:
        if not self.category.strip():
            raise IntentMapError("category is empty")
        if _PRIORITY.fullmatch(self.priority) is None:
            raise IntentMapError(f"priority {self.priority!r} is not P1-P9")
        if _TIER.fullmatch(self.tier) is None:
            raise IntentMapError(f"tier {self.tier!r} is not L1-L9")
        if self.escalation_signal is not None and self.escalation_signal not in _SIGNALS:
            known = ", ".join(sorted(_SIGNALS))
            raise IntentMapError(
                f"escalation_signal {self.escalation_signal!r} is not one of: {known}"
            )
