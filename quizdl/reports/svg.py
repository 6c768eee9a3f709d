"""Self-contained SVG charts (no script, no external font or stylesheet): bars, histograms, a calendar heatmap.

Each function returns one <svg> element as a string, usable inline in HTML or written as an .svg file
next to a Markdown report. Every label goes through html.escape.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from html import escape

from quizdl.reports.stats import Bucket, DayCount
from quizdl.reports.text import WEEKDAYS, calendar_grid

FONT = "font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,sans-serif\""
INK = "#57606a"
GRID = "#d0d7de"
BAR = "#2f6fdf"
HEAT = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")  # GitHub's calendar greens, level 0-4


def _open(width: int, height: int, label: str, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" {FONT} font-size="11">'
        f"<title>{escape(label)}</title>"
    )


def _nice_top(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 x 10^k)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def bar_chart(
    values: Sequence[int], labels: Sequence[str], title: str, *, tips: Sequence[str] | None = None,
    label_every: int = 1, css_class: str = "bars", width: int = 640, height: int = 200, color: str = BAR,
) -> str:  # fmt: skip
    """Vertical bars with a y axis (0, half, top), x labels every `label_every` bars and counts above bars."""
    left, right, top, bottom = 34, 8, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(values), 1)
    slot = plot_w / n
    peak = _nice_top(max(values, default=0))
    parts = [_open(width, height, title, css_class)]
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        tick = peak * frac
        tick_text = f"{tick:g}" if tick == int(tick) else f"{tick:.1f}"
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{escape(tick_text)}</text>')
    for i, value in enumerate(values):
        h = plot_h * value / peak
        x = left + i * slot + slot * 0.12
        w = slot * 0.76
        tip = escape(tips[i] if tips is not None else f"{labels[i]}: {value}")
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{w:.1f}" height="{max(h, 0):.1f}" '
            f'rx="2" fill="{color}"><title>{tip}</title></rect>'
        )
        if value > 0 and n <= 40:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" fill="{INK}" '
                f'font-size="9">{value}</text>'
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="{INK}">'
                f"{escape(labels[i])}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def forecast_chart(days: Sequence[DayCount]) -> str:
    labels = ["today" if i == 0 else d.day.strftime("%b %d") for i, d in enumerate(days)]
    tips = [f"{d.day.isoformat()}: {d.count} due" + (" (incl. overdue)" if i == 0 else "") for i, d in enumerate(days)]
    title = f"Cards due per day, next {len(days)} days"
    return bar_chart([d.count for d in days], labels, title, tips=tips, label_every=7, css_class="forecast")


def histogram_chart(buckets: Sequence[Bucket], title: str, css_class: str, color: str = BAR) -> str:
    return bar_chart(
        [b.count for b in buckets], [b.label for b in buckets], title, css_class=css_class, width=480, height=180,
        color=color,
    )  # fmt: skip


def heatmap_chart(days: Sequence[DayCount]) -> str:
    """A calendar of reviews per day: one column per week, Monday on top, GitHub-style greens."""
    grid, mondays = calendar_grid(days)
    cell, gap, left, top = 11, 2, 30, 18
    weeks = len(mondays)
    width = left + weeks * (cell + gap) + 16
    height = top + 7 * (cell + gap) + 26
    counts = {d.day: d.count for d in days}
    total = sum(counts.values())
    title = f"Reviews per day over the last year: {total} reviews on {sum(1 for c in counts.values() if c)} days"
    parts = [_open(width, height, title, "heatmap")]
    free_from = 0.0
    for w, monday in enumerate(mondays):
        sunday = monday + timedelta(days=6)
        x = left + w * (cell + gap)
        if sunday.day <= 7 and x >= free_from:
            parts.append(f'<text x="{x}" y="{top - 6}" fill="{INK}">{sunday.strftime("%b")}</text>')
            free_from = x + 3 * (cell + gap)
    for weekday in (0, 2, 4):
        y = top + weekday * (cell + gap) + cell - 2
        parts.append(
            f'<text x="{left - 4}" y="{y}" text-anchor="end" fill="{INK}" font-size="9">{WEEKDAYS[weekday]}</text>'
        )
    for weekday, row in enumerate(grid):
        for w, level in enumerate(row):
            if level is None:
                continue
            day = mondays[w] + timedelta(days=weekday)
            n = counts.get(day, 0)
            x, y = left + w * (cell + gap), top + weekday * (cell + gap)
            parts.append(
                f'<rect class="day" x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2" fill="{HEAT[level]}">'
                f"<title>{day.isoformat()}: {n} review{'' if n == 1 else 's'}</title></rect>"
            )
    legend_y = top + 7 * (cell + gap) + 8
    legend_x = width - 4 - 5 * (cell + gap) - 30
    parts.append(f'<text x="{legend_x - 4}" y="{legend_y + cell - 2}" text-anchor="end" fill="{INK}">Less</text>')
    for level, color in enumerate(HEAT):
        parts.append(
            f'<rect x="{legend_x + level * (cell + gap)}" y="{legend_y}" width="{cell}" height="{cell}" rx="2" '
            f'fill="{color}"/>'
        )
    parts.append(f'<text x="{legend_x + 5 * (cell + gap) + 2}" y="{legend_y + cell - 2}" fill="{INK}">More</text>')
    parts.append("</svg>")
    return "".join(parts)
