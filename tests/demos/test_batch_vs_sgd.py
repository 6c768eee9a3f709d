"""batch-vs-sgd: single samples reach the target with far fewer gradient evaluations, but noisily."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("batch-vs-sgd")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_every_regime_reaches_the_target(result: DemoResult) -> None:
    m = result.metrics
    for key in ("full", "mini", "sgd"):
        assert m[f"steps_to_target_{key}"] is not None
        assert m[f"ms_to_target_{key}"] > 0


def test_smaller_batches_need_fewer_samples(result: DemoResult) -> None:
    m = result.metrics
    assert m["samples_to_target_sgd"] * 50 < m["samples_to_target_full"]
    assert m["samples_to_target_mini"] * 5 < m["samples_to_target_full"]


def test_smaller_batches_are_noisier_and_settle_higher(result: DemoResult) -> None:
    m = result.metrics
    assert m["loss_noise_sgd"] > 10 * m["loss_noise_mini"] > 10 * m["loss_noise_full"]
    assert m["settled_loss_full"] == pytest.approx(m["minimum_loss"], rel=0.01)
    assert m["settled_loss_sgd"] > 1.1 * m["settled_loss_full"]


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"in {m['steps_to_target_sgd']} steps, {m['samples_to_target_sgd']} samples" in result.takeaway
    assert "fewer gradient evaluations" in result.takeaway
    assert "bouncing above" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("batch-vs-sgd", seed=1)
    test_smaller_batches_need_fewer_samples(other)
    test_smaller_batches_are_noisier_and_settle_higher(other)
