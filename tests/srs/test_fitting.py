"""Fitting FSRS-6 to a learner's own answers (py-fsrs's Optimizer, PyTorch) and scoring it on later answers."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from quizdl.srs import fitting
from quizdl.srs import memory as memory_model

DAY0 = date(2027, 1, 1)


def synthetic_log(cards: int, seed: int = 0) -> tuple[list[fitting.LoggedAnswer], tuple[float, ...]]:
    """A seeded learner whose memory IS FSRS-6 with non-default parameters (forgets faster at first, a steeper
    curve), reviewed at random gaps so that recall varies widely; a lapse is re-drilled the same day."""
    true = list(DEFAULT_PARAMETERS)
    for i in (0, 1, 2, 3):
        true[i] *= 0.3
    true[20] = 0.5
    rng = random.Random(seed)
    out = []
    for c in range(cards):
        day, state = DAY0 + timedelta(days=rng.randrange(30)), None
        while day < DAY0 + timedelta(days=120):
            if state is None:
                grade = rng.choice((1, 3, 4))
            else:
                recalled = rng.random() < memory_model.recall(state, day, tuple(true))
                grade = (4 if rng.random() < 0.7 else 3) if recalled else 1
            out.append(fitting.LoggedAnswer(f"c{c}", day, grade, True, 0, None))
            state = memory_model.step(state, grade, day, tuple(true))
            if grade < memory_model.RECALLED:  # re-drilled later the same day, as a quiz session does
                out.append(fitting.LoggedAnswer(f"c{c}", day, 4, False, 0, None))
                state = memory_model.step(state, 4, day, tuple(true))
            day += timedelta(days=rng.randint(1, 20))
    out.sort(key=lambda a: a.day)
    return out, tuple(true)


def test_the_fitted_parameters_beat_the_defaults_on_the_held_out_later_answers() -> None:
    answers, _ = synthetic_log(200)
    result = fitting.compare(answers)
    assert result.fitted.answers == result.default.answers > 300
    assert result.fitted.log_loss < result.default.log_loss  # type: ignore[operator]
    assert result.fitted.rmse_bins < 0.8 * result.default.rmse_bins  # type: ignore[operator]
    # and they moved toward the truth: the decay the learner really has is steeper than the default
    assert result.parameters[20] > DEFAULT_PARAMETERS[20]


def test_the_optimizer_sees_the_log_as_the_memory_model_does() -> None:
    """py-fsrs's Optimizer scores parameters on exactly the predictions quizdl makes: same elapsed days, same
    same-day rule. (Answers once went to it a second apart within a day, so the next day's answer came 23:59:59
    later, which it counts as a same-day answer: it then fitted a different model and made the fit worse.)"""
    from fsrs import Optimizer

    answers, true = synthetic_log(60)
    assert any(not a.scheduled for a in answers)  # the log holds same-day re-drills
    optimizer = Optimizer(fitting.review_logs(answers))
    for parameters in (tuple(DEFAULT_PARAMETERS), true):
        ours = fitting.score(fitting.fsrs_predictions(answers, 0, parameters)).log_loss
        assert optimizer._compute_batch_loss(parameters=list(parameters)) == pytest.approx(ours, rel=1e-9)


def test_fitting_lowers_the_log_loss_on_the_answers_it_was_fitted_to() -> None:
    answers, _ = synthetic_log(120, seed=1)
    fitted = fitting.fit(answers)
    default = fitting.score(fitting.fsrs_predictions(answers, 0, None)).log_loss
    assert fitting.score(fitting.fsrs_predictions(answers, 0, fitted)).log_loss < default  # type: ignore[operator]


def test_too_little_history_is_refused_with_the_threshold() -> None:
    answers, _ = synthetic_log(10)
    with pytest.raises(fitting.TooLittleHistory, match=r"512 over 20 cards are needed"):
        fitting.compare(answers, fitter=lambda train: pytest.fail("must not train"))  # type: ignore[arg-type,return-value]


def test_scores_log_loss_and_binned_rmse() -> None:
    s = fitting.score([(0.9, True), (0.9, False)])
    assert s.log_loss == pytest.approx(-(math.log(0.9) + math.log(0.1)) / 2)
    assert s.rmse_bins == pytest.approx(0.4)  # one bin: mean predicted 0.9 against half recalled
    assert fitting.score([]) == fitting.Score(0, None, None)


def test_sm2_implied_recall_is_90_percent_on_the_due_day() -> None:
    a = fitting.LoggedAnswer("c", DAY0 + timedelta(days=6), 4, True, 6, DAY0)
    late = fitting.LoggedAnswer("c", DAY0 + timedelta(days=12), 1, True, 6, DAY0)
    assert fitting.sm2_predictions([a, late], 0) == [(pytest.approx(0.9), True), (pytest.approx(0.81), False)]
