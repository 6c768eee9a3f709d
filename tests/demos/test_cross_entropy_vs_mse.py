"""cross-entropy-vs-mse: confidently wrong, CE's logit gradient is ~1 and MSE-on-sigmoid's is tiny."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("cross-entropy-vs-mse")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_gradient_when_confidently_wrong(result: DemoResult) -> None:
    m = result.metrics
    assert m["ce_grad_confident_wrong"] == pytest.approx(1.0, abs=1e-3)
    assert m["mse_grad_confident_wrong"] < 1e-3
    assert m["grad_ratio_ce_over_mse"] > 1000


def test_ce_gradient_is_p_minus_y(result: DemoResult) -> None:
    for z, p, _ce, ce_grad, _mse, mse_grad in result.rows:
        assert ce_grad == pytest.approx(p - 1.0, abs=1e-5)
        assert mse_grad == pytest.approx(2 * (p - 1.0) * p * (1 - p), abs=1e-5)
        assert z < 0 or abs(ce_grad) < 0.6


def test_training_from_a_wrong_start(result: DemoResult) -> None:
    m = result.metrics
    assert m["initial_accuracy"] < 0.1
    assert m["final_accuracy_ce"] > 0.9
    assert m["steps_to_90pct_ce"] is not None and m["steps_to_90pct_ce"] < 30
    assert m["final_accuracy_mse"] < 0.5
    assert m["initial_mean_abs_grad_ce"] > 20 * m["initial_mean_abs_grad_mse"]


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["mse_grad_confident_wrong"]) in result.takeaway
    assert f"{m['final_accuracy_ce']:.0%}" in result.takeaway
    assert "stalls learning" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("cross-entropy-vs-mse", seed=1)
    test_gradient_when_confidently_wrong(other)
    test_training_from_a_wrong_start(other)
