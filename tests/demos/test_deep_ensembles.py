"""deep-ensembles: averaging nets from different inits lowers NLL and ECE (Jensen: NLL never higher)."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("deep-ensembles")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_members_overfit_and_disagree(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_accuracy"] > 0.99
    assert m["disagreement"] > 0.05


def test_the_ensemble_beats_its_members(result: DemoResult) -> None:
    m = result.metrics
    ens, mean = m["ensemble_nll"], m["member_mean_nll"]
    assert ens[0] == pytest.approx(m["member_nll"][0])  # an ensemble of one is its first member
    # Jensen: the NLL of the average prediction is at most the average NLL of the members averaged
    for k in range(1, len(ens) + 1):
        assert ens[k - 1] <= sum(m["member_nll"][:k]) / k + 1e-6
    assert ens[-1] < 0.85 * mean
    assert m["ensemble_ece"][-1] < 0.8 * m["member_mean_ece"]
    assert m["ensemble_accuracy"][-1] >= m["member_mean_accuracy"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["ensemble_nll"][-1]) in result.takeaway and fmt(m["member_mean_nll"]) in result.takeaway
    assert f"{m['members']} x {m['params_per_member']:,} parameters" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("deep-ensembles", seed=1).metrics
    assert m["ensemble_nll"][-1] < 0.85 * m["member_mean_nll"]
    assert m["ensemble_ece"][-1] < 0.8 * m["member_mean_ece"]
