"""multi-head-attention: one head can fetch only one weighted average; several heads fetch A and B separately."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("multi-head-attention")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_one_head_explains_about_half_several_heads_nearly_all(result: DemoResult) -> None:
    m = result.metrics
    assert m["one_head_params"] == m["multi_head_params"]  # same width, same parameter count
    assert m["one_head_r2"] < 0.65  # one average of x_A and x_B explains at most about half of x_A - x_B
    assert m["multi_head_r2"] > 0.95
    assert m["multi_head_mse"] < 0.1 * m["one_head_mse"]


def test_separate_heads_attend_to_the_two_markers(result: DemoResult) -> None:
    m = result.metrics
    assert m["multi_head_best_weight_on_a"] > 0.9
    assert m["multi_head_best_weight_on_b"] > 0.9
    # the single head cannot put most of its weight on both
    assert min(m["one_head_weight_on_a"], m["one_head_weight_on_b"]) < 0.5


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['one_head_r2']:.0f}%" in result.takeaway
    assert f"{100 * m['multi_head_r2']:.0f}%" in result.takeaway
    assert "at most about half" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("multi-head-attention", seed=1).metrics
    assert m["one_head_r2"] < 0.65
    assert m["multi_head_r2"] > 0.95
