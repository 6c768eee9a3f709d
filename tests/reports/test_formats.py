"""Every format from the scripted history: Markdown, HTML, CSV, JSON, the terminal, and the CLI around them."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from quizdl.reports.render_csv import CSV_COLUMNS, write_review_log
from quizdl.reports.render_html import render_class_html, render_html
from quizdl.reports.render_json import CLASS_SCHEMA, REPORT_SCHEMA, render_json
from quizdl.reports.render_md import md, render_class_markdown, render_markdown
from quizdl.reports.stats import build_class_report, build_report
from quizdl.reports.text import bar, duration, pct, sparkline, text_heatmap, vertical_bars
from tests.reports.conftest import History
from tests.reports.history import TODAY


def test_json_is_the_whole_report(history: History) -> None:
    data = json.loads(render_json(build_report(history.engine, history.alice, history.bank, TODAY)))
    assert data["schema"] == REPORT_SCHEMA and data["profile"] == "alice" and data["today"] == "2026-01-31"
    assert set(data) == {"schema", "profile", "today", "since", "overview", "retention", "topics", "weakest",
                         "forecast", "heatmap", "intervals", "ef", "readiness"}  # fmt: skip
    ready = data["readiness"]
    assert ready["seen"] == data["overview"]["seen"] and ready["plan"] is None
    assert 0 < ready["recall_today"] < 1 and ready["calibration_answers"] > 0
    assert sum(b["answers"] for b in ready["calibration"]) == ready["calibration_answers"]
    assert data["overview"]["reviews_by_kind"] == {"scheduled": 20, "redrill": 7, "cram": 4, "prep": 0}
    assert data["overview"]["current_streak"] == 7 and data["overview"]["first_day"] == "2026-01-01"
    assert data["retention"][0] == {"label": "7 days", "days": 7, "scheduled": 8, "passed": 7, "rate": 0.875}
    assert data["topics"][0]["topic"] == "alpha" and data["topics"][0]["mastery"] == 1.0
    assert data["forecast"]["start"] == "2026-01-31" and data["forecast"]["counts"][:5] == [2, 0, 1, 0, 1]
    assert len(data["heatmap"]["counts"]) == 365 and sum(data["heatmap"]["counts"]) == 31
    assert data["weakest"][0]["question"].startswith("Why is <script>")  # data stays data in JSON
    assert {"label": "1-3mo", "count": 2} in data["intervals"]


def test_class_json(history: History) -> None:
    data = json.loads(render_json(build_class_report(history.engine, history.bank, TODAY)))
    assert data["schema"] == CLASS_SCHEMA and [x["profile"] for x in data["learners"]] == ["alice", "bob"]
    assert data["weakest_topics"][0]["topic"] == "beta"


def test_markdown_tables_sparklines_and_svg_files(history: History) -> None:
    page = render_markdown(build_report(history.engine, history.alice, history.bank, TODAY), "progress")
    text = page.text
    assert text.startswith("# Progress report: alice\n")
    assert "| Cards seen | 6 of 7 |" in text and "| Current streak | 7 days |" in text
    assert "| 7 days | 8 | 7 | 87.5% |" in text and "| all time | 20 | 17 | 85% |" in text
    # Bank text cannot break the table or inject HTML.
    assert r"Why is \<script\>alert\('x'\)\</script\> \| a & b?" in text and "<script>" not in text
    assert "Alpha & \\<friends\\>" in text
    assert "`█▁▄▁▄▁▁" in text  # the forecast sparkline: 2, 0, 1, 0, 1, ...
    assert sorted(page.files) == ["progress-ef.svg", "progress-forecast.svg", "progress-heatmap.svg",
                                  "progress-intervals.svg"]  # fmt: skip
    for name, content in page.files.items():
        assert "![" in text and f"]({name})" in text
        ElementTree.fromstring(content)  # each chart is well-formed standalone SVG
    assert not render_markdown(build_report(history.engine, history.alice, history.bank, TODAY)).files


def test_class_markdown(history: History) -> None:
    text = render_class_markdown(build_class_report(history.engine, history.bank, TODAY)).text
    assert "| bob | 2 | 1 | 0 | 1 | 3 | 4s | 50% | 50% | 2 d | 2 d | 2026-01-31 |" in text
    assert text.index("## The class's weakest topics") < text.index("| Beta |")


def test_html_is_self_contained_and_escaped(history: History) -> None:
    page = render_html(build_report(history.engine, history.alice, history.bank, TODAY))
    assert page.startswith("<!DOCTYPE html>") and '<meta name="viewport"' in page
    assert "<script" not in page.lower() and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "@import" not in page and "url(" not in page
    assert "Why is &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; | a &amp; b?" in page
    assert "Alpha &amp; &lt;friends&gt;" in page
    assert page.count("<svg") == 4  # forecast, calendar, intervals, EF
    assert page.count('class="day"') == 365 and page.count('class="bar"') == 30 + 10 + 8
    assert "2026-01-29: 4 reviews" in page and "2026-01-31: 2 due (incl. overdue)" in page
    assert_balanced(page)


VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return None

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def assert_balanced(page: str) -> None:
    """Every element the page opens is closed, in order (HTML void elements aside)."""
    parser = _Balance()
    parser.feed(page)
    parser.close()
    assert parser.stack == []


def test_class_html(history: History) -> None:
    page = render_class_html(build_class_report(history.engine, history.bank, TODAY))
    assert '<td class="text wide">bob</td>' in page and "The class's weakest topics" in page
    assert_balanced(page)


def test_csv_review_log(history: History) -> None:
    out = io.StringIO()
    n = write_review_log(history.engine, out, history.bank, [history.alice, history.bob])
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert n == 34 and len(rows) == 34 and tuple(rows[0]) == CSV_COLUMNS
    first = rows[0]
    assert (first["profile"], first["question_id"], first["topic"], first["kind"], first["grade"]) == (
        "alice", "a1", "alpha", "scheduled", "5",
    )  # fmt: skip
    assert first["reviewed_at"] == "2026-01-01T09:02:00.000000Z" and first["study_day"] == "2026-01-01"
    assert (first["ef_before"], first["ef_after"], first["due_before"], first["due_after"]) == (
        "2.5", "2.6", "", "2026-01-02",
    )  # fmt: skip
    assert first["typed_answer"] == 'typed <a1> "answer"' and first["response_ms"] == "1500"
    assert sum(r["passed"] == "1" for r in rows if r["kind"] == "scheduled" and r["profile"] == "alice") == 17
    assert [r["profile"] for r in rows].count("bob") == 3
    since = io.StringIO()
    from datetime import date

    assert write_review_log(history.engine, since, history.bank, [history.alice], date(2026, 1, 30)) == 4


def test_text_helpers() -> None:
    assert pct(None) == "–" and pct(0.85) == "85%" and pct(0.875) == "87.5%" and pct(1.0) == "100%"
    assert duration(46_500) == "46s" and duration(725_000) == "12m 05s" and duration(11_220_000) == "3h 07m"
    assert sparkline([0, 4, 8]) == "▁▄█" and sparkline([0, 0]) == "▁▁"
    assert bar(0.5, 4) == "██  " and bar(1.0, 2) == "██"
    assert vertical_bars([0, 8], 2) == [" █", " █"] and vertical_bars([4, 8], 1) == ["▄█"]
    assert md("a|b *c*\n<d>") == r"a\|b \*c\* \<d\>"


def test_text_heatmap_lays_out_weeks(history: History) -> None:
    lines = text_heatmap(build_report(history.engine, history.alice, history.bank, TODAY).heatmap)
    assert [line[:3] for line in lines[1:]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    # 2026-01-31 is a Saturday with 2 reviews (level 2 of the busiest day's 4); Sunday 01-25 had 1.
    assert lines[6].endswith("·▒") and lines[7].endswith("·░") and lines[5].endswith("▒")
    assert re.search(r"\bJan\b", lines[0])


def test_the_docs_describe_every_csv_column_and_json_field(history: History) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "reports.md").read_text(encoding="utf-8")
    for column in CSV_COLUMNS:
        assert column in docs, column
    data = json.loads(render_json(build_report(history.engine, history.alice, history.bank, TODAY)))
    fields = {*data, *data["overview"], *data["topics"][0], *data["weakest"][0], *data["retention"][0]}
    for name in fields:
        assert f'"{name}"' in docs, name


def test_markdown_and_html_show_predicted_recall_and_calibration(history: History) -> None:
    report = build_report(history.engine, history.alice, history.bank, TODAY)
    assert report.readiness is not None
    text = render_markdown(report).text
    assert "## Predicted recall" in text and "### Calibration on your own log" in text
    assert f"Predicted recall today {round(100 * report.readiness.recall_today)}%" in text  # type: ignore[operator]
    verdict = "Too little history" if not report.readiness.calibrated else "the model predicted"
    assert verdict in text
    html = render_html(report)
    assert '<section id="readiness">' in html and verdict in html
