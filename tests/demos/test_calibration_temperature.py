"""calibration-temperature: an over-trained net is over-confident; temperature scaling lowers ECE, same accuracy."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from quizdl.demos.calibration_temperature import Config, expected_calibration_error, fit_temperature
from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("calibration-temperature")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_the_over_trained_net_is_over_confident(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_accuracy"] == 1.0
    assert m["final_train_loss"] < 1e-3
    assert m["mean_confidence_before"] > m["test_accuracy_before"] + 0.15
    assert m["ece_before"] > 0.15
    assert m["ece_first_checkpoint"] < m["ece_before"]


def test_temperature_scaling_lowers_ece_and_nll_and_keeps_accuracy_exactly(result: DemoResult) -> None:
    m = result.metrics
    assert m["temperature"] > 2
    assert m["ece_after"] < 0.08
    assert m["ece_after"] < m["ece_before"] / 3
    assert m["nll_after"] < m["nll_before"] / 2
    assert m["argmax_unchanged"] is True
    assert m["test_accuracy_after"] == m["test_accuracy_before"]


def test_ece_matches_a_loop_over_bins() -> None:
    gen = torch.Generator().manual_seed(0)
    logits = 3 * torch.randn(500, 4, generator=gen)
    y = torch.randint(0, 4, (500,), generator=gen)
    prob = logits.softmax(1)
    conf, pred = prob.max(1)
    expected = 0.0
    for b in range(15):
        lo, hi = b / 15, (b + 1) / 15
        inside = (conf >= lo) & ((conf < hi) if b < 14 else (conf <= hi))
        if inside.any():
            acc = (pred[inside] == y[inside]).float().mean()
            expected += inside.float().mean().item() * abs(acc.item() - conf[inside].mean().item())
    assert expected_calibration_error(logits, y, 15)[0] == pytest.approx(expected, abs=1e-6)


def test_fitted_temperature_minimizes_validation_nll() -> None:
    gen = torch.Generator().manual_seed(1)
    y = torch.randint(0, 4, (400,), generator=gen)
    logits = 8 * torch.randn(400, 4, generator=gen) + 8 * F.one_hot(y, 4)  # confidently right, or wrong
    t = fit_temperature(logits, y, Config())
    best = F.cross_entropy(logits / t, y).item()
    for other in (t * 0.9, t * 1.1, 1.0):
        assert best <= F.cross_entropy(logits / other, y).item() + 1e-6


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"ECE {fmt(m['ece_before'])}" in result.takeaway
    assert f"T = {fmt(m['temperature'])}" in result.takeaway
    assert f"cuts test ECE to {fmt(m['ece_after'])}" in result.takeaway
    assert "exactly the same as before" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("calibration-temperature", seed=1).metrics
    assert m["ece_before"] > 0.15
    assert m["ece_after"] < m["ece_before"] / 3
    assert m["test_accuracy_after"] == m["test_accuracy_before"]
