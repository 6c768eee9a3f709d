"""vanishing-gradients: sigmoid stacks lose the gradient; ReLU+He and residual connections keep it."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("vanishing-gradients")


def test_shape(result: DemoResult) -> None:
    check_shape(result)
    assert len(result.charts[0].series) == 4
    assert all(len(s.values) == 20 for s in result.charts[0].series)


def test_sigmoid_gradient_vanishes(result: DemoResult) -> None:
    m = result.metrics
    assert m["grad_ratio_sigmoid"] < 1e-6
    assert m["first_layer_weight_grad_sigmoid"] < 1e-6


def test_relu_and_residuals_keep_the_gradient(result: DemoResult) -> None:
    m = result.metrics
    assert 0.05 < m["grad_ratio_relu"] < 20
    assert 0.3 < m["grad_ratio_sigmoid_residual"] < 10
    assert 0.3 < m["grad_ratio_relu_residual"] < 10
    assert m["grad_ratio_sigmoid_residual"] > 1e5 * m["grad_ratio_sigmoid"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["grad_ratio_sigmoid"]) in result.takeaway
    assert fmt(m["grad_ratio_sigmoid_residual"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("vanishing-gradients", seed=1).metrics
    assert m["grad_ratio_sigmoid"] < 1e-6 < 0.05 < m["grad_ratio_relu"]
    assert m["grad_ratio_sigmoid_residual"] > 0.3
