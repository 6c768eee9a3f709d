"""learning-rate: too low barely moves, right converges, above 2/lambda_max diverges."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("learning-rate")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_too_low_barely_moves(result: DemoResult) -> None:
    assert result.metrics["ratio_low"] > 0.7


def test_right_rate_converges(result: DemoResult) -> None:
    m = result.metrics
    assert m["ratio_right"] < 0.01
    assert m["final_loss_edge"] < 0.01 * m["initial_loss"]  # just below 2/lambda_max still converges


def test_too_high_diverges(result: DemoResult) -> None:
    m = result.metrics
    assert m["diverged_high"] is True
    assert m["final_loss_high"] > 1e5 * m["initial_loss"]
    assert m["lr_high"] > m["critical_lr"] > m["lr_right"] > m["lr_low"]


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["critical_lr"]) in result.takeaway
    assert fmt(m["final_loss_right"]) in result.takeaway
    assert f"by step {m['diverged_step_high']}" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("learning-rate", seed=1)
    test_too_low_barely_moves(other)
    test_right_rate_converges(other)
    test_too_high_diverges(other)
