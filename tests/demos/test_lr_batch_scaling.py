"""lr-batch-scaling: at equal epochs a k-times batch needs a k-times learning rate, up to the stability limit."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("lr-batch-scaling")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_linear_scaling_matches_the_small_batch(result: DemoResult) -> None:
    m = result.metrics
    assert m["final_loss_small_batch"] < 0.05 * m["initial_loss"]
    assert m["linear_vs_small_ratio"] == pytest.approx(1.0, abs=0.2)
    assert m["unscaled_vs_small_ratio"] > 10
    assert m["final_loss_linear"] < m["final_loss_sqrt"] < m["final_loss_unscaled"]


def test_linear_scaling_breaks_past_the_stability_limit(result: DemoResult) -> None:
    m = result.metrics
    assert m["lr_too_far"] > m["lr_limit"]
    assert m["too_far_diverged"] is True


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    from quizdl.demos.common import fmt

    m = result.metrics
    assert fmt(m["final_loss_linear"]) in result.takeaway
    assert fmt(m["final_loss_unscaled"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("lr-batch-scaling", seed=1).metrics
    assert m["linear_vs_small_ratio"] == pytest.approx(1.0, abs=0.2)
    assert m["unscaled_vs_small_ratio"] > 10
    assert m["too_far_diverged"] is True
