"""gradient-check: central differences flag a planted backward bug; central beats forward differences."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("gradient-check")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_the_check_separates_correct_from_buggy(result: DemoResult) -> None:
    m = result.metrics
    assert m["rel_error_correct"] < 1e-8
    assert m["rel_error_autograd"] < 1e-8
    assert m["rel_error_buggy"] > 0.05
    assert m["rel_error_buggy"] > 1e6 * m["rel_error_correct"]


def test_central_differences_beat_forward_ones(result: DemoResult) -> None:
    m = result.metrics
    assert m["best_central_error"] < 1e-8 < m["best_forward_error"]
    assert m["central_error_at_check_eps"] < 1e-3 * m["forward_error_at_check_eps"]
    assert m["best_central_eps"] > m["best_forward_eps"]  # central is best at a larger step
    eps, fwd, cen = m["eps_sweep"], m["forward_errors"], m["central_errors"]
    # truncation regime: forward error ~ eps, central ~ eps^2 (from eps = 0.1 to 0.01)
    assert 5 < fwd[0] / fwd[1] < 20 and 50 < cen[0] / cen[1] < 200
    # rounding regime: at the smallest step both are worse than at their best
    assert fwd[-1] > 100 * m["best_forward_error"] and cen[-1] > 100 * m["best_central_error"]
    assert eps[0] > eps[-1]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["rel_error_correct"]) in result.takeaway
    assert fmt(m["rel_error_buggy"]) in result.takeaway
    assert "flags the bug" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("gradient-check", seed=1).metrics
    assert m["rel_error_correct"] < 1e-8 and m["rel_error_buggy"] > 0.05
    assert m["best_central_error"] < 1e-8 < m["best_forward_error"]
