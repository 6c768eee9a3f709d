"""skipgram-negative-sampling: planted same-topic pairs end up far more similar than different-topic pairs."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("skipgram-negative-sampling")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_random_init_has_no_structure(result: DemoResult) -> None:
    m = result.metrics
    assert abs(m["same_before"] - m["different_before"]) < 0.15
    assert m["purity_before"] < 0.4


def test_sgns_recovers_the_planted_groups(result: DemoResult) -> None:
    m = result.metrics
    assert m["same_after"] > 0.8
    assert m["same_after"] - m["different_after"] > 0.4
    assert m["purity_after"] > 0.95
    assert m["loss_last"] < 0.7 * m["loss_first"]


def test_full_softmax_agrees_at_higher_cost(result: DemoResult) -> None:
    m = result.metrics
    assert m["same_softmax"] - m["different_softmax"] > 0.4
    assert m["dots_per_pair_softmax"] == m["vocab"] > m["dots_per_pair_sgns"] == 6


def test_noise_distribution_flattens_frequencies(result: DemoResult) -> None:
    m = result.metrics
    assert m["filler_share_noise"] < m["filler_share_unigram"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['same_after']:.3g}" in result.takeaway
    assert f"{m['purity_after']:.0%}" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("skipgram-negative-sampling", seed=1).metrics
    assert m["same_after"] - m["different_after"] > 0.4
    assert m["purity_after"] > 0.95
