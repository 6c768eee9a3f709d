"""positional-encoding: without positions self-attention is permutation-equivariant, so order tasks fail."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("positional-encoding")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_without_positions_a_permuted_sequence_gives_the_same_pooled_output(result: DemoResult) -> None:
    m = result.metrics
    assert m["no_pos_pooled_gap_float64"] < 1e-12  # identical up to float64 rounding
    assert m["no_pos_pooled_gap"] < 1e-4  # float32 rounding only
    assert m["no_pos_equivariance_gap"] < 1e-5  # f(Px) = P f(x)
    assert m["no_pos_twin_logit_gap"] < 1e-5
    # so each test pair (a sequence and its A<->B swap, opposite labels) gets one right: exactly 50%
    assert m["no_pos_accuracy"] == pytest.approx(0.5, abs=1e-9)


def test_with_positions_the_order_task_is_solved(result: DemoResult) -> None:
    m = result.metrics
    assert m["pos_pooled_gap"] > 0.1
    assert m["pos_accuracy"] > 0.85
    assert m["pos_final_loss"] < 0.5 * m["no_pos_final_loss"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["no_pos_pooled_gap"]) in result.takeaway
    assert f"{100 * m['pos_accuracy']:.0f}%" in result.takeaway
    assert "scores 50%" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("positional-encoding", seed=1).metrics
    assert m["no_pos_pooled_gap_float64"] < 1e-12
    assert m["no_pos_accuracy"] == pytest.approx(0.5, abs=1e-9)
    assert m["pos_accuracy"] > 0.85
