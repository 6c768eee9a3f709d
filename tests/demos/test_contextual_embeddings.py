"""contextual-embeddings: the static vector of "bank" is one vector; contextual vectors separate its senses."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("contextual-embeddings")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_static_vector_is_the_same_everywhere(result: DemoResult) -> None:
    m = result.metrics
    assert m["static_identical"] is True
    assert abs(m["static_cross_cos"] - 1.0) < 1e-6
    # identical inputs: the probe gives every sentence one answer, so it scores one class's share
    assert m["static_probe"] <= m["majority_rate"] + 1e-9


def test_contextual_vectors_encode_the_sense(result: DemoResult) -> None:
    m = result.metrics
    assert m["trained_probe"] > 0.95
    assert m["trained_cross_cos"] < m["trained_within_cos"] - 0.2
    assert m["trained_cross_cos"] < 0.6
    # training sharpens what random attention already mixes in
    assert m["trained_cross_cos"] < m["untrained_cross_cos"] - 0.3


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['trained_probe']:.0%}" in result.takeaway
    assert "the same in all" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("contextual-embeddings", seed=1).metrics
    assert m["static_identical"] is True
    assert m["trained_probe"] > 0.95
    assert m["trained_cross_cos"] < m["trained_within_cos"] - 0.2
