"""Draw the escalation decision tree as a standalone inline SVG (no script, no network).

Layout: a column of decisions (hexagons) joined by "no" arrows, each with a "yes" arrow to its
action box on the right; a start pill on top and an end pill at the bottom. Text is wrapped by an
estimate of its width: CJK characters are one em wide, others about half an em.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

from tierdesk.sop.flowchart import Flow

FONT_SIZE = 13
LINE = 17
PAD_Y = 9
MARGIN = 12
Q_WIDTH = 296
A_WIDTH = 280
GAP_X = 44
GAP_Y = 34
WIDTH = 2 * MARGIN + Q_WIDTH + GAP_X + A_WIDTH
BOLD_WIDTH = 0.94  # bold glyphs are about 6% wider: wrap terminals narrower
FONT_FAMILY = "'Noto Sans CJK TC', 'Noto Sans TC', sans-serif"
_COLORS = {
    "terminal": ("#edf7ee", "#2f7d44"),
    "decision": ("#fff6e0", "#a56b00"),
    "action": ("#e9f1fb", "#2a5d9f"),
}


# Line-breaking rules (kinsoku): never end a line with an opening bracket, never start one with
# closing punctuation.
_OPENERS = frozenset("（「『【〔《〈([{“‘")
_CLOSERS = frozenset("）」』】〕》〉)]}”’、。，：；？！・,.;:?!%")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


# Advance widths (hundredths of an em) of printable ASCII, space to tilde, in Noto Sans CJK:
# Latin text in the SOP is short, so a table beats loading the font to measure it.
_ASCII = (
    22, 32, 47, 56, 56, 92, 68, 28, 34, 34, 47, 56, 28, 35, 28, 39, 56, 56, 56, 56, 56, 56, 56, 56,
    56, 56, 28, 28, 56, 56, 56, 47, 95, 61, 66, 64, 69, 59, 55, 69, 73, 29, 54, 65, 54, 81, 72, 74,
    63, 74, 64, 60, 60, 72, 58, 88, 57, 53, 60, 34, 39, 34, 56, 56, 61, 56, 62, 51, 62, 55, 32, 56,
    61, 28, 28, 55, 28, 93, 61, 61, 62, 62, 39, 47, 38, 61, 52, 80, 50, 52, 48, 34, 27, 34, 56,
)  # fmt: skip


def _char_width(ch: str) -> float:
    if _wide(ch):
        return 1.0
    code = ord(ch)
    return _ASCII[code - 32] / 100 if 32 <= code < 127 else 0.6


def text_width(text: str) -> float:
    """Estimated rendered width in px at FONT_SIZE."""
    return sum(_char_width(c) for c in text) * FONT_SIZE


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: Latin words, single CJK characters, spaces; an opening bracket sticks
    to what follows it and closing punctuation to what precedes it."""
    raw: list[str] = []
    word = ""
    for ch in text:
        if _wide(ch) or ch.isspace():
            if word:
                raw.append(word)
                word = ""
            raw.append(ch)
        else:
            word += ch
    if word:
        raw.append(word)
    out: list[str] = []
    carry = ""
    for tok in raw:
        if tok in _OPENERS:
            carry += tok
        elif out and tok[0] in _CLOSERS and not carry:
            out[-1] += tok
        else:
            out.append(carry + tok)
            carry = ""
    if carry:
        out.append(carry)
    return out


