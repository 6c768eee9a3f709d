"""focal-loss: easy negatives dominate cross-entropy but not focal loss; focal loss learns the minority faster."""

from __future__ import annotations

import math

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.focal_loss import per_example_losses
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("focal-loss")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_focal_loss_matches_its_formula() -> None:
    import torch

    z = torch.tensor([-3.0, -0.5, 0.0, 2.0, 4.0])
    for label in (0.0, 1.0):
        y = torch.full_like(z, label)
        p = torch.sigmoid(z)
        p_t = p if label else 1 - p
        expected = -((1 - p_t) ** 2) * torch.log(p_t)
        torch.testing.assert_close(per_example_losses(z, y, 2.0), expected, rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(per_example_losses(z, y, 0.0), -torch.log(p_t), rtol=1e-5, atol=1e-7)


def test_easy_negatives_dominate_cross_entropy_not_focal_loss(result: DemoResult) -> None:
    m = result.metrics
    assert m["easy_negative_fraction"] > 0.9
    assert m["easy_negative_loss_share_ce"] > 0.1
    assert m["easy_negative_grad_share_ce"] > 0.25
    assert m["easy_negative_loss_share_focal"] < 0.01
    assert m["easy_negative_grad_share_focal"] < 0.02


def test_focal_loss_learns_the_minority_class_faster_from_a_zero_bias(result: DemoResult) -> None:
    m = result.metrics
    assert m["ap_focal_zero_bias"] > m["ap_ce_zero_bias"] + 0.15
    assert m["recall_focal_zero_bias"] > m["recall_ce_zero_bias"] + 0.2


def test_prior_bias_initialisation(result: DemoResult) -> None:
    m = result.metrics
    prior = m["positive_share"]
    entropy = -(prior * math.log(prior) + (1 - prior) * math.log(1 - prior))
    assert m["initial_ce_loss_prior_bias"] < 0.2  # close to the entropy of the base rate (random w adds a bit)
    assert m["initial_ce_loss_prior_bias"] > entropy - 1e-6
    assert m["initial_ce_loss_zero_bias"] > 5 * m["initial_ce_loss_prior_bias"]
    assert m["ap_ce_prior_bias"] > m["ap_ce_zero_bias"] + 0.15
    assert abs(m["ap_ce_prior_bias"] - m["ap_focal_prior_bias"]) < 0.05


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["ap_focal_zero_bias"]) in result.takeaway
    assert fmt(m["ap_ce_zero_bias"]) in result.takeaway
    assert f"{fmt(100 * m['easy_negative_loss_share_ce'], 2)}%" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("focal-loss", seed=1).metrics
    assert m["easy_negative_grad_share_ce"] > 0.25 > 0.02 > m["easy_negative_grad_share_focal"]
    assert m["ap_focal_zero_bias"] > m["ap_ce_zero_bias"] + 0.15
    assert m["ap_ce_prior_bias"] > m["ap_ce_zero_bias"] + 0.15
