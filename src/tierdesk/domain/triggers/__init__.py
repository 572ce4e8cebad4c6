"""Escalation triggers: one module per kind, registered here, the one table every reader uses.

The sweeper and every command (`escalation.evaluate`), triage (`at_intake`), the policy compiler
and checker (`compile`, `check`) and the printed SOP's flowchart (`question`) all look a rule's
kind up in `REGISTRY`. A new kind is one new module here (its `KIND`, see `base.TriggerKind`),
one line below, and its policy schema beside the others in `tierdesk.policy.schema.triggers` (the
schema is pydantic, which the pure domain may not import). The decision matrix (R-ESC-6) is
`matrix.py`.
"""

from __future__ import annotations

from tierdesk.domain.triggers import refund_over_authority, repeat_contact, signal, time_in_tier
from tierdesk.domain.triggers.base import Fired, IntakeFacts, PolicyFacts, TriggerKind, Words

REGISTRY: dict[str, TriggerKind] = {
    k.name: k
    for k in (time_in_tier.KIND, signal.KIND, refund_over_authority.KIND, repeat_contact.KIND)
}

__all__ = ["REGISTRY", "Fired", "IntakeFacts", "PolicyFacts", "TriggerKind", "Words"]
