"""cosine-vs-euclidean: with unequal norms only cosine finds the planted neighbour; normalising makes them agree."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("cosine-vs-euclidean")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_norms_mislead_euclidean_and_dot(result: DemoResult) -> None:
    m = result.metrics
    assert m["accuracy_cosine"] > 0.98
    assert m["accuracy_euclidean"] < 0.8
    assert m["accuracy_dot"] < 0.6
    assert m["picked_norm_dot"] > 1.5 * m["mean_item_norm"]
    # with equal norms the three agree
    assert m["accuracy_euclidean_equal_norms"] == m["accuracy_cosine_equal_norms"]
    assert m["accuracy_dot_equal_norms"] == m["accuracy_cosine_equal_norms"]


def test_normalising_makes_euclidean_rank_like_cosine(result: DemoResult) -> None:
    m = result.metrics
    assert m["identity_max_error"] < 1e-5  # ||a - b||^2 = 2 - 2 cos(a, b) for unit vectors
    assert m["normalised_same_top1"] == 1.0
    assert m["normalised_same_top10"] == 1.0
    assert m["accuracy_euclidean_normalised"] == m["accuracy_cosine"]


def test_centering_removes_anisotropy(result: DemoResult) -> None:
    m = result.metrics
    assert abs(m["mean_cos_unrelated"]) < 0.05
    assert m["mean_cos_shared_component"] > 0.6
    assert abs(m["mean_cos_centered"]) < 0.05


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['accuracy_euclidean']:.0%}" in result.takeaway
    assert f"{m['accuracy_dot']:.0%}" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("cosine-vs-euclidean", seed=1).metrics
    assert m["accuracy_cosine"] > 0.98 > 0.8 > m["accuracy_euclidean"]
    assert m["normalised_same_top10"] == 1.0
