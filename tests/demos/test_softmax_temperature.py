"""softmax-temperature: entropy rises with T, the top class's sample share falls."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("softmax-temperature")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_entropy_rises_with_temperature(result: DemoResult) -> None:
    m = result.metrics
    ent = m["entropy_bits"]
    assert all(b > a for a, b in itertools.pairwise(ent))
    assert m["entropy_low_t"] < 0.05
    assert m["entropy_high_t"] > 0.95 * m["max_entropy_bits"]
    assert m["entropy_rises_with_t"] is True


def test_top_class_share_falls(result: DemoResult) -> None:
    m = result.metrics
    shares, probs = m["top1_sample_share"], m["top1_prob"]
    assert all(b < a for a, b in itertools.pairwise(probs))
    assert all(b < a + 0.02 for a, b in itertools.pairwise(shares))
    assert m["top1_share_low_t"] > 0.98
    assert m["top1_share_high_t"] < 0.2
    for share, p in zip(shares, probs, strict=True):
        assert share == pytest.approx(p, abs=0.04)  # samples follow the probabilities
    assert m["distinct_classes_sampled"][0] <= 2 and m["distinct_classes_sampled"][-1] == 10
    assert m["same_ranking_at_every_t"] is True


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["entropy_high_t"]) in result.takeaway
    assert f"{m['top1_share_high_t']:.1%}" in result.takeaway
    assert "rising at every step" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("softmax-temperature", seed=1)
    test_entropy_rises_with_temperature(other)
    test_top_class_share_falls(other)
