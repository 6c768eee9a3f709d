"""`quizdl stats` (the report's figures in the terminal, with Unicode charts) and `quizdl topics`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from quizdl.cli.common import BankOption, DbOption, JsonOption, ProfileOption, console, make_context
from quizdl.cli.report import SinceOption, parse_since, steps

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from quizdl.planning import Readiness
    from quizdl.reports.stats import Report

HEAT_STYLES = ("grey35", "green4", "green3", "green1", "bold bright_green")


def stats(
    db: DbOption = None,
    profile: ProfileOption = None,
    bank: BankOption = None,
    since: SinceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cards seen / mature / due, true retention, topics, weakest cards, the due forecast and a calendar."""
    from quizdl.reports.render_json import render_json
    from quizdl.reports.stats import build_report

    since_day = parse_since(since)
    ctx = make_context(db=db, profile=profile, bank=bank)
    try:
        with steps("stats", 4) as advance:
            result = build_report(ctx.engine, ctx.existing_profile_id(profile), ctx.bank, ctx.today, since_day, advance)
    finally:
        ctx.close()
    if as_json:
        typer.echo(render_json(result), nl=False)
        return
    render_stats(console(), result)


def render_stats(out: Console, r: Report) -> None:
    from rich.table import Table
    from rich.text import Text

    from quizdl.reports.text import bar, duration, ef_text, pct

    o = r.overview
    scope = f"reviews since {r.since.isoformat()}" if r.since else "whole history"
    out.print(f"[bold]{r.profile}[/] · {r.today.isoformat()} · {scope}")
    out.print(
        f"Due today [bold]{o.due}[/] ({o.overdue} overdue) · new [bold]{o.new}[/] · learned [bold]{o.learned}[/]/"
        f"{o.cards_in_bank} · reviews today [bold]{o.reviews_today}[/]"
    )
    out.print(
        f"Seen [bold]{o.seen}[/] · mature [bold]{o.mature}[/] · young [bold]{o.young}[/] · streak "
        f"[bold]{o.current_streak}[/] days (longest {o.longest_streak}) · time spent [bold]{duration(o.time_spent_ms)}[/]"
    )
    if o.removed:
        out.print(
            f"[yellow]{o.removed} card(s) with history are not in the loaded bank[/] (removed, or from a --bank "
            "file not given now); their reviews count above, the cards do not"
        )
    kinds = ", ".join(f"{n} {k}" for k, n in o.reviews_by_kind.items())
    out.print(f"Reviews [bold]{o.reviews}[/] ({kinds}) · true retention (scheduled reviews graded ≥ 3):")
    windows = [f"retention ({x.label}) [bold]{pct(x.rate)}[/] of {x.scheduled}" for x in r.retention]
    out.print(" · ".join(windows[:2]))
    out.print(" · ".join(windows[2:]))
    # Fits 80 columns with every topic name whole: no vertical rules, one space of padding, short headers.
    table = Table(title="Topics", box=None, pad_edge=False, padding=(0, 1), title_justify="left", header_style="bold")
    table.add_column("topic", no_wrap=True, min_width=max((len(t.topic) for t in r.topics), default=5))
    for header in ("learned", "", "mature", "due", "mean EF", "lapses", "retained"):
        table.add_column(header, no_wrap=True, min_width=max(len(header), 6 if header == "" else 0))
    for t in r.topics:
        table.add_row(
            t.topic, f"{t.learned}/{t.cards}", bar(t.mastery, 6), str(t.mature), str(t.due), ef_text(t.mean_ef),
            str(t.lapses), pct(t.retention),
        )  # fmt: skip
    out.print(table)
    if r.readiness is not None:
        render_readiness(out, r.readiness)
    if r.weakest:
        weak = Table("card", "topic", "lapses", "EF", "interval", title="Weakest cards")
        for w in r.weakest:
            weak.add_row(w.question_id, w.topic, str(w.lapses), ef_text(w.ef), f"{w.interval}d")
        out.print(weak)
    out.print(Text("Due forecast, next 30 days", style="bold"))
    for line in forecast_lines(r):
        out.print(line, highlight=False)
    out.print(Text("Reviews per day, last year", style="bold"))
    out.print(heatmap_text(r, out.width, color=out.color_system is not None))


def render_readiness(out: Console, ready: Readiness) -> None:
    """Predicted recall (FSRS-6 memory model) today and, with a plan, on the interview day; calibration."""
    from rich.table import Table

    from quizdl.planning import readiness_line
    from quizdl.reports.text import calibration_table, calibration_verdict, recall_topic_table

    out.print(f"[bold]{readiness_line(ready)}[/]")
    if ready.seen:
        headers, rows = recall_topic_table(ready)
        table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
        for header in headers:
            table.add_column(header, no_wrap=True)
        for row in rows:
            table.add_row(*row)
        out.print(table)
    out.print(f"[dim]{calibration_verdict(ready)}[/]")
    if ready.calibrated:
        headers, rows = calibration_table(ready)
        table = Table(*headers, box=None, pad_edge=False, padding=(0, 1), header_style="bold")
        for row in rows:
            table.add_row(*row)
        out.print(table)


def forecast_lines(r: Report, height: int = 5) -> list[str]:
    from quizdl.reports.text import vertical_bars

    counts = [d.count for d in r.forecast]
    top = max(counts, default=0)
    rows = [" ".join(row) for row in vertical_bars(counts, height)]
    width = len(str(top))
    lines = [
        f"{(str(top) if i == 0 else '0' if i == height - 1 else ''):>{width}} │{row}" for i, row in enumerate(rows)
    ]
    axis = list(" " * (len(counts) * 2))
    for offset, label in ((0, "today"), (7, "+7d"), (14, "+14d"), (21, "+21d"), (28, "+28d")):
        axis[offset * 2 : offset * 2 + len(label)] = label
    lines.append(" " * width + "  " + "".join(axis).rstrip())
    return lines


def heatmap_text(r: Report, width: int, color: bool = True) -> Text:
    """The calendar as coloured squares (shades ·░▒▓█ without colour), as many recent weeks as fit."""
    from rich.text import Text

    from quizdl.reports.text import SHADES, WEEKDAYS, calendar_grid, month_header

    grid, mondays = calendar_grid(r.heatmap)
    keep = max(1, min(len(mondays), width - 5))
    text = Text("    " + month_header(mondays[-keep:]) + "\n", style="dim")
    for weekday, row in enumerate(grid):
        text.append(f"{WEEKDAYS[weekday]} ", style="dim")
        for level in row[-keep:]:
            if level is None:
                text.append(" ")
            else:
                text.append("■" if color else SHADES[level], style=HEAT_STYLES[level] if color else "")
        text.append("\n")
    total = sum(d.count for d in r.heatmap)
    text.append(f"{total} reviews on {sum(1 for d in r.heatmap if d.count)} days", style="dim")
    return text


def topics(bank: BankOption = None, as_json: JsonOption = False) -> None:
    """The topics of the bank with their card counts."""
    from collections import Counter

    from rich.table import Table

    ctx = make_context(bank=bank)
    counts = Counter(q.topic for q in ctx.bank.questions)
    if as_json:
        typer.echo(json.dumps({t: counts[t] for t in ctx.bank.topics}, indent=2))
        return
    table = Table("topic", "title", "cards")
    for t in ctx.bank.topics:
        table.add_row(t, ctx.bank.topic_titles.get(t, ""), str(counts[t]))
    console().print(table)


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
    app.command("topics")(topics)
