"""The report as one self-contained HTML page: inline CSS and SVG charts, no script, no network.

Readable on a phone (viewport meta, fluid grid, charts that scale, tables that scroll sideways). Every piece
of bank or user text goes through html.escape (`_e`).
"""

from __future__ import annotations

from html import escape

from quizdl.planning import Readiness
from quizdl.reports import svg
from quizdl.reports.stats import ClassReport, Report, TopicRow
from quizdl.reports.text import duration, ef_text, pct

CSS = """
:root{color-scheme:light;--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--card:#fff;--accent:#2f6fdf;
--good:#1a7f37;--warn:#9a6700;--bad:#cf222e}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:980px;margin:0 auto;padding:16px}
header h1{margin:8px 0 0;font-size:1.6rem}
header p{margin:2px 0 12px;color:var(--muted)}
h2{font-size:1.15rem;margin:0 0 10px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:14px 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px}
.tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 12px}
.tile b{display:block;font-size:1.5rem;line-height:1.2}
.tile span{color:var(--muted);font-size:.85rem}
.two{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px}
.two section{margin:0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.scroll.recent{direction:rtl}.scroll.recent>*{direction:ltr}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{padding:6px 7px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{color:var(--muted);font-weight:600;background:var(--bg)}
th.left,td:first-child,td.text{text-align:left}
td.meter-cell{white-space:nowrap;text-align:left}
td.text{white-space:normal}td.wide{min-width:12em}
.meter{display:inline-block;width:80px;height:8px;border-radius:4px;background:var(--line);vertical-align:middle;
margin-right:6px;overflow:hidden}
.meter i{display:block;height:100%;background:var(--accent)}
.good{color:var(--good)}.warn{color:var(--warn)}.bad{color:var(--bad)}
svg.chart{width:100%;height:auto;display:block}
svg.heatmap{min-width:520px}
.muted{color:var(--muted)}
footer{color:var(--muted);font-size:.8rem;margin:18px 0 30px}
code{font-size:.85em}
@media (max-width:520px){main{padding:10px}section{padding:10px}.tile b{font-size:1.25rem}th,td{padding:5px 4px}table{font-size:.85rem}}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _page(title: str, subtitle: str, body: list[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            "<main>",
            f"<header><h1>{_e(title)}</h1><p>{_e(subtitle)}</p></header>",
            *body,
            "<footer>Made by quizdl. True retention counts scheduled reviews only (not re-drills, not cram); a "
            "card is mature once its interval reaches 21 days.</footer>",
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _readiness_section(ready: Readiness) -> str:
    from quizdl.planning import readiness_line
    from quizdl.reports.text import calibration_table, calibration_verdict, recall_topic_table

    parts = [f"<p><strong>{_e(readiness_line(ready))}</strong></p>",
             '<p class="muted">FSRS-6 memory model (py-fsrs) over the whole review log.</p>']  # fmt: skip
    if ready.seen:
        headers, rows = recall_topic_table(ready)
        parts.append(_table(headers, [[_td(c, "text" if i == 0 else "") for i, c in enumerate(r)] for r in rows]))
    parts.append(f"<h3>Calibration on your own log</h3><p>{_e(calibration_verdict(ready))}</p>")
    if ready.calibrated:
        headers, rows = calibration_table(ready)
        parts.append(_table(headers, [[_td(c) for c in r] for r in rows]))
    return '<section id="readiness"><h2>Predicted recall</h2>' + "".join(parts) + "</section>"


def _table(headers: list[str], rows: list[list[str]], left: tuple[int, ...] = (0,)) -> str:
    """`rows` hold cells that are already escaped HTML; the `left` columns' headers align left."""
    head = "".join(
        (f'<th class="left">{_e(h)}</th>' if i in left else f"<th>{_e(h)}</th>") for i, h in enumerate(headers)
    )
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _td(value: object, css_class: str = "") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    return f"<td{cls}>{_e(value)}</td>"


def _rate_td(rate: float | None) -> str:
    if rate is None:
        return _td("–", "muted")
    return _td(pct(rate), "good" if rate >= 0.85 else "warn" if rate >= 0.7 else "bad")


def _meter(share: float, text: str) -> str:
    width = round(min(max(share, 0.0), 1.0) * 100)
    return f'<td class="meter-cell"><span class="meter"><i style="width:{width}%"></i></span>{_e(text)}</td>'


def _tile(value: object, label: str) -> str:
    return f'<div class="tile"><b>{_e(value)}</b><span>{_e(label)}</span></div>'


def _topic_rows(topics: list[TopicRow]) -> list[list[str]]:
    return [
        [
            _td(t.title, "text wide"), _meter(t.mastery, f"{t.learned}/{t.cards}"), _td(t.seen), _td(t.mature), _td(t.due),
            _td(ef_text(t.mean_ef)), _td(t.lapses), _rate_td(t.retention), _td(t.scheduled),
        ]
        for t in topics
    ]  # fmt: skip


TOPIC_HEADERS = [
    "topic",
    "learned",
    "seen",
    "mature",
    "due",
    "mean EF",
    "lapses",
    "retention",
    "reviews",
]


