"""reinforce-baseline: the baseline keeps the mean gradient and cuts its variance by a large factor."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("reinforce-baseline")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_baseline_cuts_variance_without_bias(result: DemoResult) -> None:
    m = result.metrics
    assert m["variance_factor"] > 30
    # both estimators are unbiased: their means sit on the exact gradient within a few standard errors
    assert m["max_z_no_baseline"] < 4
    assert m["max_z_baseline"] < 4
    assert m["cosine_baseline"] > 0.999
    assert m["mean_error_baseline"] < 0.1 * m["exact_gradient_norm"]


def test_baseline_learns_faster(result: DemoResult) -> None:
    m = result.metrics
    assert m["final_expected_baseline"] > m["final_expected_no_baseline"] + 0.03
    assert m["final_best_prob_baseline"] > m["final_best_prob_no_baseline"] + 0.15
    assert m["best_is_top_baseline"] > 0.95
    assert m["final_expected_baseline"] <= m["best_mean"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['variance_factor']:.1f}x" in result.takeaway or f"{m['variance_factor']:.0f}x" in result.takeaway
    assert "removes noise, not signal" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("reinforce-baseline", seed=1).metrics
    assert m["variance_factor"] > 30
    assert m["max_z_baseline"] < 4 and m["max_z_no_baseline"] < 4
    assert m["final_expected_baseline"] > m["final_expected_no_baseline"]
