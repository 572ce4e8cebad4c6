"""Replies and their quality: `templates`, the `complaint_frameworks` that guide replies and
the `qa_checklist` (R-QA-1).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tierdesk.policy.schema.base import Identifier, Strict, Text


class TemplateDef(Strict):
    name: Text
    use: Literal[
        "receipt",
        "reply",
        "escalation_notice",
        "resolution",
        "survey",
        "apology",
        "handoff",
        "greeting",
    ] = "reply"
    body: Text


class FrameworkStep(Strict):
    key: str
    text: Text


class Framework(Strict):
    name: Text
    steps: list[FrameworkStep] = Field(min_length=1)
    use_for: list[str] = Field([], description="Categories whose replies it guides.")


class QaItemDef(Strict):
    id: Identifier
    text: Text
    weight: float = Field(1.0, gt=0)
