"""The escalation decision tree: Mermaid for Markdown, an inline SVG for HTML and PDF."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tierdesk.sop.flowchart import Decision, Flow, to_mermaid
from tierdesk.sop.svg import _tokens, text_width, to_svg, wrap

FLOW = Flow(
    title="Tree",
    start="Start",
    decisions=(
        Decision("R-1", 'Customer says "lawyer" <now>?', "L3 & Legal"),
        Decision("R-2", "退款金額超過 L1 客服專員的權限（NT$500）？", "L2・立即"),
    ),
    end="Done",
    yes="Yes",
    no="No",
)


def test_mermaid_labels_cannot_break_out_of_their_quotes() -> None:
    chart = to_mermaid(FLOW)
    assert chart.startswith("flowchart TD\n")
    assert 'q1{"Customer says #quot;lawyer#quot; #lt;now#gt;?"}' in chart
    assert 'q2 -->|"No"| done' in chart


def test_svg_escapes_text_and_has_no_script_or_links() -> None:
    svg = str(to_svg(FLOW))
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "&#34;lawyer&#34; &lt;now&gt;" in svg or "&quot;lawyer&quot; &lt;now&gt;" in svg
    assert "L3 &amp; Legal" in svg
    assert "<script" not in svg and "href" not in svg


def test_svg_draws_one_yes_arrow_per_rule_and_a_no_arrow_between_them() -> None:
    svg = str(to_svg(FLOW))
    labels = re.findall(r">(Yes|No)</text>", svg)
    assert labels.count("Yes") == 2
    assert labels.count("No") == 2  # rule 1 -> rule 2, rule 2 -> end


def test_wrapping_keeps_brackets_with_their_text() -> None:
    lines = wrap("退款金額超過 L1 客服專員的權限（NT$500）？", 200)
    assert len(lines) > 1
    assert not any(line.endswith("（") for line in lines)
    assert not any(line[0] in "）？、。，" for line in lines)


@given(st.text(alphabet="ab 漢字、。（）", min_size=1, max_size=60))
def test_wrapping_loses_no_characters_and_fits_where_it_can(text: str) -> None:
    lines = wrap(text, 120)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        # a line is only too wide when it is a single unbreakable piece
        assert text_width(line) <= 120 or len(_tokens(line)) == 1
