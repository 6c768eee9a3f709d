"""orthogonal-init: W^T of a Gaussian W spreads its singular values over many orders; an orthogonal W^T keeps 1."""

from __future__ import annotations

import pytest
import torch

from quizdl.demos.common import fmt
from quizdl.demos.orthogonal_init import orthogonal
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("orthogonal-init")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_orthogonal_matrix_is_orthogonal() -> None:
    q = orthogonal(torch.Generator().manual_seed(0), 16, "cpu")
    torch.testing.assert_close(q.T @ q, torch.eye(16), atol=1e-5, rtol=0)


def test_gaussian_powers_spread_over_orders_of_magnitude(result: DemoResult) -> None:
    m = result.metrics
    assert m["gauss_sigma_max"] > 1.5
    assert m["gauss_power_min"] < 1e-10
    assert m["gauss_power_max"] / m["gauss_power_min"] > 1e10
    # sigma_max^T only bounds ||W^T||; the T-th root tracks the spectral radius instead
    assert m["gauss_power_max"] < 1e-6 * m["gauss_sigma_max_bound"]
    assert abs(m["gauss_power_max_root"] - m["gauss_rho"]) < 0.1
    assert abs(m["gauss_power_max_root"] - m["gauss_sigma_max"]) > 0.5


def test_orthogonal_powers_keep_every_norm(result: DemoResult) -> None:
    m = result.metrics
    for key in ("orth_sigma_max", "orth_sigma_min", "orth_power_max", "orth_power_min"):
        assert m[key] == pytest.approx(1.0, abs=1e-5)
    assert m["orth_norm_ratio_min"] == pytest.approx(1.0, abs=1e-5)
    assert m["orth_norm_ratio_max"] == pytest.approx(1.0, abs=1e-5)


def test_tanh_still_shrinks_the_gradient(result: DemoResult) -> None:
    assert result.metrics["orth_tanh_grad"] < 1e-2


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["gauss_power_min"]) in result.takeaway
    assert fmt(m["gauss_rho"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("orthogonal-init", seed=1)
    test_gaussian_powers_spread_over_orders_of_magnitude(other)
    test_orthogonal_powers_keep_every_norm(other)