def wrap(text: str, width: float) -> list[str]:
    """Greedy line breaking of `text` into lines no wider than `width` (estimated)."""
    lines: list[str] = []
    line = ""
    for tok in _tokens(text):
        if text_width(line + tok) <= width or not line.strip():
            line = "" if tok.isspace() and not line else line + tok
            continue
        lines.append(line.rstrip())
        line = "" if tok.isspace() else tok
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def balanced(text: str, width: float) -> list[str]:
    """Like `wrap`, but as narrow as the same number of lines allows: no lone last word."""
    lines = wrap(text, width)
    if len(lines) < 2:
        return lines
    low, high = width / 2, width
    for _ in range(12):  # bisect the narrowest width that still needs no extra line
        mid = (low + high) / 2
        low, high = (mid, high) if len(wrap(text, mid)) > len(lines) else (low, mid)
    return wrap(text, high)


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    lines: tuple[str, ...]

    @property
    def h(self) -> float:
        return len(self.lines) * LINE + 2 * PAD_Y

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def _text(box: _Box, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    top = box.cy - (len(box.lines) - 1) * LINE / 2 + FONT_SIZE * 0.35
    return "".join(
        f'<text x="{box.cx:.1f}" y="{top + i * LINE:.1f}" text-anchor="middle"{weight}>'
        f"{escape(line)}</text>"
        for i, line in enumerate(box.lines)
    )


def _shape(box: _Box, kind: str) -> str:
    fill, stroke = _COLORS[kind]
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="1.4"'
    if kind == "decision":
        x, y, w, h, d = box.x, box.y, box.w, box.h, 18
        pts = [(x, y + h / 2), (x + d, y), (x + w - d, y), (x + w, y + h / 2)]
        pts += [(x + w - d, y + h), (x + d, y + h)]
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        return f'<polygon points="{points}" {style}/>'
    rx = box.h / 2 if kind == "terminal" else 5
    return (
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
        f'rx="{rx:.1f}" {style}/>'
    )


def _arrow(x1: float, y1: float, x2: float, y2: float, label: str, side: str) -> str:
    """A straight arrow with a drawn head (markers are not needed) and a small label."""
    head = (
        f"{x2:.1f},{y2:.1f} {x2 - 9:.1f},{y2 - 4.5:.1f} {x2 - 9:.1f},{y2 + 4.5:.1f}"
        if y1 == y2
        else f"{x2:.1f},{y2:.1f} {x2 - 4.5:.1f},{y2 - 9:.1f} {x2 + 4.5:.1f},{y2 - 9:.1f}"
    )
    end_x, end_y = (x2 - 8, y2) if y1 == y2 else (x2, y2 - 8)
    out = (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{end_x:.1f}" y2="{end_y:.1f}" '
        f'stroke="#444" stroke-width="1.3"/><polygon points="{head}" fill="#444"/>'
    )
    if label:
        lx, ly = ((x1 + x2) / 2, y1 - 5) if side == "above" else (x1 + 6, (y1 + y2) / 2 + 4)
        anchor = "middle" if side == "above" else "start"
        out += (
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="11" '
            f'fill="#444">{escape(label)}</text>'
        )
    return out


def to_svg(flow: Flow) -> Markup:
    """The tree as an `<svg>` element sized by its viewBox (scales to the page width)."""
    q_x, a_x = MARGIN, MARGIN + Q_WIDTH + GAP_X
    pill_w = Q_WIDTH * 0.82
    pill_x = q_x + (Q_WIDTH - pill_w) / 2
    parts: list[str] = []
    start = _Box(pill_x, MARGIN, pill_w, tuple(balanced(flow.start, BOLD_WIDTH * (pill_w - 28))))
    parts += [_shape(start, "terminal"), _text(start, bold=True)]
    prev_bottom, y = start.y + start.h, start.y + start.h + GAP_Y
    incoming = ""  # the arrow into the first decision comes from start; later ones are "no"
    for d in flow.decisions:
        q_lines = balanced(d.question, Q_WIDTH - 52)
        a_lines = balanced(d.action, A_WIDTH - 26)
        row_h = max(len(q_lines), len(a_lines)) * LINE + 2 * PAD_Y
        q = _Box(q_x, y + (row_h - (len(q_lines) * LINE + 2 * PAD_Y)) / 2, Q_WIDTH, tuple(q_lines))
        a = _Box(a_x, y + (row_h - (len(a_lines) * LINE + 2 * PAD_Y)) / 2, A_WIDTH, tuple(a_lines))
        parts.append(_arrow(q.cx, prev_bottom, q.cx, q.y, incoming, "right"))
        parts += [_shape(q, "decision"), _text(q), _shape(a, "action"), _text(a)]
        parts.append(_arrow(q.x + q.w, q.cy, a.x, a.cy, flow.yes, "above"))
        prev_bottom, y, incoming = q.y + q.h, y + row_h + GAP_Y, flow.no
    end = _Box(pill_x, y, pill_w, tuple(balanced(flow.end, BOLD_WIDTH * (pill_w - 28))))
    parts.append(_arrow(end.cx, prev_bottom, end.cx, end.y, incoming, "right"))
    parts += [_shape(end, "terminal"), _text(end, bold=True)]
    height = end.y + end.h + MARGIN
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" aria-label="{escape(flow.title)}" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" class="flowchart">'
        f"<title>{escape(flow.title)}</title>"
    )
    # Every piece of text above went through `escape`; the rest is our own markup.
    return Markup(head + "".join(parts) + "</svg>")  # noqa: S704
