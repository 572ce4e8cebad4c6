"""Server-rendered SVG charts for the HTML report: trend lines and horizontal bars (with an
expected band). Plain SVG strings, text escaped, nothing loaded from anywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

W, ROW, LEFT, RIGHT = 560, 26, 150, 70
_AXIS = "#888"
_INK = "#1f4e79"
_BAND = "#c6e0b4"
_OFF = "#c0504d"


def _svg(height: float, body: list[str], title: str) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height:.0f}" '
        f'width="{W}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
        'font-family="sans-serif" font-size="12">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text part is escaped


def bars(
    title: str,
    rows: Sequence[tuple[str, float | None, tuple[float, float] | None, bool]],
    fmt: Callable[[float | None], str],
    scale: float | None = None,
    expected: str = "expected",
) -> Markup:
    """One bar per (label, value, expected band or None, off target): values from 0 to `scale`
    (default: the largest value, or 1 for fractions); an expected band is shaded behind, its
    tooltip led by the word `expected` (in the reader's language)."""
    top = scale or max([v or 0.0 for _, v, _, _ in rows] + [1e-9])
    left = label_width([label for label, _, _, _ in rows])
    plot = W - left - RIGHT
    body: list[str] = []
    for i, (label, value, band, off) in enumerate(rows):
        y = 8 + i * ROW
        body.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        if band is not None:
            x0, x1 = left + plot * band[0] / top, left + plot * min(band[1], top) / top
            body.append(
                f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1.5):.1f}" height="{ROW - 6}" '
                f'fill="{_BAND}"><title>{escape(expected)} {escape(fmt(band[0]))}-'
                f"{escape(fmt(band[1]))}</title></rect>"
            )
        width = plot * (value or 0.0) / top
        colour = _OFF if off else _INK
        body.append(
            f'<rect x="{left}" y="{y + 5}" width="{width:.1f}" height="{ROW - 16}" '
            f'fill="{colour}"/>'
        )
        body.append(f'<text x="{left + width + 4:.1f}" y="{y + 14}">{escape(fmt(value))}</text>')
    body.append(
        f'<line x1="{left}" y1="4" x2="{left}" y2="{8 + len(rows) * ROW}" stroke="{_AXIS}"/>'
    )
    return _svg(16 + len(rows) * ROW, body, title)


def label_width(labels: Sequence[str]) -> float:
    """The room bar labels need at 12 px (a CJK character is about twice a Latin one), between
    LEFT and twice it: long names are shown whole, not cut at the chart's edge."""
    widest = max((sum(12.0 if ord(c) >= 0x2E80 else 6.8 for c in s) for s in labels), default=0)
    return min(max(LEFT, widest + 12), 2 * LEFT)


def line(
    title: str, points: Sequence[tuple[str, float | None]], fmt: Callable[[float | None], str]
) -> Markup:
    """A trend line over labelled points (a gap where a value is None)."""
    height, pad = 150, 30
    known = [v for _, v in points if v is not None]
    lo, hi = (min(known), max(known)) if known else (0.0, 1.0)
    if hi == lo:  # a flat line: on a scale from 0 to it (or from it to 0)
        lo, hi = (0.0, hi) if hi > 0 else (0.0, 1.0) if hi == 0 else (lo, 0.0)
    step = (W - 2 * pad - RIGHT) / max(len(points) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (height - 2 * pad) * (v - lo) / (hi - lo)

    body = [
        f'<line x1="{pad}" y1="{height - pad}" x2="{W - RIGHT}" y2="{height - pad}" '
        f'stroke="{_AXIS}"/>',
        f'<text x="{W - RIGHT + 4}" y="{pad + 4}">{escape(fmt(hi))}</text>',
        f'<text x="{W - RIGHT + 4}" y="{height - pad}">{escape(fmt(lo))}</text>',
    ]
    run: list[str] = []
    for i, (label, v) in enumerate(points):
        body.append(
            f'<text x="{pad + i * step:.1f}" y="{height - 10}" text-anchor="middle" '
            f'font-size="10">{escape(label)}</text>'
        )
        if v is None:
            if len(run) > 1:
                body.append(_poly(run))
            run = []
            continue
        x, y = xy(i, v)
        run.append(f"{x:.1f},{y:.1f}")
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{_INK}">'
            f"<title>{escape(label)}: {escape(fmt(v))}</title></circle>"
        )
    if len(run) > 1:
        body.append(_poly(run))
    return _svg(height, body, title)


def _poly(points: list[str]) -> str:
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{_INK}" stroke-width="2"/>'
