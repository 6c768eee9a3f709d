"""class-imbalance: 95/5 data; accuracy looks fine, minority recall is poor; class weights raise recall and F1."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("class-imbalance")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_accuracy_is_high_but_minority_recall_is_poor(result: DemoResult) -> None:
    m = result.metrics
    assert 0.03 < m["minority_share_test"] < 0.07
    assert m["accuracy_always_majority"] > 0.93
    assert m["accuracy_unweighted"] > 0.93
    assert m["recall_unweighted"] < 0.3


def test_class_weights_raise_recall_and_f1(result: DemoResult) -> None:
    m = result.metrics
    assert m["class_weight_minority"] > 5 * m["class_weight_majority"]
    assert m["recall_weighted"] > 0.8
    assert m["recall_weighted"] > m["recall_unweighted"] + 0.5
    assert m["f1_weighted"] > m["f1_unweighted"] + 0.05
    assert m["accuracy_weighted"] < m["accuracy_unweighted"]  # the price: more majority points flagged
    assert m["recall_unweighted"] < m["recall_sqrt_weighted"] < m["recall_weighted"]


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    if m["flagged_unweighted"] == 0:
        assert "never predicts the minority" in result.takeaway
    else:
        assert f"finds only {m['recall_unweighted']:.0%}" in result.takeaway
    assert f"raise recall to {m['recall_weighted']:.0%}" in result.takeaway
    assert f"F1 to {m['f1_weighted']:.2f}" in result.takeaway
