"""huber-vs-mse: a few large outliers drag the MSE line away; Huber and MAE stay near the true slope."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("huber-vs-mse")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_trained_mse_is_the_least_squares_solution(result: DemoResult) -> None:
    assert result.metrics["mse_fit_vs_least_squares"] < 1e-4


def test_outliers_pull_mse_but_not_huber_or_mae(result: DemoResult) -> None:
    m = result.metrics
    assert m["slope_error_mse"] > 1.0
    assert m["slope_error_huber"] < 0.2
    assert m["slope_error_mae"] < 0.15
    assert m["slope_error_mse"] > 8 * max(m["slope_error_huber"], m["slope_error_mae"])
    assert m["intercept_error_mse"] > 4 * max(m["intercept_error_huber"], m["intercept_error_mae"])


def test_outliers_dominate_only_the_mse_gradient(result: DemoResult) -> None:
    m = result.metrics
    assert m["outlier_gradient_share_mse"] > 0.7
    assert m["outlier_gradient_share_huber"] < 0.4
    assert m["outlier_gradient_share_mae"] < m["outlier_gradient_share_huber"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["slope_mse"]) in result.takeaway
    assert fmt(m["slope_huber"]) in result.takeaway
    assert f"{100 * m['outlier_gradient_share_mse']:.0f}%" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("huber-vs-mse", seed=1).metrics
    assert m["mse_fit_vs_least_squares"] < 1e-4
    assert m["slope_error_mse"] > 8 * max(m["slope_error_huber"], m["slope_error_mae"])
    assert m["outlier_gradient_share_mse"] > 0.7 > 0.4 > m["outlier_gradient_share_huber"]
