"""Metric targets as written in an SOP (`> 70%`, `> 4.2/5`, `< 8m`, `> 80% in 60s`)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Literal, cast

from tierdesk.domain.durations import DurationError, parse_duration
from tierdesk.domain.errors import DomainError
from tierdesk.domain.model import LocalText
from tierdesk.domain.rulebook import MetricTarget

Op = Literal["<", "<=", ">", ">="]
_TARGET = re.compile(r"^\s*(<=|>=|<|>)\s*(.+?)\s*$")

METRIC_LABELS: dict[str, LocalText] = {
    "fcr": LocalText.of("First Contact Resolution", "首次聯繫解決率"),
    "csat": LocalText.of("CSAT", "顧客滿意度 (CSAT)"),
    "nps": LocalText.of("Net Promoter Score", "淨推薦值 (NPS)"),
    "aht": LocalText.of("Average Handle Time", "平均處理時間"),
    "avg_response_time": LocalText.of("Avg Response Time", "平均回覆時間"),
    "email_response_time": LocalText.of("Email Response Time", "電子郵件回覆時間"),
    "resolution_time": LocalText.of("Resolution Time", "解決時間"),
    "escalation_rate": LocalText.of("Escalation Rate", "升級率"),
    "service_level": LocalText.of("Service Level (calls)", "服務水準 (電話)"),
    "sla_attainment": LocalText.of("SLA Attainment", "SLA 達成率"),
    "qa_score": LocalText.of("QA Score", "品質評分"),
}


class MetricTargetError(DomainError):
    code = "invalid_metric_target"


def parse_metric_target(metric_id: str, text: str) -> MetricTarget:
    """Parse `> 70%` into a MetricTarget; raise MetricTargetError saying what is accepted."""
    m = _TARGET.match(text)
    if m is None:
        raise MetricTargetError(
            f"{text!r} is not a measurable target; write e.g. '> 70%' or '< 8m'"
        )
    op = cast(Op, m.group(1))
    body = m.group(2)
    unit, value = _value(body, text)
    label = METRIC_LABELS.get(metric_id, LocalText.of(metric_id))
    return MetricTarget(metric_id, label, op, value, unit, f"{op} {body}")


def _value(body: str, text: str) -> tuple[str, Decimal]:
    try:
        if " in " in body:  # service level: "80% in 60s"
            pct, _, threshold = body.partition(" in ")
            parse_duration(threshold)
            return "service_level", Decimal(pct.strip().rstrip("%")) / 100
        if body.endswith("%"):
            return "percent", Decimal(body[:-1].strip()) / 100
        if body.endswith("/5"):
            return "score5", Decimal(body[:-2].strip())
        if re.fullmatch(r"-?\d+(\.\d+)?", body):
            return "number", Decimal(body)
        return "seconds", Decimal(int(parse_duration(body).total_seconds()))
    except (InvalidOperation, DurationError):
        raise MetricTargetError(
            f"{text!r} is not a measurable target; write e.g. '> 70%', '> 4.2/5', '< 8m'"
        ) from None
