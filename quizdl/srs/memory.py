"""Predicted recall: the FSRS-6 memory model (py-fsrs, the reference implementation) over quizdl's review log.

Pure: a card's answers (study day, grade) in, its memory state (stability, difficulty) and the probability of
recalling it on any day out. It predicts whatever scheduled the reviews (SM-2 by default), because every
answer the learner gave is a retrieval the memory went through: scheduled reviews, re-drills, cram and prep.

quizdl counts whole study days, so each answer is given to FSRS at midnight UTC of its study day: elapsed time
is a whole number of days, and a second answer on the same day takes FSRS's same-day (short-term) rule.

Grades 0-5 map to FSRS's four ratings by what they say about recall (documented in docs/memory-model.md):
0, 1, 2 (not recalled) -> Again; 3 (recalled with serious difficulty) -> Hard; 4 (after hesitation) -> Good;
5 (perfect) -> Easy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fsrs import Scheduler

GRADE_TO_RATING = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}  # fsrs.Rating: Again 1, Hard 2, Good 3, Easy 4
RECALLED = 3  # grades >= 3 count as recalled, as in SM-2


@dataclass(frozen=True)
class Memory:
    """A card's FSRS memory state after its last answer."""

    stability: float  # days until recall falls to 90%
    difficulty: float  # 1 (easy) .. 10 (hard)
    last_day: date  # study day of the last answer


def default_parameters() -> tuple[float, ...]:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return tuple(DEFAULT_PARAMETERS)


@lru_cache(maxsize=8)
def scheduler(parameters: tuple[float, ...] | None = None, desired_retention: float = 0.9) -> Scheduler:
    """A py-fsrs scheduler used as a memory model: no learning steps (quizdl has whole days, and its
    re-drills are same-day answers), no fuzz (the model must be deterministic)."""
    from fsrs import Scheduler

    return Scheduler(
        parameters=parameters or default_parameters(),
        desired_retention=desired_retention,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _card(memory: Memory | None):  # type: ignore[no-untyped-def]
    from fsrs import Card, State

    if memory is None:
        return Card(card_id=0)  # an explicit id: without one py-fsrs sleeps a millisecond to make one unique
    return Card(
        card_id=0, state=State.Review, stability=memory.stability, difficulty=memory.difficulty,
        last_review=_moment(memory.last_day),
    )  # fmt: skip


def step(memory: Memory | None, grade: int, day: date, parameters: tuple[float, ...] | None = None) -> Memory:
    """The memory state after one more answer graded `grade` on study day `day`."""
    from fsrs import Rating

    card, _ = scheduler(parameters).review_card(_card(memory), Rating(GRADE_TO_RATING[grade]), _moment(day))
    return Memory(stability=card.stability, difficulty=card.difficulty, last_day=day)


def replay(answers: Iterable[tuple[date, int]], parameters: tuple[float, ...] | None = None) -> Memory | None:
    """The memory state after a card's answers (study day, grade), oldest first; None without any."""
    memory = None
    for day, grade in answers:
        memory = step(memory, grade, day, parameters)
    return memory


def recall(memory: Memory | None, day: date, parameters: tuple[float, ...] | None = None) -> float:
    """Predicted probability of recalling the card on study day `day` (0 for a card never answered)."""
    if memory is None:
        return 0.0
    return float(scheduler(parameters).get_card_retrievability(_card(memory), _moment(max(day, memory.last_day))))


def interval_for(memory: Memory, desired_retention: float, parameters: tuple[float, ...] | None = None) -> int:
    """Whole days until predicted recall falls to `desired_retention` (FSRS's own interval rule)."""
    return int(scheduler(parameters, desired_retention)._next_interval(stability=memory.stability))


# Calibration: how predicted recall before an answer compares with what the learner then recalled. Answers are
# counted in twentieths of predicted recall (so the database can group them), then in these bins.
BUCKETS = 20
CALIBRATION_BINS = ((0, 10), (10, 14), (14, 16), (16, 18), (18, 19), (19, 20))  # in twentieths: 0-50%, ... 95-100%
MIN_CALIBRATION_ANSWERS = 50  # answers made a day or more after the card's previous one


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    answers: int
    mean_predicted: float | None
    share_recalled: float | None


def bucket_of(predicted: float) -> int:
    return min(BUCKETS - 1, int(predicted * BUCKETS))


def calibration(buckets: Iterable[tuple[int, int, float, int]]) -> list[CalibrationBin]:
    """Bins of (bucket, answers, sum of predicted recall, answers recalled) rows, see store.repo."""
    rows = list(buckets)
    out = []
    for lo, hi in CALIBRATION_BINS:
        inside = [r for r in rows if lo <= r[0] < hi]
        n = sum(r[1] for r in inside)
        out.append(
            CalibrationBin(
                low=lo / BUCKETS, high=hi / BUCKETS, answers=n,
                mean_predicted=sum(r[2] for r in inside) / n if n else None,
                share_recalled=sum(r[3] for r in inside) / n if n else None,
            )
        )  # fmt: skip
    return out
