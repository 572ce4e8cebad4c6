"""Response templates: placeholders and rendering (R-TPL-1). Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "name",
        "issue",
        "ticket_id",
        "agent",
        "business",
        "action",
        "timeline",
        "next_steps",
        "expected_resolution",
        "priority",
        "tier",
        "category",
        "first_response_due",
        "resolution_due",
        "survey_link",
        "escalated_to",
    }
)

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders_in(text: str) -> list[str]:
    """Placeholder names in order of appearance, e.g. `Hi {name}` -> ['name']."""
    return [m.group(1).strip() for m in _PLACEHOLDER.finditer(text)]


def unknown_placeholders(text: str) -> list[str]:
    return [p for p in placeholders_in(text) if p not in PLACEHOLDERS]


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill placeholders; a placeholder without a value is left visible, never silently blank."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), text)
