"""activation-checkpointing: identical gradients, fewer activation bytes held, every block run forward twice."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("activation-checkpointing")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_same_gradients_including_dropout(result: DemoResult) -> None:
    m = result.metrics
    assert m["max_grad_diff"] <= 1e-6
    # without restoring the RNG state, recomputed dropout masks differ: gradients differ visibly
    assert m["grad_diff_no_rng_state"] > 0.05 * m["max_abs_grad"]


def test_fewer_activation_bytes(result: DemoResult) -> None:
    m = result.metrics
    assert m["peak_ratio_best"] < 0.4
    assert m["bytes_saved_best"] < m["bytes_saved_normal"] / 3
    # one segment keeps only its input but recomputes everything at once: its peak is near the normal one
    assert m["bytes_saved_1_segments"] < m["bytes_saved_normal"] / 10
    assert m["peak_bytes_1_segments"] > 0.8 * m["peak_bytes_normal"]
    # the best segment count is in the middle (about sqrt(depth)), not at either end
    assert 2 <= m["best_segments"] <= 8
    assert m["peak_bytes_best"] < m["peak_bytes_16_segments"]


def test_extra_forward_compute(result: DemoResult) -> None:
    m = result.metrics
    assert m["forward_calls_normal"] == m["depth"]
    assert m["forward_calls_checkpoint"] == 2 * m["depth"]
    assert m["step_compute_ratio"] == pytest.approx(4 / 3)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['best_segments']} checkpointed segments" in result.takeaway
    assert f"{m['forward_calls_checkpoint']} block forwards" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("activation-checkpointing", seed=1).metrics
    assert m["max_grad_diff"] <= 1e-6
    assert m["grad_diff_no_rng_state"] > 0.05 * m["max_abs_grad"]
    assert m["peak_ratio_best"] < 0.4
