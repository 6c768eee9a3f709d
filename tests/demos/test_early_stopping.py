"""early-stopping: validation loss bottoms out and rises while training loss keeps falling; stopping keeps the best."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("early-stopping")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_validation_loss_bottoms_out_then_rises(result: DemoResult) -> None:
    m = result.metrics
    assert m["val_loss_best"] < 0.5 * m["val_loss_start"]  # it first learns the signal
    assert m["val_loss_end"] > 1.25 * m["val_loss_best"]  # then fits the noise
    assert m["train_loss_end"] < 0.3 * m["train_loss_best"]  # while the training loss keeps falling
    assert m["train_loss_end"] < m["noise_variance"]  # below the noise floor: memorized


def test_early_stopping_halts_near_the_minimum_and_restores_it(result: DemoResult) -> None:
    m = result.metrics
    assert m["stopped_early"] is True
    assert 5 <= m["best_epoch"] < m["stop_epoch"] < m["epochs"] / 2
    assert m["min_val_epoch_overall"] == m["best_epoch"]
    assert m["val_loss_restored"] == pytest.approx(m["val_loss_best"])


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"epoch {m['best_epoch']}" in result.takeaway
    assert f"halts at epoch {m['stop_epoch']}" in result.takeaway
    assert fmt(m["val_loss_end"]) in result.takeaway
    assert "fit the noise" in result.takeaway
