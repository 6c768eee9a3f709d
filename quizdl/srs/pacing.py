"""Pacing for an interview plan: how many new cards to start each day so that every selected card has had
two spaced reviews before the interview, within a daily budget of minutes. Pure: counts, dates and costs in,
a day-by-day plan out. The schedule itself stays the profile's scheduler's; this only decides when cards are
first seen, projecting reviews with that scheduler.

Under SM-2 a card first seen on day s and recalled comes back on s+1 and s+7 (intervals 1 and 6), so the last
day a card can start and still get both reviews before interview day D is D-8 (`lead_days`). Projected reviews
assume each answer is graded 4, which keeps the easiness factor: intervals 1, 6, 15, 38, ... days. Under FSRS
the same projection runs through the FSRS scheduler (its intervals for the desired retention), so the lead
follows from its first two intervals instead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from quizdl.srs import schedulers, sm2
from quizdl.srs.schedulers import SchedulerConfig

SPACED_REVIEWS = 2
PREP_DAYS = 7  # the final week: cards predicted below target on the day are asked as `prep`
PROJECTED_GRADE = 4  # keeps EF: the schedule a card follows while it is recalled
DEFAULT_SECONDS_NEW = 60.0  # before there is history: a new card with its same-day re-drills
DEFAULT_SECONDS_REVIEW = 20.0  # a review with its re-drills
MAX_MINUTES = 1440
MARGIN = 0.05  # plan to 95% of the budget: the day's real answers vary around the learner's mean
FRONT_LOAD = 0.6  # plan to start every card within the first 60% of the days left to start them


@dataclass(frozen=True)
class Costs:
    """Seconds a new card (its first day, re-drills included) and a review (with re-drills) take."""

    seconds_new: float = DEFAULT_SECONDS_NEW
    seconds_review: float = DEFAULT_SECONDS_REVIEW
    measured_new: int = 0  # how many new cards / reviews the figures come from (0: the defaults)
    measured_reviews: int = 0


@dataclass(frozen=True)
class DayPlan:
    day: date
    new: int
    reviews: int  # projected SM-2 reviews due that day
    minutes: float


@dataclass(frozen=True)
class Pacing:
    days: list[DayPlan]
    last_start: date  # the last day a card can start and get two spaced reviews before the interview
    unplaced: int  # selected cards that cannot start before the day within the budget
    late: int = 0  # selected cards that start after last_start (fewer than two spaced reviews before the day)
    over_budget: list[date] = field(default_factory=list)  # days whose due reviews alone exceed the budget
    too_late: bool = False  # fewer than lead_days left: no new card can get two spaced reviews

    @property
    def feasible(self) -> bool:
        return not self.unplaced and not self.late and not self.over_budget

    @property
    def new_today(self) -> int:
        return self.days[0].new if self.days else 0


@lru_cache(maxsize=64)  # pace() runs many times per plan (minutes_needed, topics_to_leave_out)
def review_offsets(until: int, config: SchedulerConfig = schedulers.SM2) -> tuple[int, ...]:
    """Days after a card's first answer on which it is reviewed while recalled, up to `until` days."""
    first = date(2000, 1, 1)
    offsets, state = [], schedulers.review(sm2.CardState(), PROJECTED_GRADE, first, config)
    while state.due is not None and (state.due - first).days <= until:
        offsets.append((state.due - first).days)
        state = schedulers.review(state, PROJECTED_GRADE, state.due, config)
    return tuple(offsets)


def lead_days(config: SchedulerConfig = schedulers.SM2) -> int:
    """How many days before the interview a card must be first seen to get SPACED_REVIEWS reviews before it
    (8 under SM-2: reviews after 1 and 7 days, the second on the day before)."""
    return review_offsets(sm2.MAX_INTERVAL, config)[SPACED_REVIEWS - 1] + 1


def project_reviews(states: Iterable[sm2.CardState], today: date, last_day: date,
                    config: SchedulerConfig = schedulers.SM2) -> Counter[date]:  # fmt: skip
    """Review days of started cards from today to `last_day`, as their schedule under `config` runs if
    recalled (an overdue card counts today)."""
    days: Counter[date] = Counter()
    for state in states:
        while state.due is not None and state.due <= last_day:
            day = max(state.due, today)
            days[day] += 1
            state = schedulers.review(state, PROJECTED_GRADE, day, config)
    return days


