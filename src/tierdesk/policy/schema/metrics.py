"""What is measured: the `metrics` with their targets and the CSAT/NPS survey (`surveys`,
R-PROC-1).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from tierdesk.policy.schema.base import Duration, Strict, Text

MetricId = Literal[
    "fcr",
    "csat",
    "nps",
    "aht",
    "avg_response_time",
    "email_response_time",
    "resolution_time",
    "escalation_rate",
    "service_level",
    "sla_attainment",
    "qa_score",
]


class MetricDef(Strict):
    id: MetricId
    target: str = Field(description="e.g. `> 70%`, `> 4.2/5`, `> 50`, `< 8m`, `> 80% in 60s`.")
    label: Text | None = None


class SurveySettings(Strict):
    """The CSAT/NPS survey sent when a ticket is closed (R-PROC-1), as its page asks it."""

    expires_after: Duration = Field(
        timedelta(days=14),
        description="How long a survey link can be answered after it was sent, e.g. 14d.",
    )
    csat_question: Text = Field(
        {
            "en": "How satisfied are you with how we handled your request?",
            "zh-TW": "您對我們這次處理您的問題滿意嗎？",
        },
        description="The CSAT question (answered 1-5).",
    )
    nps_question: Text = Field(
        {
            "en": "How likely are you to recommend us to a friend or colleague?",
            "zh-TW": "您有多大可能向朋友或同事推薦我們？",
        },
        description="The NPS question (answered 0-10).",
    )
