"""inductive-bias: a translation-invariant CNN wins on 'what' with 64 examples and is stuck at chance on 'where'."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("inductive-bias")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_the_right_bias_buys_data_efficiency(result: DemoResult) -> None:
    m = result.metrics
    assert m["what_cnn"] > 0.95
    assert m["what_mlp"] < 0.7
    assert m["train_accuracy"]["what_MLP"] > 0.95  # the MLP memorised instead of generalising
    assert m["params_cnn"] < m["params_mlp"] / 10


def test_the_wrong_bias_caps_performance(result: DemoResult) -> None:
    m = result.metrics
    assert m["where_cnn"] < 0.6  # global pooling cannot see the position
    assert m["where_mlp"] > 0.7
    assert m["where_mlp"] > m["where_cnn"] + 0.15


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    for key in ("what_cnn", "what_mlp", "where_cnn", "where_mlp"):
        assert f"{m[key]:.0%}" in result.takeaway
    assert "right bias" in result.takeaway and "wrong bias" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("inductive-bias", seed=1).metrics
    assert m["what_cnn"] > m["what_mlp"] + 0.2
    assert m["where_mlp"] > m["where_cnn"] + 0.15
