"""dynamic-graph: a data-dependent loop gives a different autograd graph per input, with exact gradients."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("dynamic-graph")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_the_graph_depends_on_the_input(result: DemoResult) -> None:
    m = result.metrics
    assert len(set(m["loops"])) >= 3
    assert m["distinct_graph_sizes"] == len(set(m["loops"]))
    assert m["nodes_linear_in_loops"] is True and m["nodes_per_loop"] == 3  # matmul, add, tanh per loop
    assert len(set(m["static_nodes"])) == 1 and m["static_nodes"][0] > max(m["dynamic_nodes"])


def test_gradients_match_both_oracles(result: DemoResult) -> None:
    m = result.metrics
    assert m["max_grad_diff_unrolled"] < 1e-12
    assert m["max_grad_diff_static"] < 1e-12


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"from {min(m['dynamic_nodes'])} to {max(m['dynamic_nodes'])} nodes" in result.takeaway
    assert fmt(m["max_grad_diff_unrolled"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("dynamic-graph", seed=1).metrics
    assert m["distinct_graph_sizes"] >= 3 and m["nodes_linear_in_loops"] is True
    assert m["max_grad_diff_unrolled"] < 1e-12 and m["max_grad_diff_static"] < 1e-12
