"""input-standardization: raw features make X^T X ill-conditioned and gradient descent slow; z-scores fix both."""

from __future__ import annotations

import pytest
import torch

from quizdl.demos.common import fmt
from quizdl.demos.input_standardization import Config
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("input-standardization")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_standardizing_fixes_the_condition_number(result: DemoResult) -> None:
    m = result.metrics
    assert m["cond_raw"] > 1e5
    assert m["cond_standardized"] < 2
    # each half helps, neither alone is enough
    assert m["cond_standardized"] < m["cond_scaled"] < m["cond_centred"] < m["cond_raw"]
    assert m["cond_scaled"] > 100 and m["cond_centred"] > 100


def test_gradient_descent_steps_to_the_target(result: DemoResult) -> None:
    m = result.metrics
    assert m["steps_standardized"] is not None and m["steps_standardized"] <= 5
    assert m["steps_raw"] is None  # not within the default 2000 steps
    assert m["final_excess_raw"] > 0.03 * m["initial_excess"]
    assert m["steps_scaled"] is not None and m["steps_scaled"] > 10 * m["steps_standardized"]
    assert m["final_excess_standardized"] < 1e-4 * m["initial_excess"]


def test_all_versions_share_one_optimum() -> None:
    # an oracle in float64: least squares on raw and on standardized features give the same MSE
    cfg = Config()
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(cfg.n_samples, 3, generator=gen, dtype=torch.float64)
    x = torch.tensor(cfg.means, dtype=torch.float64) + torch.tensor(cfg.stds, dtype=torch.float64) * z
    y = z @ torch.tensor(cfg.weights, dtype=torch.float64) + torch.randn(
        cfg.n_samples, generator=gen, dtype=torch.float64
    )
    ones = torch.ones(cfg.n_samples, 1, dtype=torch.float64)

    def best(features: torch.Tensor) -> float:
        a = torch.cat([features, ones], dim=1)
        w = torch.linalg.lstsq(a, y[:, None]).solution
        return float(((a @ w - y[:, None]) ** 2).mean())

    assert best(x) == pytest.approx(best((x - x.mean(0)) / x.std(0)), rel=1e-9)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"cond(X^T X) is {fmt(m['cond_raw'])}" in result.takeaway
    assert f"reach it in {m['steps_standardized']} step" in result.takeaway
    assert f"{fmt(m['final_excess_raw'] / m['initial_excess'] * 100)}% of it left" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("input-standardization", seed=1).metrics
    assert m["cond_raw"] > 1e4 * m["cond_standardized"]
    assert m["steps_standardized"] is not None and m["steps_standardized"] <= 5
    assert m["steps_raw"] is None
