"""zero-init: zero or constant initialization keeps every hidden unit identical; random init breaks symmetry."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("zero-init")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_symmetric_inits_stay_one_unit(result: DemoResult) -> None:
    m = result.metrics
    assert m["distinct_units_zero"] == 1
    assert m["distinct_units_constant"] == 1
    assert m["weight_spread_zero"] < 1e-6
    assert m["weight_spread_constant"] < 1e-5
    assert m["distinct_units_random"] == 16
    assert m["weight_spread_random"] > 0.1


def test_random_init_learns_far_better(result: DemoResult) -> None:
    m = result.metrics
    assert m["final_loss_zero"] > 0.9  # only the output bias learns: no better than predicting the mean
    assert m["final_loss_constant"] > 5 * m["final_loss_random"]
    assert m["final_loss_random"] < 0.1
    # 16 identical units are no better than one unit
    assert m["final_loss_constant"] > 0.7 * m["final_loss_one_unit"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["final_loss_random"]) in result.takeaway
    assert f"{m['distinct_units_random']} distinct units" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("zero-init", seed=1).metrics
    assert m["distinct_units_zero"] == m["distinct_units_constant"] == 1
    assert m["distinct_units_random"] == 16
