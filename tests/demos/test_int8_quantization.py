"""int8-quantization: hand-made int8 weights are 4x smaller and keep accuracy; per-channel scales beat per-tensor."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("int8-quantization")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_bytes_are_counted_exactly(result: DemoResult) -> None:
    m = result.metrics
    assert m["int8_code_bytes"] * 4 == m["fp32_weight_bytes"]  # 1 byte per weight instead of 4
    assert 3.9 < m["compression_per_tensor"] < 4.0
    assert 3.4 < m["compression_per_channel"] < m["compression_per_tensor"]  # one float32 scale per row
    assert m["int8_model_bytes"] < m["fp32_model_bytes"] / 3


def test_rounding_error_is_bounded_by_half_a_step(result: DemoResult) -> None:
    assert result.metrics["rounding_within_half_step"] is True
    assert result.metrics["fold_max_abs_error"] < 1e-4  # folding batch norm changes nothing


def test_int8_keeps_accuracy_within_a_point(result: DemoResult) -> None:
    m = result.metrics
    assert m["fp32_accuracy"] > 0.8
    for key in ("int8_per_tensor_accuracy", "int8_per_channel_accuracy", "int8_full_accuracy"):
        assert abs(m[key] - m["fp32_accuracy"]) <= 0.01, key
    assert m["int8_per_channel_output_error"] < 0.02
    assert m["int8_prediction_agreement"] > 0.98


def test_per_channel_beats_per_tensor(result: DemoResult) -> None:
    m = result.metrics
    assert m["row_range_spread"] > 2
    assert m["int8_per_channel_weight_error"] < 0.8 * m["int8_per_tensor_weight_error"]
    assert m["int8_per_channel_output_error"] < 0.85 * m["int8_per_tensor_output_error"]
    assert m["low_bits_per_channel_output_error"] < 0.85 * m["low_bits_per_tensor_output_error"]
    # fewer bits, larger error
    assert m["low_bits_per_tensor_output_error"] > 5 * m["int8_per_tensor_output_error"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['fp32_weight_bytes']}" in result.takeaway
    assert f"{fmt(m['compression_per_tensor'])}x" in result.takeaway
    assert f"{m['int8_per_channel_accuracy']:.2%}" in result.takeaway
    assert fmt(100 * m["int8_per_tensor_output_error"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("int8-quantization", seed=1).metrics
    assert abs(m["int8_per_channel_accuracy"] - m["fp32_accuracy"]) <= 0.01
    assert m["int8_per_channel_output_error"] < 0.85 * m["int8_per_tensor_output_error"]
    assert m["rounding_within_half_step"] is True
