"""bagging-vs-boosting: bagging cuts variance (not bias); boosting cuts bias."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("bagging-vs-boosting")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_bagging_cuts_the_variance_of_a_high_variance_learner(result: DemoResult) -> None:
    m = result.metrics
    assert m["nn_variance"] > 5 * m["nn_bias2"]  # 1-NN: variance-dominated
    assert m["bagged_nn_variance"] < 0.7 * m["nn_variance"]
    assert m["bagged_nn_bias2"] < 2 * m["nn_bias2"] + 0.005


def test_bagging_cannot_fix_bias_boosting_can(result: DemoResult) -> None:
    m = result.metrics
    assert m["stump_bias2"] > 1.5 * m["stump_variance"]  # stump: bias-dominated
    assert m["bagged_stump_bias2"] > 0.8 * m["stump_bias2"]
    assert m["boosted_bias2"] < 0.5 * m["stump_bias2"]
    curve = m["boosting_bias2_curve"]
    assert curve[-1] < 0.5 * curve[0]
    tm = m["test_mse"]
    assert min(tm.values()) > m["noise2"]  # nothing beats the noise floor


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["bagged_nn_variance"]) in result.takeaway
    assert fmt(m["boosted_bias2"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("bagging-vs-boosting", seed=1).metrics
    assert m["bagged_nn_variance"] < 0.7 * m["nn_variance"]
    assert m["boosted_bias2"] < 0.5 * m["stump_bias2"] and m["bagged_stump_bias2"] > 0.8 * m["stump_bias2"]
