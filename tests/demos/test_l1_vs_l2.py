"""l1-vs-l2: proximal L1 zeroes the useless weights, L2 only shrinks them."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("l1-vs-l2")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_l1_is_much_sparser_than_l2(result: DemoResult) -> None:
    m = result.metrics
    assert m["near_zero_share_l1"] > 0.7
    assert m["exact_zero_share_l1"] > 0.7
    assert m["near_zero_share_l2"] < 0.2
    assert m["exact_zero_share_l2"] == 0.0
    assert m["near_zero_share_l1"] > m["near_zero_share_l2"] + 0.5


def test_l1_keeps_the_informative_weights_and_generalizes(result: DemoResult) -> None:
    m = result.metrics
    assert m["informative_kept_l1"] == 5
    assert m["test_mse_l1"] < m["test_mse_l2"]


def test_subgradient_l1_shrinks_but_rarely_zeroes(result: DemoResult) -> None:
    m = result.metrics
    assert m["useless_weight_mean_abs_l1_subgradient"] < m["useless_weight_mean_abs_l2"]
    assert m["near_zero_share_l1_subgradient"] < m["near_zero_share_l1"] - 0.3


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['near_zero_share_l1']:.0%}" in result.takeaway
    assert f"{m['near_zero_share_l2']:.0%}" in result.takeaway
    assert "L1 gives sparsity" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("l1-vs-l2", seed=1)
    test_l1_is_much_sparser_than_l2(other)
    test_subgradient_l1_shrinks_but_rarely_zeroes(other)
