"""scaling-laws: test loss is close to a power law in model size with plenty of data; it bends without."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("scaling-laws")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_power_law_in_model_size_with_plenty_of_data(result: DemoResult) -> None:
    m = result.metrics
    large = m["test_mse_large_data"]
    assert all(b < a for a, b in itertools.pairwise(large))
    assert -1.2 < m["slope"] < -0.6
    assert m["r2"] > 0.95
    # a power law fitted to the small models forecasts the largest one far better than "no more gain"
    assert m["forecast_relative_error"] < 1.0
    assert m["naive_forecast_relative_error"] > 2 * m["forecast_relative_error"]


def test_little_data_bends_the_curve(result: DemoResult) -> None:
    m = result.metrics
    assert m["late_slope_small_data"] > 0.5 * m["late_slope_large_data"]  # at most half as steep
    assert m["test_mse_small_data"][-1] > 3 * m["test_mse_large_data"][-1]


def test_more_data_helps_the_largest_model(result: DemoResult) -> None:
    m = result.metrics
    assert m["test_mse_by_data"][-1] < 0.1 * m["test_mse_by_data"][0]
    assert m["slope_data"] < -0.5


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["slope"]) in result.takeaway and fmt(m["forecast"]) in result.takeaway
    assert "bottleneck" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("scaling-laws", seed=1).metrics
    assert m["r2"] > 0.95 and -1.2 < m["slope"] < -0.6
    assert m["late_slope_small_data"] > 0.5 * m["late_slope_large_data"]
