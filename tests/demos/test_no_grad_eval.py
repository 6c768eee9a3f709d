"""no-grad-eval: no_grad stores no graph but keeps dropout and BatchNorm updates; eval() is the other switch."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("no-grad-eval")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_no_grad_stores_nothing(result: DemoResult) -> None:
    m = result.metrics
    assert m["saved_train_grad"] >= 10 and m["saved_eval_grad"] >= 10
    assert m["saved_train_no_grad"] == 0 and m["saved_eval_no_grad"] == 0
    assert m["eval_inference_mode"]["saved"] == 0
    assert m["saved_mb_grad"] > 1.0  # activations of a 512 x 256 MLP
    assert m["train_grad"]["requires_grad"] is True and m["train_grad"]["has_graph"] is True
    assert m["train_no_grad"]["requires_grad"] is False and m["train_no_grad"]["has_graph"] is False


def test_no_grad_keeps_training_behaviour_eval_switches_it_off(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_no_grad"]["deterministic"] is False  # dropout still on
    assert m["train_no_grad"]["bn_moved"] > 0  # BatchNorm still updates its running statistics
    for key in ("eval_grad", "eval_no_grad", "eval_inference_mode"):
        assert m[key]["deterministic"] is True and m[key]["bn_moved"] == 0
    assert m["eval_output_gap_grad_vs_no_grad"] == 0.0
    assert m["eval_output_gap_grad_vs_inference_mode"] == 0.0
    assert m["train_vs_eval_output_gap"] > 0.1


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"saved {m['saved_train_grad']} tensors" in result.takeaway
    assert fmt(m["saved_mb_grad"]) in result.takeaway
    assert "differ (dropout)" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("no-grad-eval", seed=1).metrics
    assert m["saved_train_no_grad"] == 0 < m["saved_train_grad"]
    assert m["train_no_grad"]["deterministic"] is False and m["eval_no_grad"]["deterministic"] is True