def pace(
    *, today: date, interview: date, unseen: int, reviews: Mapping[date, int], minutes_per_day: float,
    costs: Costs, started_today: int = 0, spent_today_seconds: float = 0.0,
    config: SchedulerConfig = schedulers.SM2,
) -> Pacing:  # fmt: skip
    """Start new cards over the days left to start them (today .. D-lead_days), never past the budget; cards that do
    not fit by then start as soon as there is room (with fewer spaced reviews: a seen card beats an unseen one).

    `unseen`: selected cards not started yet; `reviews`: projected reviews of started cards per day (today's:
    those still due now). `started_today` and `spent_today_seconds` are what the learner did earlier today.
    A day's quota is what is left spread over the first FRONT_LOAD of the days left to start cards, so a
    short day is caught up later and cards started sooner get more reviews before the day.
    """
    budget = minutes_per_day * 60 * (1 - MARGIN)
    last_start = interview - timedelta(days=lead_days(config))
    horizon = (interview - today).days  # study days left before the interview day itself
    offsets = review_offsets(horizon, config)
    future: Counter[date] = Counter(reviews)
    left = unseen + started_today  # at the start of today
    late = 0
    out: list[DayPlan] = []
    over: list[date] = []
    for i in range(max(0, horizon)):
        day = today + timedelta(days=i)
        spent = spent_today_seconds if i == 0 else 0.0
        review_seconds = future[day] * costs.seconds_review
        new = 0
        if left > 0:
            room = math.floor(max(0.0, budget - spent - review_seconds) / costs.seconds_new)
            if day <= last_start:
                quota = math.ceil(left / math.ceil(((last_start - day).days + 1) * FRONT_LOAD))
            else:
                quota = left  # past the last start day: whatever fits
            if i == 0:  # what was started earlier today counts against today's quota, not against the room
                quota = max(0, quota - started_today)
                left -= started_today
            new = max(0, min(quota, room, left))
            left -= new
            late += new if day > last_start else 0
            for offset in offsets:
                if (review_day := day + timedelta(days=offset)) < interview:
                    future[review_day] += new
        if spent + review_seconds > budget + 1e-9:
            over.append(day)
        minutes = (spent + review_seconds + new * costs.seconds_new) / 60
        out.append(DayPlan(day, new, future[day], minutes))
    return Pacing(out, last_start, unplaced=max(0, left), late=late, over_budget=over,
                  too_late=today > last_start and late > 0)  # fmt: skip


def minutes_needed(**kwargs: object) -> int | None:
    """The smallest whole number of minutes a day that makes the plan feasible (None: no budget does, e.g.
    too few days left)."""

    def feasible(minutes: int) -> bool:
        return pace(**{**kwargs, "minutes_per_day": minutes}).feasible  # type: ignore[arg-type]

    if not feasible(MAX_MINUTES):
        return None
    lo, hi = 1, MAX_MINUTES
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if feasible(mid) else (mid + 1, hi)
    return lo


def topics_to_leave_out(
    unseen_by_topic: Mapping[str, int], reviews_by_topic: Mapping[str, Mapping[date, int]], **kwargs: object
) -> list[str] | None:
    """Topics to drop so the rest fits the budget: greedily the one that frees the most time, until it fits
    (None when even dropping all of them does not, e.g. the reviews of started cards alone exceed it)."""
    kept = dict(unseen_by_topic)
    dropped: list[str] = []

    def pacing_without(out: list[str]) -> Pacing:
        reviews: Counter[date] = Counter()
        for topic, days in reviews_by_topic.items():
            if topic not in out:
                reviews.update(days)
        unseen = sum(n for t, n in unseen_by_topic.items() if t not in out)
        return pace(**{**kwargs, "unseen": unseen, "reviews": reviews})  # type: ignore[arg-type]

    while not pacing_without(dropped).feasible:
        candidates = [t for t in kept if t not in dropped]
        if not candidates:
            return None
        weight = {t: unseen_by_topic.get(t, 0) + sum(reviews_by_topic.get(t, {}).values()) for t in candidates}
        # One more topic out would do: leave out the smallest that does. Otherwise the heaviest, and go on.
        enough = [t for t in candidates if pacing_without([*dropped, t]).feasible]
        if enough:
            dropped.append(min(enough, key=lambda t: (weight[t], t)))
        else:
            dropped.append(max(candidates, key=lambda t: (weight[t], t)))
    return dropped
