"""optimizers: on an ill-conditioned regression, momentum and Adam beat plain SGD in the same steps."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("optimizers")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_problem_is_ill_conditioned(result: DemoResult) -> None:
    assert result.metrics["condition_number"] == pytest.approx(100.0, rel=1e-3)


def test_plain_sgd_crawls(result: DemoResult) -> None:
    m = result.metrics
    assert m["final_loss_sgd"] > 1e-4 * m["initial_loss"]
    steps_sgd = m["steps_to_1e-3_sgd"]
    assert steps_sgd is None or steps_sgd > 2 * m["steps_to_1e-3_momentum"]
    assert m["final_loss_sgd_max_lr"] < m["final_loss_sgd"]  # a bigger rate helps, but not much


def test_momentum_and_adam_reach_a_far_lower_loss(result: DemoResult) -> None:
    m = result.metrics
    best_sgd = min(m["final_loss_sgd"], m["final_loss_sgd_max_lr"])
    assert m["final_loss_momentum"] < 1e-3 * best_sgd
    assert m["final_loss_adam"] < 1e-3 * best_sgd
    assert m["steps_to_1e-3_momentum"] is not None and m["steps_to_1e-3_adam"] is not None


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["final_loss_sgd"]) in result.takeaway
    assert fmt(m["final_loss_adam"]) in result.takeaway
    assert "NOT lower" not in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("optimizers", seed=1)
    test_problem_is_ill_conditioned(other)
    test_plain_sgd_crawls(other)
    test_momentum_and_adam_reach_a_far_lower_loss(other)
