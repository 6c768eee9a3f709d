"""Benchmark: build the progress report over 1,000,000 reviews of 5,000 cards on SQLite, in every format.

    python benchmarks/report.py [--repeat 3] [--keep FILE]

The history comes from synth.py (seeded, through the real schema). Each figure is one format end to end:
aggregation and rendering (CSV writes the whole review log, one row per review). Budget: 2 s per report.
Prints figures; not a test.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from _util import Figure, timed_ms
from synth import TODAY, main_at_scale, synthetic_bank

from quizdl.reports.render_csv import write_review_log
from quizdl.reports.render_html import render_html
from quizdl.reports.render_json import render_json
from quizdl.reports.render_md import render_markdown
from quizdl.reports.stats import build_class_report, build_report
from quizdl.store.engine import open_engine
from quizdl.store.repo import find_profile

BUDGET_MS = 2000


def measure(db_file: Path, repeat: int) -> list[Figure]:
    engine = open_engine(f"sqlite:///{db_file}")
    bank = synthetic_bank()
    pid = find_profile(engine, "bench")
    assert pid is not None, f"{db_file} holds no 'bench' profile"
    since = TODAY - timedelta(days=89)
    runs = {
        "report: aggregation only": lambda: build_report(engine, pid, bank, TODAY),
        "report: json": lambda: render_json(build_report(engine, pid, bank, TODAY)),
        "report: md (with SVG charts)": lambda: render_markdown(build_report(engine, pid, bank, TODAY), "report"),
        "report: html": lambda: render_html(build_report(engine, pid, bank, TODAY)),
        "report: --since (last 90 days)": lambda: render_html(build_report(engine, pid, bank, TODAY, since)),
        "report: --all-profiles (class)": lambda: build_class_report(engine, bank, TODAY),
        "report: csv (1,000,000-row review log)": lambda: write_review_log(engine, io.StringIO(), bank, [pid]),
    }
    figures = [Figure(label, [timed_ms(fn) for _ in range(repeat)], budget=BUDGET_MS) for label, fn in runs.items()]
    engine.dispose()
    return figures


def main() -> None:
    main_at_scale(__doc__.splitlines()[0], measure, "reports over 1,000,000 reviews", repeat=3)


if __name__ == "__main__":
    main()
