"""Plain-text helpers shared by every renderer: number formats and Unicode charts (no terminal I/O)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from quizdl.planning import Readiness
from quizdl.reports.stats import DayCount

BLOCKS = " ▁▂▃▄▅▆▇█"  # eighths: BLOCKS[0] is empty, BLOCKS[8] full
SHADES = "·░▒▓█"  # heatmap levels 0 (no review) to 4
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def pct(rate: float | None) -> str:
    """A share as a percentage with at most one decimal: 87.5%, 85%, 100%; – when there is nothing to count."""
    if rate is None:
        return "–"
    text = f"{rate:.1%}"
    return text.replace(".0%", "%")


def duration(ms: int) -> str:
    """A time spent, e.g. '46s', '12m 05s', '3h 07m'."""
    seconds = round(ms / 1000)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def ef_text(ef: float | None) -> str:
    return "–" if ef is None else f"{ef:.2f}"


def sparkline(values: Sequence[int]) -> str:
    """One character per value, heights relative to the largest; zero is the lowest block, any review higher."""
    top = max(values, default=0)
    if top <= 0:
        return BLOCKS[1] * len(values)
    return "".join(BLOCKS[max(2, math.ceil(8 * v / top))] if v > 0 else BLOCKS[1] for v in values)


def bar(share: float, width: int = 10) -> str:
    """A horizontal bar such as '███████▍  ' for share in [0, 1] (eighth-block precision)."""
    share = min(max(share, 0.0), 1.0)
    eighths = round(share * width * 8)
    full, rest = divmod(eighths, 8)
    partial = "▏▎▍▌▋▊▉"[rest - 1] if rest else ""
    return ("█" * full + partial).ljust(width)


def vertical_bars(values: Sequence[int], height: int = 6) -> list[str]:
    """Rows of a vertical bar chart, top row first, one column per value (eighth-block precision)."""
    top = max(values, default=0)
    levels = [math.ceil(v * height * 8 / top) if top and v > 0 else 0 for v in values]
    rows = []
    for row in range(height - 1, -1, -1):
        cells = []
        for level in levels:
            fill = min(max(level - row * 8, 0), 8)
            cells.append(BLOCKS[fill])
        rows.append("".join(cells))
    return rows


def heat_levels(counts: Sequence[int]) -> list[int]:
    """Level 0-4 per day, like GitHub's calendar: 0 for no review, then quarters of the busiest day."""
    top = max(counts, default=0)
    return [0 if c <= 0 or top == 0 else min(4, math.ceil(4 * c / top)) for c in counts]


def calendar_grid(days: Sequence[DayCount]) -> tuple[list[list[int | None]], list[date]]:
    """Levels arranged as 7 weekday rows (Mon..Sun) x week columns; None pads before the first day / after today.

    Returns the grid and the Monday that starts each column.
    """
    if not days:
        return [[] for _ in range(7)], []
    levels = heat_levels([d.count for d in days])
    first = days[0].day
    start = first - timedelta(days=first.weekday())
    weeks = (days[-1].day - start).days // 7 + 1
    grid: list[list[int | None]] = [[None] * weeks for _ in range(7)]
    for d, level in zip(days, levels, strict=True):
        offset = (d.day - start).days
        grid[offset % 7][offset // 7] = level
    return grid, [start + timedelta(weeks=w) for w in range(weeks)]


def month_header(mondays: Sequence[date], cell: int = 1) -> str:
    """Month abbreviations above the week columns that contain the 1st of a month (when there is room)."""
    line = [" "] * (len(mondays) * cell + 3)
    free_from = 0
    for i, monday in enumerate(mondays):
        sunday = monday + timedelta(days=6)
        if sunday.day <= 7 and i * cell >= free_from:
            line[i * cell : i * cell + 3] = list(sunday.strftime("%b"))
            free_from = i * cell + 4
    return "".join(line).rstrip()


def text_heatmap(days: Sequence[DayCount]) -> list[str]:
    """The calendar as text lines: a month header, then one line per weekday using SHADES."""
    grid, mondays = calendar_grid(days)
    lines = ["    " + month_header(mondays)]
    for weekday, row in enumerate(grid):
        cells = "".join(" " if level is None else SHADES[level] for level in row)
        lines.append(f"{WEEKDAYS[weekday]} {cells}".rstrip())
    return lines


# Predicted recall (quizdl.planning.Readiness), shared by `stats`, Markdown and HTML.


def recall_topic_table(r: Readiness) -> tuple[list[str], list[list[str]]]:
    """Per topic: cards seen, predicted recall today over them, and with a plan, on the interview day."""
    headers = ["topic", "seen", "recall today"] + (["on the day"] if r.plan is not None else [])
    rows = [
        [t.topic, f"{t.seen}/{t.cards}", pct(t.today)] + ([pct(t.on_day)] if r.plan is not None else [])
        for t in r.topics
    ]
    return headers, rows


def calibration_table(r: Readiness) -> tuple[list[str], list[list[str]]]:
    headers = ["predicted", "answers", "mean predicted", "recalled"]
    rows = [
        [f"{round(100 * b.low)}-{round(100 * b.high)}%", str(b.answers), pct(b.mean_predicted), pct(b.share_recalled)]
        for b in r.calibration
    ]
    return headers, rows


def calibration_verdict(r: Readiness) -> str:
    """One sentence on whether the predicted figures deserve trust yet."""
    from quizdl.srs.memory import MIN_CALIBRATION_ANSWERS

    if not r.calibrated:
        return (
            f"Too little history to check the model: {r.calibration_answers} answers given a day or more after the "
            f"card's previous one; {MIN_CALIBRATION_ANSWERS} are needed. Treat the predicted figures as rough."
        )
    n = sum(b.answers for b in r.calibration)
    predicted = sum((b.mean_predicted or 0) * b.answers for b in r.calibration) / n
    recalled = sum((b.share_recalled or 0) * b.answers for b in r.calibration) / n
    return (
        f"On your own {n} answers after a gap, the model predicted {pct(predicted)} recall on average and you "
        f"recalled {pct(recalled)}."
    )
