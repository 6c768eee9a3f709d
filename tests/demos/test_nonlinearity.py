"""nonlinearity: stacked linear layers are one affine map; XOR needs a non-linearity."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("nonlinearity")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_linear_stack_collapses_to_one_map(result: DemoResult) -> None:
    m = result.metrics
    assert m["collapse_max_abs_diff_linear"] < 1e-5
    assert m["collapse_max_abs_diff_relu"] > 1e-2  # with ReLUs it is not one affine map


def test_linear_net_cannot_learn_xor(result: DemoResult) -> None:
    m = result.metrics
    assert m["xor_accuracy_linear"] < 0.8
    assert m["xor_best_accuracy_linear"] < 0.8
    assert m["xor_final_loss_linear"] > 0.6  # stuck near chance, ln 2 = 0.693


def test_mlps_learn_xor(result: DemoResult) -> None:
    m = result.metrics
    assert m["xor_accuracy_relu"] > 0.97
    assert m["xor_accuracy_tanh"] > 0.97


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["collapse_max_abs_diff_linear"]) in result.takeaway
    assert f"{m['xor_accuracy_linear']:.0%}" in result.takeaway
    assert "IS one linear layer" in result.takeaway
    assert "lets depth add expressive power" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("nonlinearity", seed=1)
    test_linear_stack_collapses_to_one_map(other)
    test_linear_net_cannot_learn_xor(other)
    test_mlps_learn_xor(other)