def render_html(report: Report) -> str:
    o = report.overview
    thirty = next(r for r in report.retention if r.days == 30)
    scope = f"reviews since {report.since.isoformat()}" if report.since else "whole history"
    kinds = ", ".join(f"{n} {k}" for k, n in o.reviews_by_kind.items())
    tiles = [
        _tile(f"{o.seen}/{o.cards_in_bank}", "cards seen"), _tile(o.mature, "mature (≥ 21 d)"),
        _tile(o.young, "young"), _tile(o.new, "new"), _tile(o.due, f"due today ({o.overdue} overdue)"),
        _tile(o.reviews, "reviews"), _tile(duration(o.time_spent_ms), "time spent"),
        _tile(f"{o.current_streak} d", "current streak"), _tile(f"{o.longest_streak} d", "longest streak"),
        _tile(pct(thirty.rate), "retention, 30 days"),
    ]  # fmt: skip
    retention_rows = [[_td(r.label), _td(r.scheduled), _td(r.passed), _rate_td(r.rate)] for r in report.retention]
    weak_rows = [
        [
            _td(w.question, "text wide"), _td(w.topic, "text"), _td(w.lapses), _td(ef_text(w.ef)), _td(f"{w.interval} d"),
            _td(w.due.isoformat()),
        ]
        for w in report.weakest
    ]  # fmt: skip
    body = [
        '<div class="tiles">' + "".join(tiles) + "</div>",
        f'<p class="muted">Reviews: {_e(kinds)} · {o.study_days} study days'
        + (
            f" · first {_e(o.first_day.isoformat())}, last {_e(o.last_day.isoformat())}"
            if o.first_day and o.last_day
            else ""
        )
        + (f" · {o.removed} cards of removed questions not counted" if o.removed else "")
        + "</p>",
        '<section id="retention"><h2>True retention</h2>'
        + _table(["window", "scheduled", "passed (≥ 3)", "retention"], retention_rows)
        + "</section>",
        '<section id="topics"><h2>Topics</h2>'
        + _table(TOPIC_HEADERS, _topic_rows(report.topics), (0, 1))
        + "</section>",
        _readiness_section(report.readiness) if report.readiness is not None else "",
        '<section id="weakest"><h2>Weakest cards</h2>'
        + (
            _table(["question", "topic", "lapses", "EF", "interval", "due"], weak_rows, (0, 1))
            if weak_rows
            else '<p class="muted">No lapses and no lowered EF yet.</p>'
        )
        + "</section>",
        '<section id="forecast"><h2>Due forecast, next 30 days</h2>'
        + svg.forecast_chart(report.forecast)
        + "</section>",
        '<section id="calendar"><h2>Reviews per day, last year</h2><div class="scroll recent">'
        + svg.heatmap_chart(report.heatmap)
        + "</div></section>",
        '<div class="two">'
        + '<section id="intervals"><h2>Intervals</h2>'
        + svg.histogram_chart(report.intervals, "Cards per interval", "intervals")
        + "</section>"
        + '<section id="ef"><h2>Easiness factors</h2>'
        + svg.histogram_chart(report.ef, "Cards per EF range", "ef-histogram", color="#8250df")
        + "</section></div>",
    ]
    return _page(f"Progress report: {report.profile}", f"{report.today.isoformat()} · {scope}", body)


def render_class_html(report: ClassReport) -> str:
    scope = f"reviews since {report.since.isoformat()}" if report.since else "whole history"
    learner_rows = [
        [
            _td(x.profile, "text wide"), _td(x.seen), _td(x.learned), _td(x.mature), _td(x.due), _td(x.reviews),
            _td(duration(x.time_spent_ms)), _rate_td(x.retention), _rate_td(x.retention_30d),
            _td(f"{x.current_streak} d"), _td(f"{x.longest_streak} d"),
            _td(x.last_day.isoformat() if x.last_day else "–"),
        ]
        for x in report.learners
    ]  # fmt: skip
    headers = ["learner", "seen", "learned", "mature", "due", "reviews", "time", "retention", "30 days", "streak",
               "longest", "last study day"]  # fmt: skip
    body = [
        '<div class="tiles">'
        + _tile(len(report.learners), "learners")
        + _tile(sum(x.reviews for x in report.learners), "reviews")
        + _tile(duration(sum(x.time_spent_ms for x in report.learners)), "time spent")
        + "</div>",
        '<section id="learners"><h2>Learners</h2>' + _table(headers, learner_rows) + "</section>",
        '<section id="weakest-topics"><h2>The class\'s weakest topics</h2>'
        + (
            _table(TOPIC_HEADERS, _topic_rows(report.weakest_topics), (0, 1))
            if report.weakest_topics
            else '<p class="muted">No reviews yet.</p>'
        )
        + "</section>",
        '<section id="topics"><h2>All topics (learner × card)</h2>'
        + _table(TOPIC_HEADERS, _topic_rows(report.topics), (0, 1))
        + "</section>",
    ]
    return _page("Class report", f"{report.today.isoformat()} · {len(report.learners)} learners · {scope}", body)
