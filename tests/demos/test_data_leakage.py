"""data-leakage: selecting features on all the data before CV makes noise look predictive; inside folds, ~50%."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("data-leakage")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_leaky_selection_inflates_cv_accuracy_on_random_labels(result: DemoResult) -> None:
    m = result.metrics
    assert m["leaky_cv_accuracy"] > 0.8
    assert 0.4 < m["proper_cv_accuracy"] < 0.6
    assert m["leaky_cv_accuracy"] > m["proper_cv_accuracy"] + 0.25
    # the leaky pipeline's model is at chance on data it truly never saw
    assert 0.45 < m["fresh_accuracy_of_leaky_model"] < 0.55


def test_the_leak_grows_with_the_number_of_candidate_features(result: DemoResult) -> None:
    m = result.metrics
    leaky, proper = m["sweep_leaky"], m["sweep_proper"]
    # with as many candidates as features kept there is nothing to choose: both pipelines are the same model
    assert m["sweep_features"][0] == 10
    assert leaky[0] == pytest.approx(proper[0], abs=1e-6)
    assert leaky[-1] > leaky[1] + 0.1
    assert all(0.38 < p < 0.62 for p in proper)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"gives {m['leaky_cv_accuracy']:.0%} cross-validated accuracy" in result.takeaway
    assert f"inside each fold gives {m['proper_cv_accuracy']:.0%}" in result.takeaway
    assert "points of pure illusion" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("data-leakage", seed=1).metrics
    assert m["leaky_cv_accuracy"] > 0.8
    assert 0.4 < m["proper_cv_accuracy"] < 0.6
