"""depth-vs-width: deep narrow ReLU nets represent the sawtooth with linearly many parameters, shallow nets
need exponentially many; at the deep net's budget a shallow net stays near the target's variance."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("depth-vs-width")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_both_constructions_are_exact_and_their_sizes_follow_the_formulas(result: DemoResult) -> None:
    m = result.metrics
    assert m["deep_max_error"] < 1e-12
    assert m["shallow_exact_max_error"] < 1e-9
    ks = range(2, 2 + len(m["deep_params"]))
    assert m["deep_params"] == [6 * k + 1 for k in ks]
    assert m["shallow_params"] == [3 * 2**k + 1 for k in ks]


def test_at_equal_budget_the_shallow_net_cannot_fit(result: DemoResult) -> None:
    m = result.metrics
    assert 3 * m["shallow_width_at_budget"] + 1 == m["budget"]
    assert m["deep_exact_test_mse"] < 1e-20
    assert min(m["shallow_ls_test_mse"], m["shallow_trained_test_mse"]) > 0.8 * m["target_variance"]


def test_the_deep_architecture_is_hard_to_train_from_random_init(result: DemoResult) -> None:
    m = result.metrics
    assert m["deep_trained_test_mse"] > 0.5 * m["target_variance"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(min(m["shallow_ls_test_mse"], m["shallow_trained_test_mse"])) in result.takeaway
    assert fmt(m["deep_trained_test_mse"]) in result.takeaway
    assert f"{m['shallow_params'][-1]:,}" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("depth-vs-width", seed=1).metrics
    assert m["deep_max_error"] < 1e-12 and m["deep_exact_test_mse"] < 1e-20
    assert min(m["shallow_ls_test_mse"], m["shallow_trained_test_mse"]) > 0.8 * m["target_variance"]
