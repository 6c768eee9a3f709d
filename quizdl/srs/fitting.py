"""Fit FSRS-6 parameters to a learner's own answers (py-fsrs's Optimizer, which trains with PyTorch) and
measure, on a chronological split, how well each model predicts recall: log loss and RMSE over bins.

The split is by time: the earliest answers train, the latest TEST_SHARE are predicted, each from the card's
whole earlier history. Only answers given a day or more after the card's previous one are predicted (a
same-day answer is a re-drill, predicted at 100% by construction). SM-2 predicts nothing by itself; its
implied recall, where it can be defined (a scheduled answer with an earlier scheduled review), is
0.9 ** (days elapsed / the interval SM-2 set), i.e. 90% on the due day, the usual convention.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from quizdl.srs import memory as memory_model

if TYPE_CHECKING:
    from fsrs import ReviewLog

TEST_SHARE = 0.2
MIN_TRAIN_REVIEWS = 512  # answers after a gap of a day or more in the training part: py-fsrs fits
# nothing below one mini-batch of 512 (it returns the defaults)
MIN_CARDS = 20
RMSE_BINS = 20


@dataclass(frozen=True)
class LoggedAnswer:
    card: str
    day: date
    grade: int
    scheduled: bool  # a scheduled review (the only kind that moves SM-2)
    sm2_interval: int  # the SM-2 interval before this answer (0: none yet)
    sm2_last_day: date | None  # the day of the card's previous scheduled review


@dataclass(frozen=True)
class Score:
    answers: int
    log_loss: float | None
    rmse_bins: float | None


def split_at(answers: Sequence[LoggedAnswer]) -> int:
    """Index of the first test answer (answers are in time order)."""
    return len(answers) - math.ceil(len(answers) * TEST_SHARE)


def gap_answers(answers: Sequence[LoggedAnswer]) -> int:
    last: dict[str, date] = {}
    n = 0
    for a in answers:
        n += a.card in last and a.day > last[a.card]
        last[a.card] = a.day
    return n


def score(pairs: Sequence[tuple[float, bool]]) -> Score:
    if not pairs:
        return Score(0, None, None)
    eps = 1e-6
    loss = -sum(math.log(max(eps, p)) if ok else math.log(max(eps, 1 - p)) for p, ok in pairs) / len(pairs)
    bins: dict[int, list[tuple[float, bool]]] = {}
    for p, ok in pairs:
        bins.setdefault(min(RMSE_BINS - 1, int(p * RMSE_BINS)), []).append((p, ok))
    squares = sum(
        len(b) * (sum(p for p, _ in b) / len(b) - sum(ok for _, ok in b) / len(b)) ** 2 for b in bins.values()
    )
    return Score(len(pairs), loss, math.sqrt(squares / len(pairs)))


def fsrs_predictions(
    answers: Sequence[LoggedAnswer], start: int, parameters: tuple[float, ...] | None
) -> list[tuple[float, bool]]:
    """(predicted recall, recalled) for answers[start:] given after a gap, each from the card's history."""
    states: dict[str, memory_model.Memory] = {}
    out: list[tuple[float, bool]] = []
    for i, a in enumerate(answers):
        before = states.get(a.card)
        if i >= start and before is not None and a.day > before.last_day:
            out.append((memory_model.recall(before, a.day, parameters), a.grade >= memory_model.RECALLED))
        states[a.card] = memory_model.step(before, a.grade, a.day, parameters)
    return out


def sm2_predictions(answers: Sequence[LoggedAnswer], start: int) -> list[tuple[float, bool]]:
    return [
        (0.9 ** ((a.day - a.sm2_last_day).days / a.sm2_interval), a.grade >= memory_model.RECALLED)
        for a in answers[start:]
        if a.scheduled and a.sm2_interval > 0 and a.sm2_last_day is not None and a.day > a.sm2_last_day
    ]


def review_logs(answers: Sequence[LoggedAnswer]) -> list[ReviewLog]:
    """`answers` as py-fsrs ReviewLogs, on the same clock as the memory model."""
    from fsrs import Rating, ReviewLog

    ids: dict[str, int] = {}
    # Midnight UTC of the study day, exactly as the memory model sees it. Same-day answers share the moment
    # and keep their order because the optimizer's sort is stable. Spacing them even a second apart would put
    # the next day's answer 23:59:59 later, which py-fsrs counts as 0 days: a same-day answer.
    return [
        ReviewLog(ids.setdefault(a.card, len(ids) + 1), Rating(memory_model.GRADE_TO_RATING[a.grade]),
                  datetime.combine(a.day, time(0), tzinfo=UTC), None)
        for a in answers
    ]  # fmt: skip


def fit(answers: Sequence[LoggedAnswer], verbose: bool = False) -> tuple[float, ...]:
    """FSRS-6 parameters fitted to `answers` with py-fsrs's Optimizer (PyTorch; needs pandas and tqdm)."""
    from fsrs import Optimizer

    return tuple(float(w) for w in Optimizer(review_logs(answers)).compute_optimal_parameters(verbose=verbose))


@dataclass(frozen=True)
class Comparison:
    train_answers: int
    test_answers: int
    default: Score
    fitted: Score
    sm2: Score
    parameters: tuple[float, ...]


class TooLittleHistory(Exception):
    pass


def compare(answers: Sequence[LoggedAnswer], fitter: Callable[[Sequence[LoggedAnswer]], tuple[float, ...]] = fit
            ) -> Comparison:  # fmt: skip
    """Fit on the earliest answers, score default FSRS, fitted FSRS and SM-2 on the latest."""
    start = split_at(answers)
    train = answers[:start]
    gaps = gap_answers(train)
    cards = len({a.card for a in train})
    if gaps < MIN_TRAIN_REVIEWS or cards < MIN_CARDS:
        raise TooLittleHistory(
            f"too little history to fit: {gaps} answers after a gap of a day or more over {cards} cards in the "
            f"training part (the earliest {100 - round(100 * TEST_SHARE)}%); {MIN_TRAIN_REVIEWS} over "
            f"{MIN_CARDS} cards are needed"
        )
    parameters = fitter(train)
    return Comparison(
        train_answers=len(train), test_answers=len(answers) - start,
        default=score(fsrs_predictions(answers, start, None)),
        fitted=score(fsrs_predictions(answers, start, parameters)),
        sm2=score(sm2_predictions(answers, start)), parameters=parameters,
    )  # fmt: skip
