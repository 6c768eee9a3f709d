"""universal-approximation: one hidden layer's fit error falls with width (ReLU, tanh) but not for z^2."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("universal-approximation")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_error_falls_as_width_grows(result: DemoResult) -> None:
    m = result.metrics
    for key in ("test_mse_relu", "test_mse_tanh"):
        errs = m[key]
        assert errs[0] > 0.4  # one unit cannot follow four periods (variance 0.54)
        assert errs[-1] < 1e-3 * errs[0]
        assert all(b < a for a, b in itertools.pairwise(errs))  # from 8 units on, every doubling helps
    for key in ("train_mse_relu", "train_mse_tanh"):  # nested features: training error can only fall
        assert all(b <= a * (1 + 1e-6) + 1e-12 for a, b in zip(m[key], m[key][1:], strict=False))


def test_polynomial_activation_is_stuck_at_the_best_quadratic(result: DemoResult) -> None:
    m = result.metrics
    assert m["square_vs_quadratic_gap"] < 1e-6
    assert min(m["test_mse_square"]) > 0.9 * m["quadratic_fit_test_mse"] > 0.4


def test_width_does_not_help_outside_the_domain(result: DemoResult) -> None:
    m = result.metrics
    assert m["outside_mse_relu"][-1] > 1000 * m["test_mse_relu"][-1]
    assert m["outside_mse_tanh"][-1] > 1000 * m["test_mse_tanh"][-1]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    for v in (m["test_mse_relu"][-1], m["test_mse_tanh"][-1], m["quadratic_fit_test_mse"]):
        assert fmt(v) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("universal-approximation", seed=1).metrics
    assert m["test_mse_relu"][-1] < 1e-3 * m["test_mse_relu"][0]
    assert m["test_mse_tanh"][-1] < 1e-3 * m["test_mse_tanh"][0]
    assert m["square_vs_quadratic_gap"] < 1e-6
