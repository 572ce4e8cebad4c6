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
# A placeholder an agent could have left in a reply: `{name}`, `{ next_steps }`.
_LEFT_OVER = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")
_END_MARK = ".!?。！？…"
_STOPS = ".。"
# en: a greeting whose name is unknown reads "Hi there," / "Dear customer,".
_GREETING_EN = re.compile(r"\b(hi|hello|hey|dear)\s*$", re.IGNORECASE)
_NAMELESS_EN = {"hi": "there", "hello": "there", "hey": "there", "dear": "customer"}


_TAG = re.compile(r"<[^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")
NAME_MAX = 200


def plain_value(value: str) -> str:
    """A placeholder value as plain text: markup tags and control characters removed, line
    breaks folded into one space. What a customer typed (a name, a subject) fills a message
    only this way, so it can neither add markup nor lines to what others receive (the HTML
    alternative of a mail escapes the whole text as well)."""
    text = _TAG.sub("", value)
    text = _CONTROL.sub("", text)
    return _LINE_BREAKS.sub(" ", text).strip()


def plain_name(name: str) -> str:
    """A customer's name as stored from any channel: plain text, at most NAME_MAX."""
    return plain_value(name)[:NAME_MAX].strip()


def placeholders_in(text: str) -> list[str]:
    """Placeholder names in order of appearance, e.g. `Hi {name}` -> ['name']."""
    return [m.group(1).strip() for m in _PLACEHOLDER.finditer(text)]


def unfilled(text: str) -> list[str]:
    """The placeholders still in a text meant for a customer (each once, in order), e.g.
    `Hi {name}, ... {action}` -> ['name', 'action']. A reply holding any is refused."""
    return list(dict.fromkeys(m.group(1) for m in _LEFT_OVER.finditer(text)))


def unknown_placeholders(text: str) -> list[str]:
    return [p for p in placeholders_in(text) if p not in PLACEHOLDERS]


def render(text: str, values: Mapping[str, str], lang: str = "en") -> str:
    """Fill placeholders so that the result reads naturally (R-TPL-1).

    A placeholder without a value is left visible, never silently blank. One whose value is
    empty goes with the space around it; an empty `{name}` after an English greeting reads
    "Hi there," ("Dear customer,"), in Chinese the greeting stands alone ("您好，"). A value
    ending a sentence ("Example Co.") is not followed by a second full stop. Values are
    filled as plain text (`plain_value`): markup and line breaks never come through."""
    parts = _PLACEHOLDER.split(text)
    out = parts[0]
    for i in range(1, len(parts), 2):
        key, after = parts[i].strip(), parts[i + 1]
        if key not in values:
            out += "{" + parts[i] + "}" + after
            continue
        value = plain_value(values[key])
        if not value and key == "name":
            value = _nameless(out, lang)
        if not value:
            out, after = _close_gap(out, after)
        elif value[-1] in _END_MARK and after[:1] in _STOPS:
            after = after[1:]
        out += value + after
    return out


def _nameless(before: str, lang: str) -> str:
    if lang != "en":
        return ""
    greeting = _GREETING_EN.search(before)
    return _NAMELESS_EN[greeting.group(1).lower()] if greeting else ""


def _close_gap(before: str, after: str) -> tuple[str, str]:
    """Text around an empty value: no doubled or dangling space, no space before punctuation,
    nothing left at the start of a line but the text that follows."""
    line_start = before == "" or before.endswith("\n")
    if line_start or before.endswith((" ", "\t")):
        after = after.lstrip(" \t")
    if after[:1] in ",，" and (line_start or before.rstrip(" \t")[-1:] in _END_MARK):
        after = after[1:].lstrip(" \t")
    if after == "" or after[:1] in "\n.,;:!?。，；：！？）)":
        before = before.rstrip(" \t")
    return before, after
