"""pipeline-bubble: idle share (p-1)/(m+p-1) for GPipe and 1F1B; 1F1B holds p micro-batches, GPipe m."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("pipeline-bubble")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_bubble_follows_the_formula_and_shrinks_with_micro_batches(result: DemoResult) -> None:
    m = result.metrics
    assert m["max_formula_error"] < 1e-9
    p = m["stages"]
    assert m["bubble_m1"] == pytest.approx((p - 1) / p)
    assert m["bubble_largest_m"] == pytest.approx((p - 1) / (m["largest_m"] + p - 1))
    assert m["bubble_largest_m"] < 0.1
    assert m["bubble_most_stages"] > 0.4


def test_1f1b_holds_fewer_micro_batches(result: DemoResult) -> None:
    m = result.metrics
    assert m["peak_held_gpipe_largest_m"] == m["largest_m"]
    assert m["peak_held_1f1b_largest_m"] == m["stages"]


def test_micro_batches_give_the_full_batch_gradient(result: DemoResult) -> None:
    assert result.metrics["grad_diff"] < 1e-6


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    from quizdl.demos.common import fmt

    m = result.metrics
    assert fmt(m["bubble_largest_m"]) in result.takeaway
    assert f"{m['peak_held_gpipe_largest_m']} micro-batches at once under GPipe" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("pipeline-bubble", seed=1).metrics
    assert m["grad_diff"] < 1e-6
    assert m["max_formula_error"] < 1e-9
