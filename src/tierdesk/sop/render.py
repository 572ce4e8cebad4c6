"""Render the SOP document of a policy as Markdown, HTML or PDF, in English or Traditional Chinese.

One `SopDocument` is built from the policy; Jinja2 templates lay it out as Markdown (flowchart as
Mermaid) or as a standalone printable HTML page (flowchart as inline SVG, CSS embedded,
autoescaped); WeasyPrint turns that HTML into PDF without fetching anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NoReturn

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tierdesk.domain.errors import DomainError
from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy.check import check
from tierdesk.policy.compile import compile_policy
from tierdesk.policy.loader import Finding, LoadedPolicy
from tierdesk.policy.schema import Policy
from tierdesk.sop.context import Ctx
from tierdesk.sop.cs_sop import build_cs_sop
from tierdesk.sop.document import Block, Flowchart, Paragraph, SopDocument
from tierdesk.sop.flowchart import to_mermaid
from tierdesk.sop.fonts import require_fonts
from tierdesk.sop.full_sop import build_full_sop
from tierdesk.sop.live import LiveData
from tierdesk.sop.messages import LANGS, messages
from tierdesk.sop.svg import to_svg

FORMATS: tuple[str, ...] = ("md", "html", "pdf")


class SopRenderError(DomainError):
    """The SOP cannot be rendered as asked (unknown format or language)."""

    code = "sop_not_renderable"


def build_document(
    policy: LoadedPolicy | Policy,
    *,
    lang: str | None = None,
    business: str | None = None,
    rulebook: Rulebook | None = None,
    team_sizes: Mapping[str, int] | None = None,
    live: LiveData | None = None,
    findings: Sequence[Finding | Mapping[str, Any]] | None = None,
) -> SopDocument:
    """The SOP of a policy that passed `tierdesk.policy.check`, as localized plain data.

    `lang` defaults to the policy's `language`; `business` to its `business`. `rulebook` may be
    given to skip compiling the policy again. `team_sizes` (tier id -> agents, e.g. from
    `tierdesk.planning.team_size.auto_team_sizes`) fills `team_size: auto` tiers that have
    staffing inputs; without it they print as "auto (Erlang C)". `live` (measured values from
    the store) fills Top 10 Contact Reasons and the metrics' current/trend/action columns.
    `findings` are the checker's findings to print (a stored version's); by default those of
    `tierdesk.policy.check` on a loaded policy. Its warnings open the appendix in a box.
    """
    p = policy.policy if isinstance(policy, LoadedPolicy) else policy
    lang = lang or p.language
    if lang not in LANGS:
        raise SopRenderError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    name = business.strip() if business and business.strip() else p.business
    if findings is None:
        findings = check(policy) if isinstance(policy, LoadedPolicy) else ()
    rules = rulebook or compile_policy(p)
    ctx = Ctx(p, rules, messages(lang), name, dict(team_sizes or {}), live, tuple(findings))
    return build_full_sop(ctx) if p.document.format == "full-sop" else build_cs_sop(ctx)


def render(
    policy: LoadedPolicy | Policy,
    *,
    fmt: str = "md",
    lang: str | None = None,
    business: str | None = None,
    rulebook: Rulebook | None = None,
    team_sizes: Mapping[str, int] | None = None,
    live: LiveData | None = None,
    findings: Sequence[Finding | Mapping[str, Any]] | None = None,
) -> str | bytes:
    """The printed SOP: `md` and `html` give text, `pdf` gives bytes.

    Raises SopRenderError for an unknown `fmt` or `lang`, MissingFontError for a zh-TW PDF
    on a machine without a Traditional Chinese font (it would print empty boxes). The layout
    (cs-sop or full-sop) is the policy's `document.format`.
    """
    if fmt not in FORMATS:
        raise SopRenderError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    doc = build_document(
        policy,
        lang=lang,
        business=business,
        rulebook=rulebook,
        team_sizes=team_sizes,
        live=live,
        findings=findings,
    )
    if fmt == "md":
        return render_markdown(doc)
    if fmt == "pdf":
        require_fonts(doc.lang)
    html = render_html(doc)
    return html if fmt == "html" else html_to_pdf(html)


def render_markdown(doc: SopDocument) -> str:
    text = _env().get_template("document.md.j2").render(doc=doc)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_html(doc: SopDocument) -> str:
    return _env().get_template("document.html.j2").render(doc=doc)


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    # The page embeds everything it needs; nothing may be fetched while printing it.
    raise ValueError(f"the SOP page does not load external resources ({url})")


def html_to_pdf(html: str) -> bytes:
    """Lay out the HTML page as an A4 PDF with WeasyPrint (imported here: it is slow to load)."""
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return pdf


# `_` only at a word edge: snake_case and America/New_York stay readable.
_MD_INLINE = re.compile(r"([\\`*\[\]]|(?<!\w)_|_(?!\w)|<(?=[A-Za-z/!?]))")
_MD_BLOCK_START = re.compile(r"^(\s*)(?:([#>]|[-+*](?=\s))|(\d+)([.)])(?=\s))", re.MULTILINE)


def md_inline(text: str) -> str:
    """Policy text as literal inline Markdown: no accidental emphasis, code, links or HTML."""
    return _MD_INLINE.sub(r"\\\1", text)


def md_escape(text: str) -> str:
    """Policy text as a literal Markdown paragraph: also never a heading, quote or list."""

    def block(m: re.Match[str]) -> str:
        if m.group(2):
            return f"{m.group(1)}\\{m.group(2)}"
        return f"{m.group(1)}{m.group(3)}\\{m.group(4)}"

    return _MD_BLOCK_START.sub(block, md_inline(text))


def md_cell(text: str) -> str:
    """Text for one Markdown table cell: escaped, on one line, pipes escaped."""
    return md_inline(" ".join(text.split())).replace("|", "\\|") or " "


def block_classes(block: Block, following: Block | None) -> str:
    """CSS classes of a block in the HTML page: its style, and `keep` when it must stay on the
    page of the block after it (an intro paragraph and its table; a list and its warning)."""
    keep = following is not None and (
        (isinstance(block, Paragraph) and not isinstance(following, Paragraph))
        or (isinstance(following, Paragraph) and following.style == "warning")
    )
    style = "" if isinstance(block, Flowchart) else block.style
    return " ".join(c for c in (style, "keep" if keep else "") if c)


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("tierdesk.sop", "templates"),
        # HTML templates escape every value; the Markdown template escapes with md filters.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["md_inline"] = md_inline
    env.filters["md_cell"] = md_cell
    env.filters["mermaid"] = to_mermaid
    env.filters["svg"] = to_svg
    env.globals["block_classes"] = block_classes
    return env
