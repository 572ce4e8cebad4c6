"""Decisions the rules engine returns. Each carries human-readable reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tierdesk.domain.model import Money, Signal


@dataclass(frozen=True)
class TriageDecision:
    """Text in, decision out: the triage JSON interface of PRODUCT.md.

    `confidence` is in [0, 1]. `intent` is set only when a learned classifier was used.
    `needs_human` is True when confidence is under the policy's threshold: a person triages.
    """

    category: str
    priority: str
    tier: str
    signals: tuple[Signal, ...]
    refund: Money | None
    escalate_to: tuple[str, ...]
    confidence: float
    reasons: tuple[str, ...]
    intent: str | None = None
    needs_human: bool = False
    extra: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON object of `tierdesk triage --json`."""
        out: dict[str, Any] = {
            "category": self.category,
            "priority": self.priority,
            "tier": self.tier,
            "signals": [s.value for s in self.signals],
            "refund": (
                None
                if self.refund is None
                else {"amount": float(self.refund.amount), "currency": self.refund.currency}
            ),
            "escalate_to": list(self.escalate_to),
            "confidence": round(self.confidence, 4),
            "reasons": list(self.reasons),
        }
        if self.intent is not None:
            out["intent"] = self.intent
        if self.needs_human:
            out["needs_human"] = True
        return out
