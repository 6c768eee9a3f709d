"""init-schemes: naive scales vanish or explode, Xavier suits tanh, He suits ReLU."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("init-schemes")


def test_shape(result: DemoResult) -> None:
    check_shape(result)
    assert len(result.rows) == 8
    assert all(len(s.values) >= 20 for c in result.charts for s in c.series)


def test_naive_scales_vanish_or_explode(result: DemoResult) -> None:
    m = result.metrics
    assert m["std_last_tanh_naive_small"] < 1e-6
    assert m["std_last_relu_naive_small"] < 1e-6
    assert m["std_last_relu_naive_large"] > 1e6
    assert m["std_last_tanh_naive_large"] > 0.9  # saturated at +-1


def test_he_keeps_relu_and_xavier_keeps_tanh(result: DemoResult) -> None:
    m = result.metrics
    assert 0.2 < m["std_last_relu_he"] < 5
    assert m["std_last_relu_xavier"] < 1e-3  # halves the variance every layer
    assert m["std_last_relu_he"] > 100 * m["std_last_relu_xavier"]
    assert 0.05 < m["std_last_tanh_xavier"] < 0.9


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["std_last_relu_he"]) in result.takeaway
    assert fmt(m["std_last_relu_xavier"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("init-schemes", seed=1).metrics
    assert m["std_last_relu_he"] > 100 * m["std_last_relu_xavier"]
    assert m["std_last_tanh_naive_small"] < 1e-6 and m["std_last_relu_naive_large"] > 1e6
