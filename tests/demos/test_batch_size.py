"""batch-size: small batches make more, slower epochs; the takeaway follows the measured numbers."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("batch-size")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_updates_and_time_per_epoch(result: DemoResult) -> None:
    m = result.metrics
    assert m["updates_b8"] == 32 * m["updates_b256"]
    assert m["updates_b256_equal_updates"] == m["updates_b8"]
    assert m["ms_per_epoch_b8"] > 3 * m["ms_per_epoch_b256"]  # 32 small steps vs 1 big one


def test_equal_epochs_leaves_the_full_batch_undertrained(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_loss_b256"] > 1.25 * m["train_loss_b8"]
    assert m["train_acc_b8"] > m["train_acc_b256"] + 0.02
    assert "simply trained less" in result.takeaway


def test_equal_updates_control(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_loss_b256_equal_updates"] < 1.2 * m["train_loss_b8"]  # training now matched
    assert m["sharpness_b8"] < m["sharpness_b256_equal_updates"]  # small batch ends flatter
    for key in ("b8", "b64", "b256", "b256_equal_updates"):
        assert 0.5 < m[f"test_acc_{key}"] <= 1.0


def test_takeaway_follows_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"batch 8 made {m['updates_b8']} updates" in result.takeaway
    assert fmt(m["gap_b8"]) in result.takeaway
    better = m["test_acc_b8"] > m["test_acc_b256_equal_updates"] + 0.015 and (
        m["gap_b8"] < m["gap_b256_equal_updates"] - 0.015
    )
    assert ("the small batch generalized better" in result.takeaway) == better


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("batch-size", seed=1)
    test_updates_and_time_per_epoch(other)
    test_equal_epochs_leaves_the_full_batch_undertrained(other)
    test_equal_updates_control(other)
