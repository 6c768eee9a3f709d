"""label-smoothing: hard targets keep growing the logit gap and over-confidence; smoothing caps them, lowers ECE."""

from __future__ import annotations

import math

import pytest
import torch

from quizdl.demos.common import fmt
from quizdl.demos.label_smoothing import expected_calibration_error
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("label-smoothing")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_smoothed_optimum_is_the_closed_form_gap() -> None:
    # one example, K = 5, eps = 0.1: minimise the smoothed loss over the logits directly
    k, eps = 5, 0.1
    z = torch.zeros(k, requires_grad=True)
    target = torch.full((k,), eps / k)
    target[0] += 1 - eps
    for _ in range(2000):
        loss = -(target * torch.log_softmax(z, 0)).sum()
        (g,) = torch.autograd.grad(loss, z)
        with torch.no_grad():
            z -= 1.0 * g
    gap = float((z[0] - z[1:].max()).item())
    assert gap == pytest.approx(math.log((1 - eps + eps / k) / (eps / k)), rel=1e-3)


def test_ece_of_a_perfectly_calibrated_and_a_confidently_wrong_predictor() -> None:
    probs = torch.tensor([[0.8, 0.2]] * 10)
    y = torch.tensor([0] * 8 + [1] * 2)  # 80% confidence, 80% right
    assert expected_calibration_error(probs, y, 10) == pytest.approx(0.0, abs=1e-6)
    assert expected_calibration_error(probs, torch.ones(10, dtype=torch.long), 10) == pytest.approx(0.8, abs=1e-6)


def test_hard_targets_inflate_logits_and_confidence(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_gap_hard"] > 1.5 * m["train_gap_smooth"]
    assert m["train_gap_smooth"] < m["smoothed_optimum_gap"]
    assert m["train_logit_max_hard"] > 2 * m["train_logit_max_smooth"]
    assert m["train_confidence_hard"] > m["train_confidence_smooth"] + 0.05
    assert m["train_gap_hard"] > m["gap_hard_at_half_training"]  # still growing in the second half


def test_smoothing_improves_calibration_without_costing_accuracy(result: DemoResult) -> None:
    m = result.metrics
    assert m["test_confidence_hard"] > m["test_accuracy_hard"] + 0.08  # over-confident
    assert m["ece_hard"] > 0.1
    assert m["ece_smooth"] < m["ece_hard"] / 2
    assert m["test_nll_smooth"] < m["test_nll_hard"]
    assert abs(m["test_accuracy_smooth"] - m["test_accuracy_hard"]) < 0.04


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["train_gap_hard"]) in result.takeaway
    assert fmt(m["ece_smooth"]) in result.takeaway
    assert fmt(m["smoothed_optimum_gap"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("label-smoothing", seed=1).metrics
    assert m["train_gap_hard"] > 1.5 * m["train_gap_smooth"]
    assert m["ece_smooth"] < m["ece_hard"] / 2
    assert abs(m["test_accuracy_smooth"] - m["test_accuracy_hard"]) < 0.04
