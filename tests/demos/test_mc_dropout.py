"""mc-dropout: eval mode is deterministic; dropout kept on gives a spread that grows outside the training range."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("mc-dropout")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_eval_mode_is_deterministic(result: DemoResult) -> None:
    assert result.metrics["eval_repeat_diff"] == 0.0


def test_mc_mean_is_close_to_eval_inside_the_data(result: DemoResult) -> None:
    m = result.metrics
    assert m["mc_mean_vs_eval_inside"] < 0.1
    assert m["error_inside"] < 0.2


def test_spread_grows_outside_the_training_range(result: DemoResult) -> None:
    m = result.metrics
    assert m["mc_std_inside"] > 0.01
    assert m["std_ratio_outside_inside"] > 2.5
    assert m["error_outside"] > 5 * m["error_inside"]
    assert m["std_error_correlation"] > 0.5


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["mc_std_inside"]) in result.takeaway
    assert fmt(m["mc_std_outside"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("mc-dropout", seed=1)
    test_eval_mode_is_deterministic(other)
    test_spread_grows_outside_the_training_range(other)
