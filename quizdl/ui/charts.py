"""Terminal line charts for a demo's Chart/Series: braille dots (2 x 4 per character), one colour per series.

Pure functions, no torch: `render_chart` returns a rich Text, `chart_lines` the same as plain strings,
`sparkline` a one-line block-element summary. Non-finite values (NaN, inf) and, on a log axis, values <= 0
cannot be plotted: they leave a gap in the line and the legend says how many there were and where the first
one is. Numbers on the axes use `format_number`, also used for the demo tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from quizdl.demos.registry import Chart, Series
from quizdl.numbers import format_number

COLORS = ("cyan", "magenta", "yellow", "green", "red", "blue", "bright_white")
BRAILLE_BASE = 0x2800
# dot bit for (column 0..1, row 0..3) inside one braille cell
_DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
SPARK = "▁▂▃▄▅▆▇█"
__all__ = ["chart_lines", "format_number", "render_chart", "sparkline"]


@dataclass(frozen=True)
class _Prepared:
    name: str
    points: list[tuple[float, float] | None]  # (x, transformed y); None = a gap (non-finite / <= 0 on log)
    bad: int  # how many values could not be plotted
    first_bad_x: float | None


def _prepare(series: Series, log_y: bool) -> _Prepared:
    xs = series.x if series.x is not None else [float(i) for i in range(len(series.values))]
    points: list[tuple[float, float] | None] = []
    bad, first_bad = 0, None
    for x, y in zip(xs, series.values, strict=False):
        yf = float(y) if y is not None else math.nan
        ok = math.isfinite(yf) and math.isfinite(float(x)) and (yf > 0 or not log_y)
        if ok:
            points.append((float(x), math.log10(yf) if log_y else yf))
        else:
            points.append(None)
            bad += 1
            if first_bad is None:
                first_bad = float(x)
    return _Prepared(series.name, points, bad, first_bad)


def _line(x0: int, y0: int, x1: int, y1: int) -> list[tuple[int, int]]:
    """Pixels of a straight line (Bresenham)."""
    pixels = []
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        pixels.append((x0, y0))
        if x0 == x1 and y0 == y1:
            return pixels
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


def _axis_label(value: float, log_y: bool) -> str:
    return format_number(10**value if log_y else value, digits=3)


def render_chart(chart: Chart, width: int = 80, height: int = 10) -> Text:
    """A braille line chart of every series of `chart`, `width` characters wide in total (axis included)."""
    prepared = [_prepare(s, chart.log_y) for s in chart.series]
    finite = [p for s in prepared for p in s.points if p is not None]
    out = Text()
    out.append(chart.title + (" (log scale)" if chart.log_y else ""), style="bold")
    out.append("\n")
    if not finite:
        out.append("  (nothing to plot: no finite values)\n", style="dim")
        out.append_text(_legend(prepared, chart.log_y))
        return out

    # 1. ranges, padded when flat
    x_lo, x_hi = min(p[0] for p in finite), max(p[0] for p in finite)
    y_lo, y_hi = min(p[1] for p in finite), max(p[1] for p in finite)
    if y_hi - y_lo < 1e-12:
        pad = 0.5 if chart.log_y else max(abs(y_lo) * 0.1, 1e-3)
        y_lo, y_hi = y_lo - pad, y_hi + pad
    if x_hi - x_lo < 1e-12:
        x_lo, x_hi = x_lo - 1, x_hi + 1

    # 2. canvas: plot area in characters, pixels are 2 x 4 per character
    labels = [_axis_label(v, chart.log_y) for v in (y_hi, (y_hi + y_lo) / 2, y_lo)]
    label_w = max(len(s) for s in labels)
    cols = max(10, width - label_w - 2)
    rows = max(3, height)
    px_w, px_h = cols * 2, rows * 4
    bits = [[0] * cols for _ in range(rows)]
    owner = [[-1] * cols for _ in range(rows)]

    def to_px(x: float, y: float) -> tuple[int, int]:
        px = round((x - x_lo) / (x_hi - x_lo) * (px_w - 1))
        py = round((y_hi - y) / (y_hi - y_lo) * (px_h - 1))
        return min(max(px, 0), px_w - 1), min(max(py, 0), px_h - 1)

    # 3. draw each series: segments between consecutive plottable points, single dots where isolated
    for idx, series in enumerate(prepared):
        prev: tuple[int, int] | None = None
        for point in series.points:
            if point is None:
                prev = None
                continue
            cur = to_px(*point)
            for px, py in _line(*prev, *cur) if prev is not None else [cur]:
                r, c = py // 4, px // 2
                bits[r][c] |= _DOT[px % 2][py % 4]
                owner[r][c] = idx
            prev = cur

    # 4. assemble: y labels at top, middle and bottom; x range underneath
    label_rows = {0: labels[0], (rows - 1) // 2: labels[1], rows - 1: labels[2]}
    for r in range(rows):
        out.append(label_rows.get(r, "").rjust(label_w) + " ┤" if r in label_rows else " " * label_w + " │")
        for c in range(cols):
            if bits[r][c]:
                out.append(chr(BRAILLE_BASE + bits[r][c]), style=COLORS[owner[r][c] % len(COLORS)])
            else:
                out.append(" ")
        out.append("\n")
    out.append(" " * label_w + " └" + "─" * cols + "\n")
    left, right = format_number(x_lo, 3), format_number(x_hi, 3)
    middle = chart.x_label
    gap = cols - len(left) - len(right)
    if gap >= len(middle) + 2:
        pad_l = (gap - len(middle)) // 2
        axis = left + " " * pad_l + middle + " " * (gap - len(middle) - pad_l) + right
    else:
        axis = left + " " * max(1, gap) + right
    out.append(" " * (label_w + 2) + axis + "\n", style="dim")
    out.append_text(_legend(prepared, chart.log_y))
    return out


def _legend(prepared: list[_Prepared], log_y: bool) -> Text:
    legend = Text()
    for idx, series in enumerate(prepared):
        legend.append("  ━━ ", style=COLORS[idx % len(COLORS)])
        legend.append(series.name)
        if series.bad:
            what = "non-finite or <= 0" if log_y else "non-finite"
            where = f", first at x={format_number(series.first_bad_x, 3)}" if series.first_bad_x is not None else ""
            legend.append(f" ({series.bad} {what} not plotted{where})", style="red")
        legend.append("\n")
    return legend


def chart_lines(chart: Chart, width: int = 80, height: int = 10) -> list[str]:
    """The chart as plain strings (no colour), e.g. for tests or logs."""
    return render_chart(chart, width=width, height=height).plain.rstrip("\n").split("\n")


def sparkline(values: Sequence[float], width: int | None = None, log_y: bool = False) -> str:
    """One line of block elements (▁ to █); NaN/inf (and <= 0 on a log scale) show as ×."""
    vals = [float(v) for v in values]
    if width is not None and len(vals) > width > 0:
        vals = [vals[round(i * (len(vals) - 1) / max(width - 1, 1))] for i in range(width)]

    def ok(v: float) -> bool:
        return math.isfinite(v) and (v > 0 or not log_y)

    ys = [math.log10(v) if log_y and ok(v) else v for v in vals]
    good = [y for v, y in zip(vals, ys, strict=True) if ok(v)]
    if not good:
        return "×" * len(vals)
    lo, hi = min(good), max(good)
    span = hi - lo or 1.0
    return "".join(
        SPARK[min(len(SPARK) - 1, int((y - lo) / span * (len(SPARK) - 1) + 0.5))] if ok(v) else "×"
        for v, y in zip(vals, ys, strict=True)
    )
