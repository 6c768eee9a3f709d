"""discount-horizon: gamma flips the optimal policy at 0.1^(1/8); the forever value is 1/(1-gamma)."""

from __future__ import annotations

import math

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("discount-horizon")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_value_iteration_matches_the_closed_form(result: DemoResult) -> None:
    m = result.metrics
    assert m["closed_form_max_error"] < 1e-5
    assert math.isclose(m["crossover_gamma"], 0.1 ** (1 / 8), rel_tol=1e-9)
    # from the start: left pays 1 after 2 steps (worth gamma), right pays 10 after 10 steps (10 gamma^9)
    for gamma in (0.5, 0.7, 0.8, 0.9, 0.99):
        near, far = gamma, 10 * gamma**9
        assert math.isclose(m[f"v_near_{gamma:g}"], near, rel_tol=1e-5)
        assert math.isclose(m[f"v_far_{gamma:g}"], far, rel_tol=1e-5)
        assert math.isclose(m[f"v_star_start_{gamma:g}"], max(near, far), rel_tol=1e-5)
        assert m[f"goes_far_{gamma:g}"] is (far > near)


def test_discount_flips_the_policy(result: DemoResult) -> None:
    m = result.metrics
    for gamma in ("0.5", "0.7"):
        assert m[f"goes_far_{gamma}"] is False
    for gamma in ("0.8", "0.9", "0.99"):
        assert m[f"goes_far_{gamma}"] is True
    assert m["cells_heading_right_0.5"] < m["cells_heading_right_0.99"] == m["inner_cells"]


def test_effective_horizon(result: DemoResult) -> None:
    m = result.metrics
    for gamma in (0.5, 0.7, 0.8, 0.9, 0.99):
        assert math.isclose(m[f"forever_value_{gamma:g}"], 1 / (1 - gamma), rel_tol=1e-4)
        assert abs(m[f"forever_sweeps_{gamma:g}"] - m[f"forever_sweeps_theory_{gamma:g}"]) <= 1
    assert m["forever_sweeps_0.99"] > 50 * m["forever_sweeps_0.5"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert "0.75" in result.takeaway
    assert str(m["forever_sweeps_0.99"]) in result.takeaway
    assert "left for gamma 0.5, 0.7 and right for 0.8, 0.9, 0.99" in result.takeaway


def test_same_for_another_seed() -> None:
    m = run_cpu("discount-horizon", seed=1).metrics  # deterministic: nothing random in the MDP
    assert m["goes_far_0.7"] is False and m["goes_far_0.8"] is True
    assert m["closed_form_max_error"] < 1e-5
