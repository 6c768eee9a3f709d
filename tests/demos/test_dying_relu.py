"""dying-relu: a high learning rate or a negative bias leaves ReLU units dead; Leaky ReLU units keep learning."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("dying-relu")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_high_learning_rate_kills_relu_units(result: DemoResult) -> None:
    m = result.metrics
    assert m["dead_fraction_relu"] > 0.3
    assert m["dead_fraction_relu"] > m["dead_fraction_relu_baseline"] + 0.2
    # a dead ReLU unit gets exactly zero gradient; every Leaky ReLU unit still gets some
    assert m["gradient_fraction_relu"] <= 1 - m["dead_fraction_relu"] + 1e-9
    assert m["gradient_fraction_leaky"] == 1.0


def test_negative_bias_dead_units_stay_dead_under_relu_only(result: DemoResult) -> None:
    m = result.metrics
    assert m["dead_fraction_start_negative_bias"] > 0.7
    assert m["dead_fraction_relu_negative_bias"] >= m["dead_fraction_start_negative_bias"] - 0.02
    assert m["dead_fraction_leaky_negative_bias"] < m["dead_fraction_relu_negative_bias"] - 0.2
    assert m["final_loss_relu_negative_bias"] > 5 * m["final_loss_leaky_negative_bias"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['dead_fraction_relu']:.0f}%" in result.takeaway
    assert f"{100 * m['dead_fraction_leaky_negative_bias']:.0f}%" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("dying-relu", seed=1).metrics
    assert m["dead_fraction_relu"] > m["dead_fraction_relu_baseline"] + 0.15
    assert m["gradient_fraction_leaky"] == 1.0
    assert m["dead_fraction_leaky_negative_bias"] < m["dead_fraction_relu_negative_bias"] - 0.1
