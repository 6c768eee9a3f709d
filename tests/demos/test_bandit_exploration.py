"""bandit-exploration: greedy locks onto worse arms; epsilon-greedy and UCB cut regret."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("bandit-exploration")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_exploration_cuts_regret(result: DemoResult) -> None:
    m = result.metrics
    assert m["regret_eps_0.1"] < 0.6 * m["regret_greedy"]
    assert m["regret_ucb"] < m["regret_eps_0.1"]
    assert m["best_share_last_eps_0.1"] > m["best_share_last_greedy"] + 0.25
    assert m["stuck_share_greedy"] > 0.4
    assert m["stuck_share_ucb"] < 0.2


def test_regret_is_bounded_by_the_worst_case(result: DemoResult) -> None:
    m = result.metrics
    for key in ("greedy", "eps_0.01", "eps_0.1", "ucb"):
        assert 0 < m[f"regret_{key}"] < 4 * m["steps"]  # arm gaps of N(0, 1) means rarely exceed 4
        assert 0 <= m[f"best_share_{key}"] <= 1


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['regret_greedy']:.0f}" in result.takeaway
    assert f"{100 * m['best_share_last_eps_0.1']:.0f}%" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("bandit-exploration", seed=1).metrics
    assert m["regret_eps_0.1"] < 0.6 * m["regret_greedy"]
    assert m["regret_ucb"] < m["regret_eps_0.1"]
