"""rlhf-kl-penalty: without KL the policy hacks the reward model; the optimum is pi_ref exp(r / beta) / Z."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("rlhf-kl-penalty")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_reward_model_learns_longer_is_better(result: DemoResult) -> None:
    m = result.metrics
    assert m["rm_slope_per_token"] > 0.2
    assert m["rm_pair_agreement"] > 0.65


def test_no_kl_hacks_the_reward_model(result: DemoResult) -> None:
    m = result.metrics
    assert m["proxy_beta_0"] > m["ref_proxy"] + 5
    assert m["true_beta_0"] < m["ref_true"] - 3
    assert m["mean_length_beta_0"] > 30


def test_moderate_kl_improves_true_reward(result: DemoResult) -> None:
    m = result.metrics
    assert m["best_beta"] == 1.0
    assert m["true_beta_1"] > m["ref_true"] + 0.15
    assert abs(m["true_beta_10"] - m["ref_true"]) < 0.1
    assert m["kl_beta_1"] < m["kl_beta_0.3"] < m["kl_beta_0"]


def test_gradient_ascent_matches_the_closed_form(result: DemoResult) -> None:
    m = result.metrics
    assert m["closed_form_max_error"] < 1e-3
    assert m["min_objective_gap"] > -1e-5  # pi* is the maximiser: no policy beats it
    assert m["max_objective_gap"] < 1e-3


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert "reward hacking" in result.takeaway
    assert f"{m['rm_pair_agreement']:.0%}" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("rlhf-kl-penalty", seed=1).metrics
    assert m["true_beta_0"] < m["ref_true"] - 3
    assert m["true_beta_1"] > m["ref_true"] + 0.15
    assert m["closed_form_max_error"] < 1e-3
