"""Knowledge-base articles as HTML: Markdown (CommonMark with tables and strikethrough,
markdown-it-py; raw HTML in the Markdown is not passed through) cleaned by nh3 like every other
document shown on a page (`tierdesk.web.sanitize.document_html`)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from tierdesk.web.sanitize import document_html

_MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_SPACES = re.compile(r"[ \t]+")


def article_html(markdown: str) -> str:
    """Safe HTML of an article's Markdown."""
    return document_html(_MD.render(markdown))


def excerpt(markdown: str, length: int = 160) -> str:
    """The start of an article as plain text (Markdown marks dropped), for result lists."""
    parts: list[str] = []
    for token in _MD.parse(markdown):
        if token.type == "inline" and token.children:
            parts += [c.content for c in token.children if c.type in ("text", "code_inline")]
            parts.append(" ")
    text = _SPACES.sub(" ", "".join(parts)).strip()
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
