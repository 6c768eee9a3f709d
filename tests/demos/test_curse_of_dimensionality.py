"""curse-of-dimensionality: distances concentrate and k-NN fails in the cube, not on a 2-D manifold."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("curse-of-dimensionality")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_distances_concentrate_in_the_cube(result: DemoResult) -> None:
    c = result.metrics["contrast_full"]
    assert all(b < a for a, b in itertools.pairwise(c))
    assert c[-1] < 0.3 and c[0] > 10


def test_knn_degrades_in_the_cube_but_not_on_the_manifold(result: DemoResult) -> None:
    m = result.metrics
    full, man, var = m["knn_mse_full"], m["knn_mse_manifold"], m["target_variance"]
    assert full[0] < 0.05 and full[-1] > 0.8 * var
    assert max(man) < 0.05
    # an orthonormal embedding preserves distances: identical from d = 8 on, up to float rounding
    assert max(man[1:]) - min(man[1:]) < 1e-3
    cm = m["contrast_manifold"][1:]
    assert max(cm) - min(cm) < 1e-2 * min(cm)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["contrast_full"][-1]) in result.takeaway
    assert fmt(m["knn_mse_full"][-1]) in result.takeaway
    assert fmt(m["knn_mse_manifold"][-1]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("curse-of-dimensionality", seed=1).metrics
    assert m["contrast_full"][-1] < 0.3 and m["knn_mse_full"][-1] > 0.8 * m["target_variance"]
    assert max(m["knn_mse_manifold"]) < 0.05
