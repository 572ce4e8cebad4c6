"""The printed SOP as plain data: titled sections of tables, paragraphs, lists and a flowchart.

Builders (`cs_sop`, `full_sop`) fill it with text that is already localized and formatted; the
Markdown and HTML templates only lay it out, so every table is computed once for every format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from tierdesk.sop.flowchart import Flow


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    style: Literal["", "labels", "keyvalue", "checklist", "signatures"] = ""
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Literal["", "note", "warning", "lead"] = ""
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]
    style: Literal["bullet", "numbered", "checkbox"] = "bullet"
    kind: ClassVar[str] = "items"


@dataclass(frozen=True)
class Flowchart:
    flow: Flow
    kind: ClassVar[str] = "flowchart"


Block = Table | Paragraph | Items | Flowchart


@dataclass(frozen=True)
class Section:
    title: str
    level: int  # 2 for `##`, 3 for `###`
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class SopDocument:
    title: str
    meta: str  # version, effective date, owner, approver on one line; may be empty
    lang: str
    business: str
    sections: tuple[Section, ...]
