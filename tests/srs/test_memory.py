"""The memory model behind predicted recall: FSRS-6 through py-fsrs, over quizdl's whole-day review log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from quizdl.srs import memory

DAY0 = date(2027, 1, 4)
# A fixed history: (day offset, grade), with a same-day re-drill, a lapse and long gaps.
HISTORY = [(0, 2), (0, 4), (1, 3), (7, 5), (7, 4), (22, 1), (22, 4), (23, 4), (40, 3)]


def test_grades_map_to_ratings_by_what_they_say_about_recall() -> None:
    expected = {0: Rating.Again, 1: Rating.Again, 2: Rating.Again, 3: Rating.Hard, 4: Rating.Good, 5: Rating.Easy}
    assert expected == memory.GRADE_TO_RATING


def test_predicted_recall_of_a_fixed_history_equals_py_fsrs() -> None:
    """py-fsrs driven directly, the way its README shows (a Card through Scheduler.review_card at UTC times),
    gives the same stability, difficulty and retrievability on every later day."""
    scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = Card(card_id=1)
    rating = {0: Rating.Again, 1: Rating.Again, 2: Rating.Again, 3: Rating.Hard, 4: Rating.Good, 5: Rating.Easy}
    for offset, grade in HISTORY:
        card, _ = scheduler.review_card(card, rating[grade], datetime(2027, 1, 4, tzinfo=UTC) + timedelta(days=offset))
    ours = memory.replay((DAY0 + timedelta(days=o), g) for o, g in HISTORY)
    assert ours is not None
    assert ours.stability == pytest.approx(card.stability, rel=1e-12)
    assert ours.difficulty == pytest.approx(card.difficulty, rel=1e-12)
    for later in (40, 41, 50, 90, 400):
        theirs = scheduler.get_card_retrievability(card, datetime(2027, 1, 4, tzinfo=UTC) + timedelta(days=later))
        assert memory.recall(ours, DAY0 + timedelta(days=later)) == pytest.approx(theirs, rel=1e-12)


def test_the_fsrs6_forgetting_curve_by_hand() -> None:
    """After one Good answer stability is w[2]; recall t days later is (1 + F t / S)^(-w[20]), F chosen so
    that recall is 90% when t = S (the FSRS-6 definition of stability)."""
    w = DEFAULT_PARAMETERS
    state = memory.step(None, 4, DAY0)
    assert state.stability == pytest.approx(w[2])
    factor = 0.9 ** (-1 / w[20]) - 1
    for t in (1, 3, 10):
        assert memory.recall(state, DAY0 + timedelta(days=t)) == pytest.approx((1 + factor * t / w[2]) ** -w[20])
    assert memory.recall(state, DAY0 + timedelta(days=round(w[2]))) == pytest.approx(0.9, abs=0.02)


def test_recall_falls_with_time_and_a_card_never_answered_is_zero() -> None:
    state = memory.replay([(DAY0, 4), (DAY0 + timedelta(days=1), 4)])
    values = [memory.recall(state, DAY0 + timedelta(days=d)) for d in range(1, 60, 5)]
    assert values == sorted(values, reverse=True) and values[0] == pytest.approx(1.0)
    assert memory.recall(None, DAY0) == 0.0
    assert memory.replay([]) is None


def test_a_lapse_lowers_stability_and_a_pass_raises_it() -> None:
    base = memory.replay([(DAY0, 4), (DAY0 + timedelta(days=3), 4)])
    assert base is not None
    lapsed = memory.step(base, 1, DAY0 + timedelta(days=10))
    passed = memory.step(base, 4, DAY0 + timedelta(days=10))
    assert lapsed.stability < base.stability < passed.stability


def test_calibration_bins_count_every_answer_once() -> None:
    rows = [(memory.bucket_of(p), 1, p, ok) for p, ok in [(0.3, 0), (0.55, 1), (0.75, 1), (0.85, 0), (0.92, 1),
                                                           (0.97, 1), (0.999, 1)]]  # fmt: skip
    bins = memory.calibration(rows)
    assert sum(b.answers for b in bins) == 7
    assert [b.answers for b in bins] == [1, 1, 1, 1, 1, 2]
    assert bins[-1].share_recalled == 1.0 and bins[0].share_recalled == 0.0
