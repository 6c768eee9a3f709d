"""gnn-oversmoothing: a few rounds of message passing help, many erase the signal; mixing the input back fixes it."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("gnn-oversmoothing")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_a_few_rounds_help(result: DemoResult) -> None:
    m = result.metrics
    assert m["best_plain_accuracy"] > m["accuracy_raw_features"] + 0.1
    assert 1 <= m["best_plain_depth"] <= 8


def test_many_rounds_over_smooth(result: DemoResult) -> None:
    m = result.metrics
    assert m["plain_accuracy_deepest"] < 0.62  # near chance (0.5)
    assert m["plain_spread_deepest"] < 0.05 * m["spread_raw"]


def test_mixing_the_input_back_keeps_the_signal(result: DemoResult) -> None:
    m = result.metrics
    assert m["residual_accuracy_deepest"] > m["plain_accuracy_deepest"] + 0.3
    assert m["residual_spread_deepest"] > 0.8 * m["spread_raw"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    from quizdl.demos.common import fmt

    m = result.metrics
    assert fmt(m["plain_accuracy_deepest"]) in result.takeaway
    assert fmt(m["residual_accuracy_deepest"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("gnn-oversmoothing", seed=1).metrics
    assert m["best_plain_accuracy"] > m["accuracy_raw_features"] + 0.1
    assert m["plain_accuracy_deepest"] < 0.62
    assert m["residual_accuracy_deepest"] > m["plain_accuracy_deepest"] + 0.3
