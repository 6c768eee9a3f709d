"""dpo-preferences: a Bradley-Terry reward model + the KL-regularized optimum vs DPO on the same pairs; beta."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("dpo-preferences")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def _check(m: dict) -> None:
    # the reward model reaches the accuracy ceiling of noisy Bradley-Terry labels, up to a per-prompt constant
    assert m["rm_test_accuracy"] > m["oracle_test_accuracy"] - 0.02
    assert m["rm_centred_corr"] > 0.85
    assert m["rm_final_loss"] < m["bt_loss_true_reward"] + 0.01  # it fits the training pairs at least as well
    # both routes end much closer to pi* than the reference, and close to each other
    assert m["tv_rm_opt"] < 0.4 * m["tv_ref_opt"]
    assert m["tv_dpo_opt"] < 0.4 * m["tv_ref_opt"]
    assert m["tv_dpo_rm"] < 0.02
    assert m["implicit_reward_corr"] > 0.85
    assert m["value_dpo"] > m["value_ref"] + 0.3
    assert m["value_dpo"] <= m["value_opt"] + 0.05
    # smaller beta: further from the reference and more reward
    kls, vals = m["sweep_kl_dpo"], m["sweep_value_dpo"]
    assert all(a > b for a, b in itertools.pairwise(kls))
    assert all(a > b for a, b in itertools.pairwise(vals))
    assert kls[0] > 10 * kls[-1]


def test_both_routes_recover_the_kl_regularized_optimum(result: DemoResult) -> None:
    _check(result.metrics)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["tv_dpo_opt"]) in result.takeaway
    assert fmt(m["sweep_kl_dpo"][0]) in result.takeaway
    assert f"{100 * m['rm_test_accuracy']:.1f}%" in result.takeaway
    assert "most of the way" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    _check(run_cpu("dpo-preferences", seed=1).metrics)
