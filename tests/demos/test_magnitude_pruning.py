"""magnitude-pruning: accuracy holds to high sparsity then falls off a cliff; a short fine-tune moves the cliff out."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("magnitude-pruning")


def at(m: dict, key: str, sparsity: float) -> float:
    return m[key][m["sparsities"].index(sparsity)]


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_pruned_weights_stay_zero_through_the_fine_tune(result: DemoResult) -> None:
    assert result.metrics["sparsity_kept_after_finetune"] is True


def test_flat_then_cliff(result: DemoResult) -> None:
    m = result.metrics
    dense = m["dense_accuracy"]
    assert dense > 0.85
    assert at(m, "accuracy_one_shot", 0.5) > dense - 0.01  # half the weights are not needed at all
    assert at(m, "accuracy_one_shot", 0.8) > dense - 0.05
    assert at(m, "accuracy_finetuned", 0.8) > dense - 0.02
    assert at(m, "accuracy_finetuned", 0.9) > dense - 0.04
    assert m["accuracy_finetuned_at_max"] < dense - 0.3  # the cliff, even after fine-tuning
    assert at(m, "accuracy_one_shot", 0.99) < dense - 0.3


def test_fine_tune_recovers_accuracy_at_high_sparsity(result: DemoResult) -> None:
    m = result.metrics
    assert m["accuracy_finetuned_at_90"] > m["accuracy_one_shot_at_90"] + 0.05
    assert at(m, "accuracy_finetuned", 0.95) > at(m, "accuracy_one_shot", 0.95) + 0.15
    assert m["flat_until_finetuned"] >= m["flat_until_one_shot"]


def test_magnitude_beats_random_pruning(result: DemoResult) -> None:
    m = result.metrics
    assert m["accuracy_random_at_50"] < m["dense_accuracy"] - 0.2
    assert m["flat_until_random"] < m["flat_until_one_shot"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['dense_accuracy']:.1%}" in result.takeaway
    assert f"{m['accuracy_finetuned_at_90']:.1%} fine-tuned" in result.takeaway
    assert f"up to {100 * m['flat_until_finetuned']:.0f}% after" in result.takeaway
    assert "falls off a cliff" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("magnitude-pruning", seed=1).metrics
    dense = m["dense_accuracy"]
    assert at(m, "accuracy_one_shot", 0.5) > dense - 0.01
    assert at(m, "accuracy_finetuned", 0.9) > dense - 0.05
    assert m["accuracy_finetuned_at_max"] < dense - 0.3
    assert m["accuracy_finetuned_at_90"] > m["accuracy_one_shot_at_90"] + 0.03
