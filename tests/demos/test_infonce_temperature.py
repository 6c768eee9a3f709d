"""infonce-temperature: a high tau separates positives weakly; a low tau focuses on the hardest negatives."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("infonce-temperature")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_retrieval_works_and_a_high_temperature_hurts_it(result: DemoResult) -> None:
    m = result.metrics
    assert m["top1_best"] > 0.6  # chance is 1/512
    assert m["best_tau"] < 1.0
    assert m["top1_highest_tau"] < m["top1_best"] - 0.05
    assert m["final_loss_highest_tau"] >= m["loss_floor_highest_tau"]
    assert m["final_loss_highest_tau"] > 5 * m["final_loss_lowest_tau"]


def test_temperature_sets_the_weight_on_the_hardest_negative(result: DemoResult) -> None:
    m = result.metrics
    assert m["hardest_weight_lowest_tau"] > 0.4
    assert m["hardest_weight_highest_tau"] < 5 * m["uniform_negative_weight"]


def test_a_very_low_temperature_uses_the_sphere_poorly(result: DemoResult) -> None:
    m = result.metrics
    assert m["uniformity_lowest_tau"] > m["uniformity_best"] + 1.0
    assert m["far_similarity_lowest_tau"] > m["far_similarity_highest_tau"] + 0.3


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    from quizdl.demos.common import fmt

    m = result.metrics
    assert fmt(m["top1_best"]) in result.takeaway
    assert fmt(m["hardest_weight_lowest_tau"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("infonce-temperature", seed=1).metrics
    assert m["top1_highest_tau"] < m["top1_best"] - 0.05
    assert m["hardest_weight_lowest_tau"] > 0.4
    assert m["uniformity_lowest_tau"] > m["uniformity_best"] + 1.0
