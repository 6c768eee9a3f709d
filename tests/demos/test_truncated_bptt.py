"""truncated-bptt: with a window k <= L the L-step dependency gets exactly zero gradient and is not learned."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("truncated-bptt")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_no_gradient_path_when_the_window_is_not_longer_than_the_dependency(result: DemoResult) -> None:
    m = result.metrics
    assert m["max_source_gradient_k_le_lag"] == 0.0  # exactly: the graph is cut at the chunk boundary
    assert m["min_source_gradient_k_gt_lag"] > 0.0


def test_the_dependency_is_learned_only_with_a_longer_window(result: DemoResult) -> None:
    m = result.metrics
    assert m["best_accuracy_k_le_lag"] < 0.65  # chance is 0.5
    assert m["worst_accuracy_k_gt_lag"] > 0.95
    assert m["smallest_window_learned"] > m["lag"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['best_accuracy_k_le_lag']:.0f}%" in result.takeaway
    assert f"from k = {m['smallest_window_learned']} on" in result.takeaway
    assert "longer than the dependency" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("truncated-bptt", seed=1).metrics
    assert m["max_source_gradient_k_le_lag"] == 0.0
    assert m["best_accuracy_k_le_lag"] < 0.65
    assert m["worst_accuracy_k_gt_lag"] > 0.95
