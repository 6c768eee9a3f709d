"""logistic-regression: (p - y) x gradient, one optimum from any init, unbounded weights on separable data."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("logistic-regression")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_closed_form_gradient_and_convexity(result: DemoResult) -> None:
    m = result.metrics
    assert m["grad_gap"] < 1e-12
    assert m["spread_start"] > 3
    assert m["spread_end"] < 1e-8  # every initialization reaches the same optimum


def test_separable_data_weights_grow_without_l2_and_converge_with_it(result: DemoResult) -> None:
    m = result.metrics
    assert m["separable"] is True
    free, l2 = m["norms_no_penalty"], m["norms_l2"]
    assert free[0] < free[1] < free[2]
    assert free[2] - free[1] > 0.5 * (free[1] - free[0]) > 0  # log-like: a similar gain per decade of steps
    assert m["loss_separable_no_penalty"] < 1e-3
    assert m["norm_late_change_l2"] < 1e-3 and l2[2] < 0.7 * free[2]


def test_a_linear_boundary_needs_the_engineered_feature_on_circles(result: DemoResult) -> None:
    m = result.metrics
    assert m["accuracy_circles_raw"] < 0.7
    assert m["accuracy_circles_engineered"] > 0.97


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["spread_end"]) in result.takeaway
    assert fmt(m["norms_no_penalty"][2]) in result.takeaway
    assert f"{m['accuracy_circles_raw']:.0%}" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("logistic-regression", seed=1).metrics
    assert m["spread_end"] < 1e-8 and m["norm_late_change_l2"] < 1e-3
    assert m["norms_no_penalty"][2] > m["norms_no_penalty"][1] > m["norms_no_penalty"][0]
    assert m["accuracy_circles_raw"] < 0.7 < 0.97 < m["accuracy_circles_engineered"]
