"""dropout: inverted scaling keeps the mean, eval mode is the identity, and the train/val gap narrows."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("dropout")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_inverted_scaling_and_eval_mode(result: DemoResult) -> None:
    m = result.metrics
    assert 0.47 < m["zero_fraction"] < 0.53
    assert m["survivor_value"] == pytest.approx(2.0)
    assert 0.96 < m["train_mode_mean"] < 1.04
    assert m["eval_is_identity"] is True
    assert m["train_mode_spread_dropout"] > 0.05  # train-mode predictions are random


def test_dropout_narrows_the_generalization_gap(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_loss_no_dropout"] < 0.01  # memorized the noise
    assert m["gap_no_dropout"] > 0.4
    assert m["gap_dropout"] < 0.75 * m["gap_no_dropout"]
    assert m["val_loss_dropout"] < 0.9 * m["val_loss_no_dropout"]
    assert m["val_loss_dropout"] < 0.5 * m["val_loss_mean_predictor"]  # it learned the signal, not just less noise


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["gap_no_dropout"]) in result.takeaway
    assert fmt(m["gap_dropout"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("dropout", seed=1).metrics
    assert m["gap_dropout"] < m["gap_no_dropout"]
    assert m["val_loss_dropout"] < m["val_loss_no_dropout"]
