"""q-learning-gridworld: epsilon-greedy Q-learning recovers the value-iteration Q*; greedy learners leave pairs untried."""

from __future__ import annotations

import math

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("q-learning-gridworld")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_value_iteration_is_the_exact_bellman_solution(result: DemoResult) -> None:
    m = result.metrics
    assert m["bellman_residual"] < 1e-6
    # no step reward, goal +1, gamma 0.9: V*(start) = gamma^(shortest - 1) with a 5-step shortest route
    assert m["shortest_path_steps"] == 5
    assert math.isclose(m["v_star_start"], 0.9**4, rel_tol=1e-5)


def test_epsilon_greedy_q_learning_matches_q_star(result: DemoResult) -> None:
    m = result.metrics
    assert m["max_v_error_eps"] < 0.05
    assert m["max_q_error_eps"] < 0.4
    assert m["optimal_action_share_eps"] > 0.97
    assert m["optimal_route_share_eps"] == 1.0
    assert m["tried_share_eps"] > 0.99


def test_greedy_learners_leave_q_wrong(result: DemoResult) -> None:
    m = result.metrics
    assert m["tried_share_greedy"] < 0.95
    assert m["max_q_error_greedy"] > 0.8
    assert m["max_q_error_greedy"] > 2 * m["max_q_error_eps"]
    assert m["optimal_action_share_greedy"] < m["optimal_action_share_eps"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['optimal_action_share_eps']:.0f}%" in result.takeaway
    assert f"{100 * m['tried_share_greedy']:.0f}%" in result.takeaway
    assert "needs exploration" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("q-learning-gridworld", seed=1).metrics
    assert m["max_v_error_eps"] < 0.05
    assert m["optimal_route_share_eps"] == 1.0
    assert m["max_q_error_greedy"] > 2 * m["max_q_error_eps"]
