"""The report as GitHub-flavoured Markdown: tables, Unicode sparklines and, when written to a file, SVG
charts saved next to it (returned as extra files; the caller writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from quizdl.planning import Readiness
from quizdl.reports import svg
from quizdl.reports.stats import Bucket, ClassReport, Report, TopicRow
from quizdl.reports.text import bar, duration, ef_text, pct, sparkline, text_heatmap

_SPECIAL = "\\`*_{}[]<>()#+!|~"


def md(value: object) -> str:
    """Text safe inside a Markdown table cell: one line, with Markdown and HTML characters escaped."""
    text = " ".join(str(value).split())
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)


def _table(headers: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """`align`: one letter per column, l or r (default: first left, the rest right)."""
    align = align or "l" + "r" * (len(headers) - 1)
    sep = ["---" if a == "l" else "---:" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


@dataclass(frozen=True)
class MarkdownReport:
    text: str
    files: dict[str, str] = field(default_factory=dict)  # file name (next to the report) -> SVG text


def _topic_table(topics: list[TopicRow]) -> list[str]:
    rows = [
        [
            md(t.title), f"`{bar(t.mastery)}` {t.learned}/{t.cards}", str(t.seen), str(t.mature), str(t.due),
            ef_text(t.mean_ef), str(t.lapses), pct(t.retention), str(t.scheduled),
        ]
        for t in topics
    ]  # fmt: skip
    return _table(["topic", "mastery", "seen", "mature", "due", "mean EF", "lapses", "retention", "reviews"], rows)


def _readiness_lines(ready: Readiness) -> list[str]:
    from quizdl.planning import readiness_line
    from quizdl.reports.text import calibration_table, calibration_verdict, recall_topic_table

    lines = [md(readiness_line(ready)), "", "_FSRS-6 memory model (py-fsrs) over the whole review log._", ""]
    if ready.seen:
        headers, rows = recall_topic_table(ready)
        lines += [*_table(headers, [[md(c) for c in row] for row in rows]), ""]
    lines += ["### Calibration on your own log", "", md(calibration_verdict(ready))]
    if ready.calibrated:
        lines += ["", *_table(*calibration_table(ready))]
    return lines


def _chart(files: dict[str, str], prefix: str | None, name: str, alt: str, content: str) -> list[str]:
    if prefix is None:
        return []
    file_name = f"{prefix}-{name}.svg"
    files[file_name] = content
    return ["", f"![{alt}]({file_name})"]


def render_markdown(report: Report, chart_prefix: str | None = None) -> MarkdownReport:
    """`chart_prefix`: write SVG charts as `<prefix>-forecast.svg` etc. and link them (None: text charts only)."""
    o = report.overview
    files: dict[str, str] = {}
    scope = f"reviews since {report.since.isoformat()}" if report.since else "whole history"
    kinds = ", ".join(f"{n} {k}" for k, n in o.reviews_by_kind.items())
    lines = [f"# Progress report: {md(report.profile)}", "", f"_{report.today.isoformat()} · {scope}_", ""]
    lines += ["## Overview", ""]
    lines += _table(
        ["", ""],
        [
            ["Cards seen", f"{o.seen} of {o.cards_in_bank}"],
            ["Mature (interval ≥ 21 days)", str(o.mature)],
            ["Young", str(o.young)],
            ["New", str(o.new)],
            ["Due today", f"{o.due} ({o.overdue} overdue)"],
            ["Reviews", f"{o.reviews} ({kinds})"],
            ["Time spent", duration(o.time_spent_ms)],
            ["Study days", str(o.study_days)],
            ["Current streak", f"{o.current_streak} days"],
            ["Longest streak", f"{o.longest_streak} days"],
        ]
        + ([["Cards of removed questions (not counted)", str(o.removed)]] if o.removed else []),
        "lr",
    )
    lines += ["", "## True retention", "", "Scheduled reviews graded 3 or more (re-drills and cram excluded).", ""]
    lines += _table(
        ["window", "scheduled reviews", "graded ≥ 3", "retention"],
        [[md(r.label), str(r.scheduled), str(r.passed), pct(r.rate)] for r in report.retention],
    )
    lines += ["", "## Topics", "", *_topic_table(report.topics)]
    if report.readiness is not None:
        lines += ["", "## Predicted recall", "", *_readiness_lines(report.readiness)]
    lines += ["", "## Weakest cards", ""]
    if report.weakest:
        lines += _table(
            ["question", "topic", "lapses", "EF", "interval", "due"],
            [
                [md(w.question), md(w.topic), str(w.lapses), ef_text(w.ef), f"{w.interval} d", w.due.isoformat()]
                for w in report.weakest
            ],
            "llrrrr",
        )
    else:
        lines.append("No lapses and no lowered EF yet.")
    counts = [d.count for d in report.forecast]
    lines += ["", "## Due forecast, next 30 days", ""]
    lines += [f"`{sparkline(counts)}` today {counts[0]} · 7 days {sum(counts[:7])} · 30 days {sum(counts)}"]
    lines += _chart(files, chart_prefix, "forecast", "Cards due per day", svg.forecast_chart(report.forecast))
    year = [d.count for d in report.heatmap]
    lines += ["", "## Reviews per day, last year", "", "```text", *text_heatmap(report.heatmap), "```"]
    lines += [f"{sum(year)} reviews on {sum(1 for c in year if c)} days (· none, ░▒▓█ more)."]
    lines += _chart(files, chart_prefix, "heatmap", "Reviews per day", svg.heatmap_chart(report.heatmap))
    lines += ["", "## Intervals and easiness factors", ""]
    lines += _table(
        ["interval", "cards", ""],
        [[md(b.label), str(b.count), f"`{_hbar(b.count, report.intervals)}`"] for b in report.intervals],
        "lrl",
    )
    lines += [""]
    lines += _table(
        ["EF", "cards", ""], [[md(b.label), str(b.count), f"`{_hbar(b.count, report.ef)}`"] for b in report.ef], "lrl"
    )
    lines += _chart(
        files,
        chart_prefix,
        "intervals",
        "Cards per interval",
        svg.histogram_chart(report.intervals, "Cards per interval", "intervals"),
    )
    lines += _chart(
        files,
        chart_prefix,
        "ef",
        "Cards per EF range",
        svg.histogram_chart(report.ef, "Cards per EF range", "ef-histogram", color="#8250df"),
    )
    return MarkdownReport("\n".join(lines) + "\n", files)


def _hbar(count: int, buckets: list[Bucket]) -> str:
    top = max((b.count for b in buckets), default=0)
    return bar(count / top if top else 0.0, 20).rstrip() or "▏"


def render_class_markdown(report: ClassReport) -> MarkdownReport:
    scope = f"reviews since {report.since.isoformat()}" if report.since else "whole history"
    lines = ["# Class report", "", f"_{report.today.isoformat()} · {len(report.learners)} learners · {scope}_", ""]
    lines += ["## Learners", ""]
    lines += _table(
        ["learner", "seen", "learned", "mature", "due", "reviews", "time", "retention", "30 days", "streak",
         "longest", "last study day"],
        [
            [
                md(x.profile), str(x.seen), str(x.learned), str(x.mature), str(x.due), str(x.reviews),
                duration(x.time_spent_ms), pct(x.retention), pct(x.retention_30d), f"{x.current_streak} d",
                f"{x.longest_streak} d", x.last_day.isoformat() if x.last_day else "–",
            ]
            for x in report.learners
        ],
    )  # fmt: skip
    lines += ["", "## The class's weakest topics", ""]
    lines += _topic_table(report.weakest_topics) if report.weakest_topics else ["No reviews yet."]
    lines += ["", "## All topics (learner × card)", "", *_topic_table(report.topics)]
    return MarkdownReport("\n".join(lines) + "\n")
