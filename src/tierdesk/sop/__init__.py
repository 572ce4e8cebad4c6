"""The printed SOP (R-DOC-1, R-DOC-2): Markdown, HTML and PDF, in English and Traditional Chinese.

`render(policy, fmt="md"|"html"|"pdf", lang="en"|"zh-TW", business=None)` is the entry point;
`build_document` gives the same content as plain data.
"""

from __future__ import annotations

from tierdesk.sop.messages import LANGS
from tierdesk.sop.render import FORMATS, SopRenderError, build_document, render

__all__ = ["FORMATS", "LANGS", "SopRenderError", "build_document", "render"]
