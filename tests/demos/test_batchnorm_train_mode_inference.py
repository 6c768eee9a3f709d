"""batchnorm-train-mode-inference: in train mode BatchNorm outputs depend on the batch and the running stats
get overwritten, so the damage persists after switching to eval."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("batchnorm-train-mode-inference")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_eval_mode_does_not_depend_on_the_batch(result: DemoResult) -> None:
    m = result.metrics
    assert m["acc_eval"] > 0.85
    assert m["acc_eval_batch_of_one"] == m["acc_eval"]
    assert m["prob_spread_eval_max"] < 1e-5


def test_train_mode_predictions_depend_on_batchmates(result: DemoResult) -> None:
    m = result.metrics
    assert m["prob_spread_train_mode_mean"] > 0.2
    assert m["share_of_examples_whose_class_flips"] >= 0.25
    assert m["train_mode_batch_of_one"] == "ValueError"
    assert abs(m["acc_train_mode_full_batch"] - m["acc_eval"]) < 0.03  # a big random batch is close to eval
    assert m["acc_train_mode_small_batches"] < m["acc_eval"] - 0.15
    assert m["acc_train_mode_grouped_batches"] < 0.4  # near chance (0.25) for 4 classes


def test_running_statistics_are_overwritten_and_the_damage_persists(result: DemoResult) -> None:
    m = result.metrics
    assert m["running_mean_relative_change"] > 0.1
    assert m["acc_eval_after_train_mode_pass"] < m["acc_eval"] - 0.07


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["acc_eval"]) in result.takeaway
    assert fmt(m["acc_train_mode_grouped_batches"]) in result.takeaway
    assert fmt(m["acc_eval_after_train_mode_pass"]) in result.takeaway
    assert "damage persists" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("batchnorm-train-mode-inference", seed=1)
    test_eval_mode_does_not_depend_on_the_batch(other)
    test_train_mode_predictions_depend_on_batchmates(other)
    test_running_statistics_are_overwritten_and_the_damage_persists(other)
