"""A seeded synthetic history at scale, written through the real schema: 5,000 cards, 1,000,000 reviews.

Used by the store, report and run benchmarks. One profile ('bench') holds everything, the worst case for
per-profile queries. Reviews span two years up to TODAY, with scheduled, re-drill and cram kinds.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from _util import Figure, print_table
from sqlalchemy import insert

from quizdl.bank.model import Bank, Question
from quizdl.store.engine import open_engine
from quizdl.store.repo import ensure_profile
from quizdl.store.schema import Card, Review

TODAY = date(2026, 6, 30)
DAYS = 730
TOPICS = 20
CARDS = 5_000
REVIEWS = 1_000_000
CHUNK = 50_000


def synthetic_bank(cards: int = CARDS) -> Bank:
    questions = tuple(
        Question(
            id=f"card-{i:05d}", topic=f"topic-{i % TOPICS:02d}", question=f"Question {i}?", answer="An answer.",
            key_points=("a point",), difficulty=1 + i % 3, tags=("synthetic",),
        )
        for i in range(cards)
    )  # fmt: skip
    return Bank(questions=questions, topic_titles={f"topic-{t:02d}": f"Topic {t}" for t in range(TOPICS)})


def populate(url: str, n_reviews: int = REVIEWS, n_cards: int = CARDS, seed: int = 7) -> tuple[int, float]:
    """Fill an empty database; returns the profile id and the seconds it took."""
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
    with engine.begin() as conn:
        for lo in range(0, n_reviews, CHUNK):
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
                for i in range(lo, min(lo + CHUNK, n_reviews))
            ]  # fmt: skip
            conn.execute(insert(Review.__table__), rows)
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


def review_count(path: Path) -> int:
    """How many reviews the synthetic database at `path` holds (read with sqlite3, no migration)."""
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM reviews").fetchone()[0])


def ensure_database(path: Path, reviews: int = REVIEWS) -> Path:
    """The synthetic database of `reviews` reviews at `path`, generated on first use (1M: ~10 s, ~200 MB)."""
    if not path.exists():
        _, seconds = populate(f"sqlite:///{path}", n_reviews=reviews)
        print(f"generated {reviews:,} reviews of {CARDS:,} cards in {seconds:.1f} s -> {path}")
    elif not reviews <= (held := review_count(path)) < 2 * reviews:  # store.py adds a few answers per run
        raise SystemExit(f"{path} holds {held:,} reviews, not {reviews:,}: delete it or keep another file")
    return path


def main_at_scale(description: str, measure: Callable[[Path, int], list[Figure]], title: str, repeat: int) -> None:
    """The command line shared by the benchmarks that need the synthetic database (store.py, report.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--keep", type=Path, help="Generate into this SQLite file once and reuse it.")
    parser.add_argument("--reviews", type=int, default=REVIEWS, help=f"size of the history (default {REVIEWS:,})")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_file = ensure_database(args.keep or Path(tmp) / "bench.db", args.reviews)
        print_table(measure(db_file, args.repeat), f"{title} ({os.cpu_count()} cores)")
