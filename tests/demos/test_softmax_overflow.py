"""softmax-overflow: naive softmax turns into NaN under a shift of the logits; max-subtracted stays exact."""

from __future__ import annotations

import pytest
import torch

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from quizdl.demos.softmax_overflow import naive_softmax, stable_softmax
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("softmax-overflow")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_overflow_thresholds_of_exp() -> None:
    assert torch.isinf(torch.exp(torch.tensor(89.0)))  # float32 overflows above ~88.7
    assert torch.isfinite(torch.exp(torch.tensor(88.0)))
    assert torch.isinf(torch.exp(torch.tensor(12.0, dtype=torch.float16)))  # float16 max is 65504
    assert torch.isnan(naive_softmax(torch.tensor([100.0, 90.0]))).all()
    assert torch.isnan(naive_softmax(torch.tensor([-120.0, -110.0]))).all()  # 0 / 0
    torch.testing.assert_close(stable_softmax(torch.tensor([100.0, 90.0])), torch.softmax(torch.tensor([10.0, 0.0]), 0))


def test_naive_softmax_breaks_under_a_shift(result: DemoResult) -> None:
    m = result.metrics
    assert m["naive_nan_share_fp32_unshifted"] == 0.0
    assert m["naive_error_fp32_unshifted"] < 1e-6  # fine when nothing overflows
    assert m["naive_nan_share_fp32_large"] > 0.9
    assert m["naive_nan_share_fp32_very_negative"] > 0.9
    assert m["naive_nan_share_fp16_shift"] > 0.5  # float16 overflows at a shift of only 15
    assert m["naive_nan_share_fp16_negative"] > 0.9


def test_max_subtracted_softmax_is_exact(result: DemoResult) -> None:
    m = result.metrics
    assert m["stable_nonfinite_share"] == 0.0
    assert m["stable_max_error_fp32"] < 1e-6
    assert m["stable_max_error_fp16"] < 2e-3  # float16 rounding of the outputs
    assert m["stable_vs_torch_softmax_fp32"] < 1e-6
    assert m["stable_vs_torch_softmax_fp16"] < 2e-3


def test_log_softmax_is_finite_where_log_of_softmax_is_not(result: DemoResult) -> None:
    m = result.metrics
    assert m["log_of_softmax_ce"] == float("inf")
    assert not m["log_of_softmax_grad_finite"]
    assert m["log_softmax_grad_finite"]
    assert m["log_softmax_ce"] == pytest.approx(m["exact_ce"], rel=1e-6)
    assert m["log_softmax_grad_error"] < 1e-6


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['naive_nan_share_fp16_shift']:.0f}%" in result.takeaway
    assert fmt(m["stable_max_error_fp32"]) in result.takeaway
    assert "NaN gradient" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("softmax-overflow", seed=1)
    test_naive_softmax_breaks_under_a_shift(other)
    test_max_subtracted_softmax_is_exact(other)
