"""gradient-accumulation: loss / k over k micro-batches equals the large batch; no / k is a k-times step."""

from __future__ import annotations

import math

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("gradient-accumulation")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_correct_accumulation_equals_the_large_batch(result: DemoResult) -> None:
    m = result.metrics
    assert m["grad_max_abs_diff"] < 1e-6
    assert m["grad_rel_diff"] < 1e-5
    assert m["grad_rel_diff_float64"] < 1e-12  # the float32 difference is rounding only
    assert m["trained_param_rel_diff_correct"] < 1e-5
    assert m["final_loss_correct"] == pytest.approx(m["final_loss_full"], rel=1e-4)


def test_forgetting_the_division_is_a_k_times_step(result: DemoResult) -> None:
    m = result.metrics
    assert m["bug_grad_ratio"] == pytest.approx(m["k"], rel=1e-5)
    assert m["bug_grad_cosine"] == pytest.approx(1.0, abs=1e-5)
    assert not math.isfinite(m["final_loss_bug"]) or m["final_loss_bug"] > 2 * m["final_loss_full"]


def test_unequal_micro_batches_need_size_weights(result: DemoResult) -> None:
    m = result.metrics
    assert m["uneven_divide_by_k_rel_diff"] > 0.05
    assert m["uneven_weighted_rel_diff"] < 1e-5


def test_batchnorm_breaks_the_equivalence(result: DemoResult) -> None:
    assert result.metrics["batchnorm_rel_diff"] > 0.02


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["grad_max_abs_diff"]) in result.takeaway
    assert f"{100 * m['batchnorm_rel_diff']:.0f}%" in result.takeaway
    assert "diverged to NaN" in result.takeaway or fmt(m["final_loss_bug"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("gradient-accumulation", seed=1)
    test_correct_accumulation_equals_the_large_batch(other)
    test_forgetting_the_division_is_a_k_times_step(other)
    test_batchnorm_breaks_the_equivalence(other)
