"""vae-reparameterization: gradients flow through z = mu + sigma*eps (matching the closed form), not through
Normal.sample(); raising beta lowers the KL and raises the reconstruction error."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("vae-reparameterization")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_direct_sampling_is_detached(result: DemoResult) -> None:
    m = result.metrics
    assert m["direct_sample_connected"] is False
    assert m["direct_grad_norm"] == 0.0


def test_reparameterized_gradient_matches_the_closed_form(result: DemoResult) -> None:
    m = result.metrics
    assert m["reparam_grad_norm"] > 0.5
    assert m["reparam_rel_error"] < 4 * m["reparam_rel_standard_error"] + 1e-3  # within Monte-Carlo error
    assert m["reparam_rel_error"] < 0.05
    assert m["reparam_logsigma_rel_error"] < 0.15


def test_score_function_is_unbiased_but_much_noisier(result: DemoResult) -> None:
    m = result.metrics
    assert m["score_rel_error"] < 0.5
    assert m["variance_ratio_score_vs_reparam"] > 20


def test_beta_trades_reconstruction_for_kl(result: DemoResult) -> None:
    m = result.metrics
    assert m["tradeoff_monotone"] is True
    assert m["kl_beta0.1"] > 3 * m["kl_beta4"]
    assert m["recon_beta4"] > 3 * m["recon_beta0.1"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["reparam_grad_norm"]) in result.takeaway
    assert fmt(m["exact_grad_norm"]) in result.takeaway
    assert fmt(m["kl_beta4"]) in result.takeaway
    assert "no gradient at all" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("vae-reparameterization", seed=1).metrics
    assert m["direct_grad_norm"] == 0.0
    assert m["reparam_rel_error"] < 0.05
    assert m["tradeoff_monotone"] is True
