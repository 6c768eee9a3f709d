"""transfer-learning: with 50 target samples, frozen pretrained features beat training from scratch."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("transfer-learning")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_pretraining_learned_the_source_task(result: DemoResult) -> None:
    assert result.metrics["source_test_accuracy"] > 0.7


def test_frozen_features_beat_scratch(result: DemoResult) -> None:
    m = result.metrics
    assert m["test_accuracy_frozen"] > m["test_accuracy_scratch"] + 0.07
    assert m["frozen_wins"] == m["draws"]
    assert m["test_accuracy_scratch"] > m["chance_accuracy"]  # scratch learns something, just less
    assert m["test_accuracy_finetuned"] > m["test_accuracy_scratch"]


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['test_accuracy_frozen']:.1%}" in result.takeaway
    assert f"{m['test_accuracy_scratch']:.1%}" in result.takeaway
    assert "already computes what the target task needs" in result.takeaway
