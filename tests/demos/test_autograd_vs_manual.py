"""autograd-vs-manual: every hand-written chain-rule term equals autograd's; naive log(softmax) breaks."""

from __future__ import annotations

import math

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("autograd-vs-manual")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_manual_terms_equal_autograd(result: DemoResult) -> None:
    m = result.metrics
    assert len(m["diff_float64"]) == 8
    assert m["max_diff_float64"] < 1e-12  # brief: 1e-6; float64 gives rounding-level agreement
    assert 1e-10 < m["max_diff_float32"] < 1e-5  # float32 rounding, far above float64's
    assert m["custom_vs_fused"] < 1e-12


def test_naive_log_softmax_breaks_the_fused_one_does_not(result: DemoResult) -> None:
    m = result.metrics
    assert m["naive_grad_nan"] is True and m["naive_grad_finite"] is False
    assert not math.isfinite(m["naive_loss"])
    assert m["fused_grad_finite"] is True and m["custom_grad_finite"] is True
    assert math.isfinite(m["fused_loss"]) and m["fused_loss"] > 100
    assert m["custom_vs_fused_big_logits"] < 1e-12


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["max_diff_float64"]) in result.takeaway
    assert fmt(m["max_diff_float32"]) in result.takeaway
    assert "NaN gradients" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("autograd-vs-manual", seed=1).metrics
    assert m["max_diff_float64"] < 1e-12 and m["custom_vs_fused"] < 1e-12
    assert m["naive_grad_nan"] is True and m["fused_grad_finite"] is True
