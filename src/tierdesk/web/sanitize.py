"""Customer HTML made safe to show (nh3, the Rust `ammonia` sanitizer).

Scripts, event handlers, styles, forms and frames are removed; links keep only http(s) and
mailto targets and get `rel="noopener noreferrer"`; images from outside are not loaded: their
`src` becomes `data-src`, and the console's script shows a button that loads one on a click.
Plain text goes through the same path (a lone `<` is escaped), shown with its line breaks.
"""

from __future__ import annotations

import re

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "q", "s", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# nh3 writes attribute values in double quotes with `"` escaped, so this matches whole tags.
_IMG = re.compile(r'<img\b((?:\s+[\w:-]+="[^"]*")*)\s*/?>')


def _defer(match: re.Match[str]) -> str:
    attrs = match.group(1).replace(' src="', ' data-src="')
    if ' alt="' not in attrs:
        attrs += ' alt=""'
    return f'<img{attrs} class="held">'  # `class` is never allowed in, so it is ours


def customer_html(text: str) -> str:
    """`text` (HTML or plain) as safe HTML for the page (see the module doc)."""
    cleaned = nh3.clean(
        text,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _IMG.sub(_defer, cleaned)


def document_html(html: str) -> str:
    """HTML made from a trusted Markdown document (the SOP), still cleaned: tables allowed."""
    return nh3.clean(
        html,
        tags=_TAGS | {"caption", "colgroup", "col"},
        attributes={**_ATTRIBUTES, "th": {"colspan", "rowspan", "scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
