"""exploding-gradients: unclipped SGD on a too-large deep net blows up; clipping the norm keeps it training."""

from __future__ import annotations

import math

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("exploding-gradients")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_unclipped_gradient_explodes(result: DemoResult) -> None:
    m = result.metrics
    assert m["initial_grad_norm"] > 100
    assert not math.isfinite(m["max_grad_norm_unclipped"]) or m["max_grad_norm_unclipped"] > 1e3
    assert m["unclipped_nonfinite_step"] >= 0
    assert not math.isfinite(m["final_loss_unclipped"])


def test_clipped_run_stays_finite_and_learns(result: DemoResult) -> None:
    m = result.metrics
    assert m["clipped_finite"] is True
    assert math.isfinite(m["final_loss_clipped"])
    assert m["final_loss_clipped"] < 0.5 * m["initial_loss"]
    assert m["final_loss_clipped"] < 0.9  # below a constant prediction (the target is standardized)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["final_loss_clipped"]) in result.takeaway
    assert f"step {m['unclipped_nonfinite_step']}" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("exploding-gradients", seed=1).metrics
    assert not math.isfinite(m["final_loss_unclipped"])
    assert m["clipped_finite"] is True and m["final_loss_clipped"] < 0.5 * m["initial_loss"]
