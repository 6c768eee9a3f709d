"""double-descent: min-norm random-features regression peaks at features = samples and falls again beyond."""

from __future__ import annotations

import itertools

import pytest
import torch

from quizdl.demos.common import fmt
from quizdl.demos.double_descent import _ridge
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("double-descent")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_test_error_peaks_at_the_interpolation_threshold(result: DemoResult) -> None:
    m = result.metrics
    assert m["peak_width"] == m["n_train"]
    assert m["test_error_at_threshold"] > 5 * m["best_underparameterized_error"]
    assert m["weight_norm_at_threshold"] > 4 * m["weight_norm_widest"]


def test_second_descent_beats_the_classical_optimum(result: DemoResult) -> None:
    m = result.metrics
    errors, widths = m["test_errors"], m["widths"]
    assert m["test_error_widest"] < m["best_underparameterized_error"]
    assert m["max_train_error_overparameterized"] < 1e-6  # every p >= n interpolates
    # beyond the threshold the error keeps falling (allowing a little noise between neighbours)
    over = [e for p, e in zip(widths, errors, strict=True) if p > m["n_train"]]
    assert all(b < a * 1.1 for a, b in itertools.pairwise(over))


def test_ridge_removes_the_peak(result: DemoResult) -> None:
    m = result.metrics
    assert m["ridge_error_at_threshold"] < m["test_error_at_threshold"] / 10
    assert m["ridge_max_error"] < 1.5


def test_pinv_gives_the_minimum_norm_interpolator_and_ridge_matches_its_primal_form() -> None:
    gen = torch.Generator().manual_seed(0)
    phi = torch.randn(1, 20, 60, generator=gen, dtype=torch.float64)
    y = torch.randn(1, 20, 1, generator=gen, dtype=torch.float64)
    beta = torch.linalg.pinv(phi) @ y
    assert torch.allclose(phi @ beta, y, atol=1e-10)
    null = torch.randn(1, 60, 1, generator=gen, dtype=torch.float64)
    null = null - torch.linalg.pinv(phi) @ (phi @ null)  # a direction that leaves the fit unchanged
    assert torch.allclose(phi @ (beta + null), y, atol=1e-10)
    assert beta.norm() < (beta + null).norm()
    primal = torch.linalg.solve(phi[0].T @ phi[0] + 0.1 * torch.eye(60, dtype=torch.float64), phi[0].T @ y[0])
    assert torch.allclose(_ridge(phi, y, 0.1)[0], primal, atol=1e-10)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"rises to {fmt(m['test_error_at_threshold'])} at p = 40" in result.takeaway
    assert f"falls again to {fmt(m['test_error_widest'])}" in result.takeaway
    assert "(= n, the interpolation threshold)" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("double-descent", seed=1).metrics
    assert m["peak_width"] == m["n_train"]
    assert m["test_error_at_threshold"] > 5 * m["best_underparameterized_error"]
    assert m["test_error_widest"] < m["best_underparameterized_error"]
