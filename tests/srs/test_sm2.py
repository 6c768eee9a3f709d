"""SM-2 against whole histories worked out by hand, plus property tests of its invariants."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizdl.srs.sm2 import MAX_INTERVAL, MIN_EF, CardState, needs_redrill, next_ef, preview, review

DAY0 = date(2026, 1, 1)


def run(grades: list[int]) -> list[CardState]:
    """Review on each due day, as a diligent learner would; return every state after each review."""
    state, day, history = CardState(), DAY0, []
    for grade in grades:
        state = review(state, grade, day)
        history.append(state)
        assert state.due is not None
        day = state.due
    return history


@pytest.mark.parametrize(
    ("grades", "intervals", "efs", "reps"),
    [
        # all perfect: I = 1, 6, ceil(6*2.7)=17, ceil(17*2.8)=48, ceil(48*2.9)=140; EF +0.1 each time
        ([5, 5, 5, 5, 5], [1, 6, 17, 48, 140], [2.6, 2.7, 2.8, 2.9, 3.0], [1, 2, 3, 4, 5]),
        # grade 4 leaves EF at 2.5: 1, 6, 15, ceil(37.5)=38, 95
        ([4, 4, 4, 4, 4], [1, 6, 15, 38, 95], [2.5] * 5, [1, 2, 3, 4, 5]),
        # grade 3 costs 0.14 EF; the interval uses the EF from BEFORE the review: ceil(6*2.22)=14, ceil(14*2.08)=30
        ([3, 3, 3, 3], [1, 6, 14, 30], [2.36, 2.22, 2.08, 1.94], [1, 2, 3, 4]),
        # a lapse restarts the repetitions: 1, 6, 17, then 1 (q=2), 1 (n=0 again), 6, ceil(6*2.48)=15
        (
            [5, 5, 5, 2, 4, 4, 4],
            [1, 6, 17, 1, 1, 6, 15],
            [2.6, 2.7, 2.8, 2.48, 2.48, 2.48, 2.48],
            [1, 2, 3, 0, 1, 2, 3],
        ),
        # blackouts floor EF at 1.3: 2.5 -> 1.7 -> 1.3 -> 1.3
        ([0, 0, 0], [1, 1, 1], [1.7, 1.3, 1.3], [0, 0, 0]),
        # q=1 and q=2 from new: no repetitions, EF 2.5-0.54=1.96, then 1.96-0.32=1.64; then a pass
        ([1, 2, 5, 5], [1, 1, 1, 6], [1.96, 1.64, 1.74, 1.84], [0, 0, 1, 2]),
    ],
)
def test_fixed_histories(grades: list[int], intervals: list[int], efs: list[float], reps: list[int]) -> None:
    history = run(grades)
    assert [s.interval for s in history] == intervals
    assert [s.ef for s in history] == pytest.approx(efs)
    assert [s.repetitions for s in history] == reps


def test_due_dates_follow_intervals_from_the_review_day() -> None:
    history = run([5, 5, 5])
    assert [s.due for s in history] == [date(2026, 1, 2), date(2026, 1, 8), date(2026, 1, 25)]
    assert history[-1].last_review == date(2026, 1, 8)


def test_lapses_count_only_failures_of_learned_cards() -> None:
    history = run([2, 5, 5, 1, 5, 0])
    assert [s.lapses for s in history] == [0, 0, 0, 1, 1, 2]


def test_ef_formula_per_grade() -> None:
    assert [round(next_ef(2.5, q) - 2.5, 2) for q in range(6)] == [-0.8, -0.54, -0.32, -0.14, 0.0, 0.1]


def test_float_products_do_not_round_up_a_whole_interval() -> None:
    # 10 * 1.3 is 13.000000000000002 in floating point; the interval must be 13, not 14.
    state = CardState(ef=1.3, repetitions=2, interval=10, due=DAY0)
    assert review(state, 4, DAY0).interval == 13


def test_review_is_pure() -> None:
    state = CardState(ef=2.5, repetitions=2, interval=6, due=DAY0)
    review(state, 5, DAY0)
    assert state == CardState(ef=2.5, repetitions=2, interval=6, due=DAY0)


@pytest.mark.parametrize("grade", [-1, 6, 3.5, "4"])
def test_grade_outside_0_to_5_is_rejected(grade: object) -> None:
    with pytest.raises(ValueError, match="grade must be"):
        review(CardState(), grade, DAY0)  # type: ignore[arg-type]


def test_preview_shows_each_grades_interval() -> None:
    assert preview(CardState()) == {0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    assert preview(CardState(ef=2.5, repetitions=2, interval=6, due=DAY0)) == {0: 1, 1: 1, 2: 1, 3: 15, 4: 15, 5: 15}


def test_redrill_threshold_is_four() -> None:
    assert [needs_redrill(q) for q in range(6)] == [True, True, True, True, False, False]


grades = st.lists(st.integers(0, 5), min_size=1, max_size=40)


@given(grades)
def test_invariants_hold_for_any_history(sequence: list[int]) -> None:
    for state in run(sequence):
        assert state.ef >= MIN_EF
        assert state.interval >= 1
        assert state.repetitions >= 0
        assert state.due == state.last_review + timedelta(days=state.interval)  # type: ignore[operator]


@given(st.integers(2, 12))
def test_a_run_of_fives_gives_growing_intervals(n: int) -> None:
    intervals = [s.interval for s in run([5] * n)]
    assert all(b > a or a == b == MAX_INTERVAL for a, b in itertools.pairwise(intervals))


@given(grades, st.integers(0, 2))
def test_a_failure_always_restarts_at_one_day(prefix: list[int], fail: int) -> None:
    state = run([*prefix, fail])[-1]
    assert (state.interval, state.repetitions) == (1, 0)


def test_intervals_stop_at_a_hundred_years_instead_of_overflowing_the_calendar() -> None:
    history = run([5] * 60)
    assert history[-1].interval == MAX_INTERVAL
    assert [s.interval for s in history][:5] == [1, 6, 17, 48, 140]  # exact SM-2 until the cap
