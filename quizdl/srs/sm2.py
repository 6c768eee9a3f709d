"""SM-2, exactly as SuperMemo 2 describes it (see shared/DESIGN.md, "SM-2, exactly").

A pure function: state, grade and the learner's study day in, new state out. No clock, no I/O, no mutation.

Grades: 5 perfect; 4 correct after hesitation; 3 correct with serious difficulty; 2 wrong, but the answer
seemed easy once seen; 1 wrong, the answer was remembered on seeing it; 0 blackout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

INITIAL_EF = 2.5
MIN_EF = 1.3
PASSING_GRADE = 3  # q >= 3 counts as a successful recall
REDRILL_UNTIL = 4  # step 7: items graded below 4 are asked again the same day
# Not in SM-2: intervals grow geometrically, and a few dozen passes would overflow any calendar. Like
# Anki's maximum interval (default 100 years) we stop there; no learner will notice the difference.
MAX_INTERVAL = 36_500
GRADES = range(6)


@dataclass(frozen=True)
class CardState:
    ef: float = INITIAL_EF  # easiness factor
    repetitions: int = 0  # n: successful reviews in a row
    interval: int = 0  # I: days until the next review (0 = never scheduled)
    due: date | None = None  # None = new card, never reviewed
    lapses: int = 0  # times a learned card (n > 0) was failed
    last_review: date | None = None
    # FSRS scheduling state, set only under the fsrs scheduler (quizdl.srs.schedulers); SM-2 ignores them.
    stability: float | None = None
    difficulty: float | None = None

    @property
    def is_new(self) -> bool:
        return self.due is None


def next_interval(state: CardState, grade: int) -> int:
    """Rules 1 and 2: the interval a grade gives, using the EF the item had before this review."""
    if grade < PASSING_GRADE:
        return 1
    if state.repetitions == 0:
        return 1
    if state.repetitions == 1:
        return 6
    # round() first: float products such as 10 * 1.3 = 13.000000000000002 must not ceil to 14.
    return min(MAX_INTERVAL, math.ceil(round(state.interval * state.ef, 6)))


def next_ef(ef: float, grade: int) -> float:
    """Rule 3: EF' = EF + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)), floored at 1.3.

    Every step is a multiple of 0.02 from 2.5, so rounding to 2 places only removes float drift.
    """
    miss = 5 - grade
    return max(MIN_EF, round(ef + (0.1 - miss * (0.08 + miss * 0.02)), 2))


def review(state: CardState, grade: int, today: date) -> CardState:
    """Apply one scheduled review graded `grade` (0-5) on study day `today`; return the new state."""
    if grade not in GRADES:
        raise ValueError(f"grade must be an integer from 0 to 5, got {grade!r}")
    interval = next_interval(state, grade)
    if grade >= PASSING_GRADE:
        repetitions = state.repetitions + 1
        lapses = state.lapses
    else:
        repetitions = 0
        lapses = state.lapses + (1 if state.repetitions > 0 else 0)
    return replace(
        state,
        ef=next_ef(state.ef, grade),
        repetitions=repetitions,
        interval=interval,
        due=today + timedelta(days=interval),  # rule 4
        lapses=lapses,
        last_review=today,
    )


def needs_redrill(grade: int) -> bool:
    """Step 7: a grade below 4 means the item is asked again before the day ends."""
    return grade < REDRILL_UNTIL


def preview(state: CardState) -> dict[int, int]:
    """The interval in days each grade would give, as shown under the answer (Anki-style)."""
    return {grade: next_interval(state, grade) for grade in GRADES}
