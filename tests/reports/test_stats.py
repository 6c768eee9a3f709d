"""The aggregation core against figures worked out by hand from tests/reports/history.py (SQLite and PostgreSQL).

Alice, on day 30 (2026-01-31), after the script:
  card  reviews (scheduled grades)   state now
  a1    5 5 5 5 (+ a cram)           I=48 EF=2.90 n=4 due day 72       mature
  a2    4 3 1 4 (+ 3 re-drills)      I=1  EF=1.82 n=1 due day 9 lapse  overdue
  a3    5 4                          I=6  EF=2.60 n=2 due day 32
  b1    5 2 5 4 5 3 (+ 2 re-drills)  I=38 EF=2.34 n=4 due day 64 lapse mature
  b2    0 5 (+ 2 re-drills, 1 cram)  I=1  EF=1.80 n=1 due day 30       due today
  g1    5 5 (+ 2 cram)               I=6  EF=2.70 n=2 due day 34
  g2    never                                                           new
Scheduled: 20, of which 17 graded >= 3; re-drills 7; cram 4; 31 reviews of 1.5 s each.
Study days 0-8, 11, 24-30: 17 days; longest run 0-8 (9), current 24-30 (7).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from quizdl.reports.stats import HEATMAP_DAYS, build_class_report, build_report, streaks
from tests.reports.conftest import History
from tests.reports.history import DAY0, TODAY


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def test_overview(history: History) -> None:
    o = build_report(history.engine, history.alice, history.bank, TODAY).overview
    assert (o.cards_in_bank, o.seen, o.new, o.young, o.mature) == (7, 6, 1, 4, 2)
    assert (o.due, o.overdue, o.learned, o.removed) == (2, 1, 6, 0)
    assert o.reviews == 31 and o.reviews_by_kind == {"scheduled": 20, "redrill": 7, "cram": 4, "prep": 0}
    assert o.reviews_today == 2 and o.time_spent_ms == 31 * 1500
    assert (o.study_days, o.current_streak, o.longest_streak) == (17, 7, 9)
    assert (o.first_day, o.last_day) == (day(0), day(30))


def test_true_retention_counts_only_scheduled_reviews(history: History) -> None:
    retention = build_report(history.engine, history.alice, history.bank, TODAY).retention
    assert [(r.label, r.scheduled, r.passed) for r in retention] == [
        ("7 days", 8, 7),  # days 24-30: a1 5, a3 5 4, b1 3, g1 5 5, b2 0 5
        ("30 days", 18, 15),  # days 1-30: all but day 0's two passes
        ("365 days", 20, 17),
        ("all time", 20, 17),
    ]
    assert retention[0].rate == 0.875 and retention[3].rate == 0.85


def test_topics(history: History) -> None:
    topics = {t.topic: t for t in build_report(history.engine, history.alice, history.bank, TODAY).topics}
    alpha, beta, gamma = topics["alpha"], topics["beta"], topics["gamma"]
    assert (alpha.cards, alpha.seen, alpha.learned, alpha.mature, alpha.due, alpha.lapses) == (3, 3, 3, 1, 1, 1)
    assert alpha.mean_ef == 2.44 and (alpha.scheduled, alpha.passed, alpha.retention) == (10, 9, 0.9)
    assert (beta.cards, beta.seen, beta.mature, beta.due, beta.mean_ef, beta.lapses) == (2, 2, 1, 1, 2.07, 1)
    assert (beta.scheduled, beta.passed, beta.retention) == (8, 6, 0.75)
    assert (gamma.cards, gamma.seen, gamma.mean_ef, gamma.retention, gamma.mastery) == (2, 1, 2.7, 1.0, 0.5)
    assert alpha.title == "Alpha & <friends>"


def test_weakest_cards_forecast_and_distributions(history: History) -> None:
    r = build_report(history.engine, history.alice, history.bank, TODAY)
    assert [(w.question_id, w.lapses, w.ef) for w in r.weakest] == [("a2", 1, 1.82), ("b1", 1, 2.34), ("b2", 0, 1.8)]
    forecast = [d.count for d in r.forecast]
    assert len(forecast) == 30 and r.forecast[0].day == TODAY
    assert forecast[:5] == [2, 0, 1, 0, 1] and sum(forecast) == 4  # a2 (overdue) + b2 today; a3 +2; g1 +4
    assert {b.label: b.count for b in r.intervals if b.count} == {"1d": 2, "4-7d": 2, "1-3mo": 2}
    assert {b.label: b.count for b in r.ef if b.count} == {"1.7-1.9": 2, "2.3-2.5": 1, "2.5-2.7": 1, "2.7+": 2}


def test_heatmap_is_a_year_of_review_counts(history: History) -> None:
    heatmap = build_report(history.engine, history.alice, history.bank, TODAY).heatmap
    assert len(heatmap) == HEATMAP_DAYS and heatmap[-1].day == TODAY
    counts = {d.day: d.count for d in heatmap if d.count}
    assert sum(counts.values()) == 31 and len(counts) == 17
    assert counts[day(7)] == 4 and counts[day(28)] == 4 and counts[day(30)] == 2


def test_since_restricts_review_figures_only(history: History) -> None:
    r = build_report(history.engine, history.alice, history.bank, TODAY, since=day(24))
    o = r.overview
    assert (o.reviews, o.study_days, o.current_streak, o.longest_streak) == (14, 7, 7, 7)  # 1+1+3+1+4+2+2
    assert [(x.scheduled, x.passed) for x in r.retention] == [(8, 7), (8, 7), (8, 7), (8, 7)]
    assert r.retention[3].label == "since 2026-01-25"
    assert (o.seen, o.mature, o.due) == (6, 2, 2)  # card state is the current one
    assert sum(d.count for d in r.heatmap) == 14


def test_class_report(history: History) -> None:
    c = build_class_report(history.engine, history.bank, TODAY)
    rows = {x.profile: x for x in c.learners}
    assert list(rows) == ["alice", "bob"]
    bob = rows["bob"]
    assert (bob.seen, bob.learned, bob.due, bob.reviews, bob.scheduled, bob.passed) == (2, 1, 1, 3, 2, 1)
    assert (bob.retention, bob.current_streak, bob.longest_streak, bob.last_day) == (0.5, 2, 2, TODAY)
    assert (rows["alice"].reviews, rows["alice"].retention) == (31, 0.85)
    beta = next(t for t in c.topics if t.topic == "beta")
    assert (beta.cards, beta.seen, beta.scheduled, beta.passed) == (4, 3, 9, 6)  # two learners x two cards
    assert [t.topic for t in c.weakest_topics] == ["beta", "alpha", "gamma"]


def test_empty_profile(history: History) -> None:
    from quizdl.store.repo import ensure_profile

    pid = ensure_profile(history.engine, "carol", TODAY)
    r = build_report(history.engine, pid, history.bank, TODAY)
    assert (r.overview.seen, r.overview.new, r.overview.reviews, r.overview.current_streak) == (0, 7, 0, 0)
    assert r.retention[0].rate is None and r.weakest == [] and sum(d.count for d in r.forecast) == 0


def test_cards_of_removed_questions_are_counted_apart(history: History) -> None:
    from quizdl.bank.model import Bank

    smaller = Bank(tuple(q for q in history.bank.questions if q.id != "a2"), history.bank.topic_titles)
    o = build_report(history.engine, history.alice, smaller, TODAY).overview
    assert (o.cards_in_bank, o.seen, o.removed, o.due) == (6, 5, 1, 1)


@pytest.mark.parametrize(
    ("days", "today", "expected"),
    [
        ([], 10, (0, 0)),
        ([10], 10, (1, 1)),
        ([9], 10, (1, 1)),  # studied yesterday: the streak lives until today ends
        ([8], 10, (0, 1)),
        ([1, 2, 3, 5, 6, 9, 10], 10, (2, 3)),
        ([3, 1, 2, 2, 2], 4, (3, 3)),  # any order, duplicates
    ],
)
def test_streaks(days: list[int], today: int, expected: tuple[int, int]) -> None:
    base = date(2026, 1, 1).toordinal()
    assert streaks(np.array([base + d for d in days], dtype=np.int64), date.fromordinal(base + today)) == expected
