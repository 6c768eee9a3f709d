"""autoencoder-anomaly: anomalies reconstruct far worse; precision and recall at the 95% threshold both > 0.8."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("autoencoder-anomaly")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_anomalies_reconstruct_clearly_worse(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_loss_end"] < 0.1 * m["train_loss_start"]
    assert m["error_ratio_ae"] > 5
    assert m["auroc_ae"] > 0.95


def test_precision_and_recall_at_the_threshold(result: DemoResult) -> None:
    m = result.metrics
    assert m["precision_ae"] > 0.8
    assert m["recall_ae"] > 0.8
    assert m["false_positive_rate_ae"] < 0.12  # the threshold flags about 5% of normal points by design


def test_distance_from_the_mean_does_not_separate_them(result: DemoResult) -> None:
    m = result.metrics
    assert m["recall_distance"] < 0.3
    assert m["f1_ae"] > m["f1_distance"] + 0.5


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"precision {m['precision_ae']:.2f} and recall {m['recall_ae']:.2f}" in result.takeaway
    assert "learned the joint structure" in result.takeaway
