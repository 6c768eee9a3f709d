"""fp16-loss-scaling: tiny gradients underflow in FP16; loss scaling and dynamic scaling recover them."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("fp16-loss-scaling")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_fp16_underflows_and_a_loss_scale_recovers(result: DemoResult) -> None:
    m = result.metrics
    assert m["zero_share_fp16"] > 0.25  # about a third of the entries sit below FP16's ~3e-8 rounding floor
    assert m["zero_share_best_scale"] + m["overflow_share_best_scale"] < 0.001
    assert 12 <= m["best_scale_exponent"] <= 24
    assert m["overflow_share_top_scale"] > 0.01  # 2^32 pushes the largest values past 65504


def test_bf16_keeps_the_range_but_not_the_precision(result: DemoResult) -> None:
    m = result.metrics
    assert m["zero_share_bf16"] == 0.0
    # 8 significant bits against FP16's 11: roughly 8x the relative rounding error
    assert m["rel_err_bf16"] > 4 * m["rel_err_fp16_best_scale"]


def test_dynamic_scaling_tracks_shrinking_gradients(result: DemoResult) -> None:
    m = result.metrics
    assert m["late_zero_share_unscaled"] > 0.3
    assert m["late_zero_share_fixed"] > 0.01
    assert m["late_zero_share_dynamic"] < m["late_zero_share_fixed"] / 10
    assert m["skipped_steps_dynamic"] >= 1  # it backed off at least once
    assert m["final_scale_exponent_dynamic"] > 8


def test_small_updates_need_fp32_master_weights(result: DemoResult) -> None:
    m = result.metrics
    assert m["frozen_share_fp16_weights"] > 0.6
    assert m["frozen_share_bf16_weights"] > m["frozen_share_fp16_weights"]
    assert m["frozen_share_fp32_weights"] == 0.0
    assert m["update_error_fp32_weights"] < 1e-2


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['zero_share_fp16']:.1f}%" in result.takeaway
    assert f"2^{m['best_scale_exponent']}" in result.takeaway
    assert f"{100 * m['frozen_share_fp16_weights']:.1f}%" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("fp16-loss-scaling", seed=1).metrics
    assert m["zero_share_fp16"] > 0.25
    assert m["zero_share_best_scale"] + m["overflow_share_best_scale"] < 0.001
    assert m["zero_share_bf16"] == 0.0
    assert m["late_zero_share_dynamic"] < m["late_zero_share_fixed"] / 10
    assert m["frozen_share_fp32_weights"] == 0.0 < m["frozen_share_fp16_weights"] - 0.5
