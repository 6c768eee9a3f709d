"""Benchmark: build the progress report over 1,000,000 reviews of 5,000 cards on SQLite, in every format.

    python benchmarks/report.py [--reviews 1000000] [--cards 5000] [--seed 7]

Generates a seeded synthetic history through the real schema (a temp SQLite file migrated by open_engine;
bulk executemany inserts through the SQLAlchemy Core tables, plus the matching `cards` rows), then times the
aggregation alone and each format end to end (aggregation + rendering). The CSV format is the review log
itself, one row per review: it is timed apart, as an export. The issue's target: a report under 2 s.
Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from quizdl.bank.model import Bank, Question
from quizdl.reports.render_csv import write_review_log
from quizdl.reports.render_html import render_html
from quizdl.reports.render_json import render_json
from quizdl.reports.render_md import render_markdown
from quizdl.reports.stats import build_class_report, build_report
from quizdl.store.engine import open_engine
from quizdl.store.repo import ensure_profile
from quizdl.store.schema import Card, Review

TODAY = date(2026, 6, 30)
DAYS = 730
TOPICS = 20
CHUNK = 50_000


def synthetic_bank(cards: int) -> Bank:
    questions = tuple(
        Question(
            id=f"card-{i:05d}", topic=f"topic-{i % TOPICS:02d}", question=f"Question {i}?", answer="An answer.",
            key_points=("a point",), difficulty=1 + i % 3, tags=("synthetic",),
        )
        for i in range(cards)
    )  # fmt: skip
    return Bank(questions=questions, topic_titles={f"topic-{t:02d}": f"Topic {t}" for t in range(TOPICS)})


def populate(url: str, n_reviews: int, n_cards: int, seed: int) -> tuple[int, float]:
    rng = np.random.default_rng(seed)
    engine = open_engine(url)
    pid = ensure_profile(engine, "bench", datetime(2024, 1, 1, tzinfo=UTC))
    start = time.perf_counter()
    card = rng.integers(0, n_cards, n_reviews)
    day = np.sort(rng.integers(0, DAYS, n_reviews))  # chronological, like a real log
    kind = rng.choice(np.array(["scheduled", "redrill", "cram"]), n_reviews, p=[0.8, 0.12, 0.08])
    grade = rng.choice(6, n_reviews, p=[0.03, 0.04, 0.08, 0.25, 0.35, 0.25])
    ms = rng.integers(800, 60_000, n_reviews)
    ef = np.round(rng.uniform(1.3, 3.0, n_reviews), 2)
    interval = rng.integers(1, 200, n_reviews)
    reps = rng.integers(0, 10, n_reviews)
    first = TODAY - timedelta(days=DAYS - 1)
    days = [first + timedelta(days=int(d)) for d in range(DAYS)]
    reviews_t = Review.__table__
    with engine.begin() as conn:
        for lo in range(0, n_reviews, CHUNK):
            hi = min(lo + CHUNK, n_reviews)
            rows = [
                {
                    "profile_id": pid, "session_id": None, "question_id": f"card-{card[i]:05d}",
                    "reviewed_at": datetime.combine(days[day[i]], datetime.min.time(), UTC) + timedelta(seconds=i % 86_000),
                    "study_day": days[day[i]], "kind": str(kind[i]), "grade": int(grade[i]), "response_ms": int(ms[i]),
                    "typed_answer": None, "ef_before": float(ef[i]), "interval_before": int(interval[i]),
                    "repetitions_before": int(reps[i]), "due_before": days[day[i]], "ef_after": float(ef[i]),
                    "interval_after": int(interval[i]), "repetitions_after": int(reps[i]),
                    "due_after": days[day[i]] + timedelta(days=int(interval[i])),
                }
                for i in range(lo, hi)
            ]  # fmt: skip
            conn.execute(insert(reviews_t), rows)
        card_rows = [
            {
                "profile_id": pid, "question_id": f"card-{i:05d}", "ef": float(np.round(rng.uniform(1.3, 3.0), 2)),
                "interval": int(rng.integers(1, 400)), "repetitions": int(rng.integers(0, 12)),
                "due": TODAY + timedelta(days=int(rng.integers(-20, 120))), "lapses": int(rng.integers(0, 6)),
                "last_review": TODAY - timedelta(days=int(rng.integers(0, 60))), "introduced_on": first,
            }
            for i in range(n_cards)
        ]  # fmt: skip
        conn.execute(insert(Card.__table__), card_rows)
    engine.dispose()
    return pid, time.perf_counter() - start


def timed(label: str, fn) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    print(f"  {label:<34} {best:6.3f} s")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Generate into this SQLite file, or reuse it if it exists.")
    args = parser.parse_args()
    bank = synthetic_bank(args.cards)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.db"
        url = f"sqlite:///{path}"
        if args.keep is not None and path.exists():
            pid = 1
            print(f"reusing {path}")
        else:
            pid, seconds = populate(url, args.reviews, args.cards, args.seed)
            size = path.stat().st_size / 1e6
            print(f"generated {args.reviews:,} reviews of {args.cards:,} cards in {seconds:.1f} s ({size:.0f} MB)")
        engine = open_engine(url)
        build_report(engine, pid, bank, TODAY)  # warm the page cache once, as a second report would find it
        print("best of 3 (report from the database, each format end to end):")
        since = TODAY - timedelta(days=89)
        figures = [
            timed("aggregation only", lambda: build_report(engine, pid, bank, TODAY)),
            timed("aggregation, --since (last 90 days)", lambda: build_report(engine, pid, bank, TODAY, since)),
            timed("json", lambda: render_json(build_report(engine, pid, bank, TODAY))),
            timed("md (with SVG charts)", lambda: render_markdown(build_report(engine, pid, bank, TODAY), "r")),
            timed("html", lambda: render_html(build_report(engine, pid, bank, TODAY))),
            timed("class report (--all-profiles)", lambda: build_class_report(engine, bank, TODAY)),
        ]
        print(f"slowest report: {max(figures):.3f} s (target: under 2 s)")
        print("the review log export (every row written, so not held to the report target):")
        timed("csv, one row per review", lambda: write_review_log(engine, io.StringIO(), bank, [pid]))
        engine.dispose()


if __name__ == "__main__":
    main()
