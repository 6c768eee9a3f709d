"""Benchmark: build the progress report over 1,000,000 reviews of 5,000 cards on SQLite, in every format.

    python benchmarks/report.py [--repeat 3] [--keep FILE] [--reviews N]

The history comes from synth.py (seeded, through the real schema). Each figure is one format end to end:
aggregation and rendering (CSV writes the whole review log, one row per review). Budgets are ratios to
floors measured in the same run, through the same driver (sqlite3) on the same database, so they mean the
same on any machine: every report within 3x one bare aggregate pass over the log (`SELECT study_day,
count(*) ... GROUP BY study_day`), the CSV within 1.5x a bare `SELECT *` fetch of the same rows in the same
order. Each round times the floors and every format once, so machine noise hits them alike.
Prints figures; not a test.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from contextlib import closing
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

REPORT_RATIO = 3.0  # a report over the bare GROUP BY pass
CSV_RATIO = 1.5  # the CSV over the bare SELECT * fetch
AGGREGATE_SQL = "SELECT study_day, count(*) FROM reviews WHERE profile_id = ? GROUP BY study_day"
FETCH_SQL = "SELECT * FROM reviews WHERE profile_id = ? ORDER BY reviewed_at, id"  # the CSV's rows and order


def bare_aggregate(db_file: Path, pid: int) -> Callable[[], object]:
    def run() -> object:
        with closing(sqlite3.connect(db_file)) as conn:
            return conn.execute(AGGREGATE_SQL, (pid,)).fetchall()

    return run


def bare_fetch(db_file: Path, pid: int) -> Callable[[], int]:
    def run() -> int:
        rows = 0
        with closing(sqlite3.connect(db_file)) as conn:
            cursor = conn.execute(FETCH_SQL, (pid,))
            while batch := cursor.fetchmany(10_000):
                rows += len(batch)
        return rows

    return run


def measure(db_file: Path, repeat: int) -> list[Figure]:
    engine = open_engine(f"sqlite:///{db_file}")
    bank = synthetic_bank()
    pid = find_profile(engine, "bench")
    assert pid is not None, f"{db_file} holds no 'bench' profile"
    rows = bare_fetch(db_file, pid)()  # also warms the OS file cache for every figure alike
    since = TODAY - timedelta(days=89)
    floors = {
        "floor: bare GROUP BY study_day (sqlite3)": bare_aggregate(db_file, pid),
        f"floor: bare SELECT * of {rows:,} rows (sqlite3)": bare_fetch(db_file, pid),
    }
    reports = {
        "report: aggregation only": lambda: build_report(engine, pid, bank, TODAY),
        "report: json": lambda: render_json(build_report(engine, pid, bank, TODAY)),
        "report: md (with SVG charts)": lambda: render_markdown(build_report(engine, pid, bank, TODAY), "report"),
        "report: html": lambda: render_html(build_report(engine, pid, bank, TODAY)),
        "report: --since (last 90 days)": lambda: render_html(build_report(engine, pid, bank, TODAY, since)),
        "report: --all-profiles (class)": lambda: build_class_report(engine, bank, TODAY),
    }
    csv_label = f"report: csv ({rows:,}-row review log)"
    runs = {**floors, **reports, csv_label: lambda: write_review_log(engine, io.StringIO(), bank, [pid])}
    samples: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(repeat):
        for label, fn in runs.items():
            samples[label].append(timed_ms(fn))
    engine.dispose()
    aggregate, fetch = (Figure(label, samples[label]) for label in floors)
    figures = [aggregate, fetch]
    figures += [Figure(label, samples[label], floor=aggregate, ratio_budget=REPORT_RATIO) for label in reports]
    figures.append(Figure(csv_label, samples[csv_label], floor=fetch, ratio_budget=CSV_RATIO))
    return figures


def main() -> None:
    main_at_scale(__doc__.splitlines()[0], measure, "reports over the synthetic history", repeat=3)


if __name__ == "__main__":
    main()
