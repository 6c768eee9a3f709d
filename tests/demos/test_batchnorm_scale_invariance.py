"""batchnorm-scale-invariance: BN(aWx) = BN(Wx), gradients scale as 1/a, effective learning rate lr / ||W||^2."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("batchnorm-scale-invariance")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_output_invariant_and_gradient_scales_as_one_over_a(result: DemoResult) -> None:
    m = result.metrics
    assert m["output_diff_scaled"] < 1e-4  # only BN's eps breaks the invariance
    assert m["grad_ratio"] == pytest.approx(m["expected_grad_ratio"], rel=1e-4)
    assert abs(m["grad_weight_cosine"]) < 1e-4


def test_sgd_only_grows_the_weight_norm(result: DemoResult) -> None:
    m = result.metrics
    assert m["norm_monotone"]
    assert m["norm_growth"] > 1.0


def test_effective_learning_rate_is_lr_over_norm_squared(result: DemoResult) -> None:
    m = result.metrics
    assert m["final_loss_scaled_same_lr"] > 1.3 * m["final_loss_ref"]
    assert m["final_loss_scaled_a2_lr"] == pytest.approx(m["final_loss_ref"], rel=1e-3)
    assert m["equivalent_output_diff"] < 1e-3
    assert m["equivalent_weight_norm_ratio"] == pytest.approx(m["scale"], rel=1e-4)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["grad_ratio"]) in result.takeaway
    assert fmt(m["final_loss_scaled_same_lr"]) in result.takeaway
    assert "only grew" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("batchnorm-scale-invariance", seed=1)
    test_output_invariant_and_gradient_scales_as_one_over_a(other)
    test_effective_learning_rate_is_lr_over_norm_squared(other)
