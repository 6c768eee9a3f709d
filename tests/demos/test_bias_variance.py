"""bias-variance: train error falls with the degree, test error is U-shaped; bias^2 falls, variance grows."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("bias-variance")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_train_error_falls_monotonically_test_error_is_u_shaped(result: DemoResult) -> None:
    m = result.metrics
    train, test = m["train_mse"], m["test_mse"]
    assert m["train_monotone"] is True
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(train))  # nested least squares
    best = m["best_degree"]
    assert 2 <= best <= 8
    assert test[0] > 3 * test[best] and test[-1] > 10 * test[best]


def test_bias_left_variance_right(result: DemoResult) -> None:
    m = result.metrics
    b2, var = m["bias2"], m["variance"]
    assert b2[0] > 10 * var[0]  # underfitting: bias dominates
    assert var[-1] > 10 * b2[-1]  # overfitting: variance dominates
    assert var[-1] > 50 * var[0]
    assert min(b2[4:]) < 0.05 * b2[0]


def test_decomposition_is_exact(result: DemoResult) -> None:
    assert result.metrics["max_identity_gap"] < 1e-9


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert "U-shaped" in result.takeaway
    assert fmt(m["test_mse"][m["best_degree"]]) in result.takeaway
    assert fmt(m["variance"][-1]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("bias-variance", seed=1).metrics
    best = m["best_degree"]
    assert m["train_monotone"] is True
    assert 2 <= best <= 8 and m["test_mse"][-1] > 10 * m["test_mse"][best]
    assert m["variance"][-1] > 10 * m["bias2"][-1] and m["bias2"][0] > 10 * m["variance"][0]
