"""Pacing for an interview plan (quizdl.srs.pacing): pure, so checked on many shapes of plan."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizdl.srs import pacing, schedulers, sm2
from quizdl.vocab import SchedulerName

TODAY = date(2027, 1, 4)
COSTS = pacing.Costs(seconds_new=60, seconds_review=20)


def plan(unseen: int, days: int, minutes: float = 30, reviews: Counter[date] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return pacing.pace(
        today=TODAY, interview=TODAY + timedelta(days=days), unseen=unseen, reviews=reviews or Counter(),
        minutes_per_day=minutes, costs=COSTS, **kw,
    )  # fmt: skip


def test_review_offsets_follow_sm2_with_grade_4() -> None:
    assert pacing.review_offsets(60) == (1, 7, 22, 60)
    assert pacing.review_offsets(21) == (1, 7)
    assert pacing.lead_days() == 8  # reviews on D-7 and D-1


FSRS = schedulers.SchedulerConfig(SchedulerName.FSRS, 0.9)


def test_under_fsrs_the_offsets_are_the_fsrs_schedulers_intervals() -> None:
    """The projection runs a card graded 4 through the FSRS scheduler itself; the lead follows from its first
    two intervals, and a higher desired retention brings reviews sooner."""
    state, day, by_hand = sm2.CardState(), TODAY, []
    while len(by_hand) < 3:
        state = schedulers.review(state, 4, day, FSRS)
        day = state.due  # type: ignore[assignment]
        by_hand.append((day - TODAY).days)
    offsets = pacing.review_offsets(by_hand[-1], FSRS)
    assert offsets == tuple(by_hand) and offsets != pacing.review_offsets(by_hand[-1])
    assert pacing.lead_days(FSRS) == by_hand[1] + 1
    strict = schedulers.SchedulerConfig(SchedulerName.FSRS, 0.97)
    assert pacing.lead_days(strict) < pacing.lead_days(FSRS)


def test_under_fsrs_pacing_starts_cards_by_its_own_lead_and_projects_its_reviews() -> None:
    lead = pacing.lead_days(FSRS)
    p = plan(100, 42, config=FSRS)
    assert p.feasible and p.last_start == TODAY + timedelta(days=42 - lead)
    assert all(d.new == 0 for d in p.days if d.day > p.last_start)
    started = TODAY  # a card started today is reviewed on the FSRS offsets
    reviews = pacing.project_reviews([schedulers.review(sm2.CardState(), 4, started, FSRS)], TODAY,
                                     TODAY + timedelta(days=60), FSRS)  # fmt: skip
    assert sorted((d - started).days for d in reviews) == list(pacing.review_offsets(60, FSRS))


def test_every_card_starts_early_enough_for_two_spaced_reviews() -> None:
    p = plan(215, 42)
    assert p.feasible and p.unplaced == 0 and p.late == 0
    assert sum(d.new for d in p.days) == 215
    last_start = TODAY + timedelta(days=42 - pacing.lead_days())
    assert p.last_start == last_start and all(d.new == 0 for d in p.days if d.day > last_start)
    # a card started on D-8 gets its reviews on D-7 and D-1
    started = [d.day for d in p.days if d.new]
    assert max(started) + timedelta(days=7) < TODAY + timedelta(days=42)


@settings(max_examples=150, deadline=None)
@given(
    unseen=st.integers(0, 400), days=st.integers(1, 70), minutes=st.integers(5, 120),
    due=st.lists(st.integers(0, 69), max_size=80),
)  # fmt: skip
def test_the_plan_never_puts_more_than_the_budget_on_a_day(
    unseen: int, days: int, minutes: int, due: list[int]
) -> None:
    reviews = Counter(TODAY + timedelta(days=d) for d in due if d < days)
    p = plan(unseen, days, minutes, reviews)
    for d in p.days:
        if d.day not in p.over_budget:  # a day whose due reviews alone exceed the budget is reported
            assert d.minutes <= minutes * (1 - pacing.MARGIN) + 1e-9
    assert sum(d.new for d in p.days) + p.unplaced == unseen
    assert p.feasible == (not p.unplaced and not p.late and not p.over_budget)


def test_a_budget_too_small_says_what_would_fit() -> None:
    p = plan(215, 21, minutes=10)
    assert not p.feasible and p.late > 0
    needed = pacing.minutes_needed(
        today=TODAY, interview=TODAY + timedelta(days=21), unseen=215, reviews=Counter(), minutes_per_day=10,
        costs=COSTS,
    )  # fmt: skip
    assert needed is not None and needed > 10
    assert plan(215, 21, minutes=needed).feasible
    assert not plan(215, 21, minutes=needed - 1).feasible  # the smallest that does


def test_leaving_out_topics_makes_it_fit() -> None:
    unseen = {"a": 100, "b": 60, "c": 20}
    kwargs = {"today": TODAY, "interview": TODAY + timedelta(days=21), "minutes_per_day": 20, "costs": COSTS}
    assert not pacing.pace(unseen=180, reviews=Counter(), **kwargs).feasible  # type: ignore[arg-type]
    out = pacing.topics_to_leave_out(unseen, {}, **kwargs)
    assert out is not None and out
    kept = sum(n for t, n in unseen.items() if t not in out)
    assert pacing.pace(unseen=kept, reviews=Counter(), **kwargs).feasible  # type: ignore[arg-type]
    assert out == ["c"]  # leaving out the 20 cards of c suffices: the smallest topic that does is chosen


def test_too_few_days_left_for_two_spaced_reviews() -> None:
    p = plan(20, 5)
    assert p.too_late and not p.feasible
    assert sum(d.new for d in p.days) == 20  # they still start: a seen card beats an unseen one
    assert pacing.minutes_needed(
        today=TODAY, interview=TODAY + timedelta(days=5), unseen=20, reviews=Counter(), minutes_per_day=30, costs=COSTS
    ) is None  # fmt: skip


def test_what_was_done_earlier_today_counts() -> None:
    fresh = plan(100, 30)
    later = plan(100 - fresh.new_today + 1, 30, started_today=fresh.new_today - 1)
    assert later.new_today == 1  # the quota for today is the same; one card of it is left
    spent = plan(100, 30, spent_today_seconds=30 * 60)
    assert spent.new_today == 0  # the budget is used


def test_projected_reviews_follow_the_sm2_schedule() -> None:
    state = sm2.review(sm2.CardState(), 4, TODAY)  # due tomorrow, then +6
    days = pacing.project_reviews([state], TODAY, TODAY + timedelta(days=30))
    assert days == Counter({TODAY + timedelta(days=1): 1, TODAY + timedelta(days=7): 1, TODAY + timedelta(days=22): 1})
    overdue = sm2.review(sm2.CardState(), 4, TODAY - timedelta(days=5))
    assert pacing.project_reviews([overdue], TODAY, TODAY)[TODAY] == 1


@pytest.mark.parametrize("days", [21, 42])
def test_a_shipped_size_plan_fits_the_issue_budget(days: int) -> None:
    assert plan(215, days, minutes=30).feasible
