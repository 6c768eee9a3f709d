"""gelu-silu-vs-relu: ReLU zeroes the gradient of every negative input and has a kink; GELU and SiLU do not."""

from __future__ import annotations

import math

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("gelu-silu-vs-relu")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_relu_has_zero_gradient_exactly_on_non_positive_inputs(result: DemoResult) -> None:
    m = result.metrics
    assert m["zero_grad_share_relu"] == pytest.approx(m["non_positive_share"], abs=1e-9)
    assert 0.3 < m["zero_grad_share_relu"] < 0.7
    assert m["mean_abs_grad_negative_relu"] == 0.0
    assert m["zero_grad_share_gelu"] == 0.0
    assert m["zero_grad_share_silu"] == 0.0
    assert m["mean_abs_grad_negative_gelu"] > 0.1
    assert m["mean_abs_grad_negative_silu"] > 0.1


def test_kink_vs_smooth_derivative(result: DemoResult) -> None:
    m = result.metrics
    assert m["max_derivative_jump_relu"] == 1.0
    # smooth: the jump over a 0.001 step is 0.001 * max |f''|: 2 phi(0) = 0.798 for GELU, 0.5 for SiLU
    assert m["max_derivative_jump_gelu"] == pytest.approx(1e-3 * 2 / math.sqrt(2 * math.pi), rel=1e-2)
    assert m["max_derivative_jump_silu"] == pytest.approx(0.5e-3, rel=1e-2)


def test_minima_below_zero(result: DemoResult) -> None:
    m = result.metrics
    assert m["minimum_gelu"] == pytest.approx(-0.170, abs=2e-3)
    assert m["argmin_gelu"] == pytest.approx(-0.752, abs=5e-3)
    assert m["minimum_silu"] == pytest.approx(-0.278, abs=2e-3)
    assert m["argmin_silu"] == pytest.approx(-1.278, abs=5e-3)


def test_smooth_activations_fit_the_smooth_target_better(result: DemoResult) -> None:
    m = result.metrics
    for name in ("relu", "gelu", "silu"):
        assert m[f"final_loss_{name}"] < 0.05 * m["initial_loss"]  # every net trains
    assert m["final_loss_gelu"] < m["final_loss_relu"] / 1.5
    assert m["final_loss_silu"] < m["final_loss_relu"] / 1.5


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['zero_grad_share_relu']:.0f}%" in result.takeaway
    assert fmt(m["final_loss_relu"]) in result.takeaway
    assert fmt(m["final_loss_gelu"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("gelu-silu-vs-relu", seed=1)
    test_relu_has_zero_gradient_exactly_on_non_positive_inputs(other)
    test_smooth_activations_fit_the_smooth_target_better(other)
