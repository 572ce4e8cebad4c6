"""Shared pieces of the policy schema: the `Strict` base model (unknown keys are errors) and
the value types every section uses: durations, percentages, text in one or two languages,
identifiers, tier and priority ids, currency codes.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from tierdesk.domain.durations import compact_duration, parse_duration


class Strict(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(v: Any) -> timedelta:
    return parse_duration(v)


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(compact_duration, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["15m", "4h", "4h30m", "2d"]}),
]


def _percent(v: Any) -> Decimal:
    if isinstance(v, str):
        s = v.strip()
        if not s.endswith("%"):
            raise ValueError(f"{v!r} is not a percentage; write e.g. 80%")
        return Decimal(s[:-1].strip()) / 100
    if isinstance(v, int | float | Decimal) and not isinstance(v, bool):
        d = Decimal(str(v))
        return d / 100 if d > 1 else d
    raise ValueError(f"{v!r} is not a percentage; write e.g. 80%")


Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    Field(ge=0, le=1),
    PlainSerializer(lambda d: f"{(d * 100).normalize():f}%", return_type=str),
    WithJsonSchema({"type": "string", "examples": ["80%", "15%"]}),
]


def _text(v: Any) -> str | dict[str, str]:
    if isinstance(v, str):
        return v
    if isinstance(v, dict) and v and all(isinstance(t, str) for t in v.values()):
        unknown = [k for k in v if k not in ("en", "zh-TW")]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; use en or zh-TW")
        return dict(v)
    raise ValueError("expected text, or a mapping of language (en, zh-TW) to text")


Text = Annotated[
    str | dict[str, str],
    PlainValidator(_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"en": {"type": "string"}, "zh-TW": {"type": "string"}},
                },
            ],
            "description": "Plain text, or a mapping of language (en, zh-TW) to text.",
        }
    ),
]

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
TierId = Annotated[str, Field(pattern=r"^L[1-9]$")]
PriorityId = Annotated[str, Field(pattern=r"^P[1-9]$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. TWD.")]
