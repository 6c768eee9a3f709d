"""sarsa-vs-q-learning: Q-learning learns the optimal edge route, SARSA a safer one that earns more online."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("sarsa-vs-q-learning")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_q_learning_learns_the_optimal_route(result: DemoResult) -> None:
    m = result.metrics
    assert m["edge_route_share_q"] == 1.0
    assert m["greedy_return_min_q"] == m["greedy_return_max_q"] == m["optimal_return"] == -8.0
    assert m["crossing_rows_from_cliff_q"] < 1.5


def test_sarsa_keeps_away_from_the_cliff_and_earns_more_online(result: DemoResult) -> None:
    m = result.metrics
    assert m["edge_route_share_sarsa"] < 0.2
    assert m["crossing_rows_from_cliff_sarsa"] > m["crossing_rows_from_cliff_q"] + 0.8
    assert m["online_return_sarsa"] > m["online_return_q"] + 2
    assert m["falls_per_agent_q"] > 1.5 * m["falls_per_agent_sarsa"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['edge_route_share_q']:.0f}%" in result.takeaway
    assert "earns more per episode" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("sarsa-vs-q-learning", seed=1).metrics
    assert m["edge_route_share_q"] == 1.0
    assert m["online_return_sarsa"] > m["online_return_q"]
    assert m["crossing_rows_from_cliff_sarsa"] > m["crossing_rows_from_cliff_q"] + 0.8
