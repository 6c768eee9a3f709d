"""feature-learning: engineered features win on tiny data; an MLP's learned features win with more data."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("feature-learning")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_raw_linear_model_is_stuck(result: DemoResult) -> None:
    assert max(result.metrics["accuracy_raw_linear"]) < 0.8


def test_engineered_features_win_small_learned_features_win_large(result: DemoResult) -> None:
    m = result.metrics
    eng, mlp = m["accuracy_engineered_linear"], m["accuracy_mlp"]
    assert eng[0] > mlp[0] + 0.1  # 16 points: prior knowledge beats learning
    assert mlp[-1] > eng[-1] + 0.03  # 256 points: the learned features beat the hand-made one
    assert eng[-1] < 0.95 < mlp[-1]
    assert m["crossover_size"] is not None and m["crossover_size"] <= 128


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['accuracy_mlp'][-1]:.0%}" in result.takeaway
    assert f"{m['accuracy_engineered_linear'][0]:.0%}" in result.takeaway
    assert f"from {m['crossover_size']} training points" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("feature-learning", seed=1).metrics
    eng, mlp = m["accuracy_engineered_linear"], m["accuracy_mlp"]
    assert eng[0] > mlp[0] + 0.05 and mlp[-1] > eng[-1] + 0.03
