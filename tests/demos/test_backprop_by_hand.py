"""backprop-by-hand: the hand-computed deltas and update of one SGD step equal autograd's; the loss falls."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("backprop-by-hand")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_hand_deltas_and_update_equal_autograd(result: DemoResult) -> None:
    m = result.metrics
    assert set(m["gaps"]) == {"delta2", "delta1", "W1", "b1", "W2", "b2"}
    assert m["max_gap_hand_vs_autograd"] < 1e-12
    assert m["update_gap_hand_vs_sgd"] < 1e-12


def test_the_step_lowers_the_loss_as_first_order_theory_predicts(result: DemoResult) -> None:
    m = result.metrics
    assert m["loss_after"] < m["loss_before"]
    drop, predicted_drop = m["loss_before"] - m["loss_after"], m["loss_before"] - m["predicted_loss_after"]
    assert 0.5 * predicted_drop < drop < 1.5 * predicted_drop


def test_too_large_a_step_raises_the_loss(result: DemoResult) -> None:
    m = result.metrics
    after, before = m["loss_after_by_lr"], m["loss_before"]
    assert after[0] < before  # the smallest step helps
    assert m["first_rising_lr"] is not None and after[-1] > 10 * before


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["loss_before"]) in result.takeaway and fmt(m["loss_after"]) in result.takeaway
    assert "a decrease" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("backprop-by-hand", seed=1).metrics
    assert m["max_gap_hand_vs_autograd"] < 1e-12 and m["update_gap_hand_vs_sgd"] < 1e-12
    assert m["loss_after"] < m["loss_before"]
