"""adamw-vs-adam-l2: Adam + L2 regularises by gradient scale; AdamW's decoupled decay shrinks every weight alike."""

from __future__ import annotations

import math

import pytest
import torch

from quizdl.demos.adamw_vs_adam_l2 import AdamW
from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("adamw-vs-adam-l2")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_adamw_matches_the_reference_update() -> None:
    """Against AdamW written out per scalar (Loshchilov and Hutter; torch.optim.AdamW's order of operations)."""
    torch.manual_seed(0)
    w = torch.randn(6, requires_grad=True)
    ref = [float(v) for v in w.detach()]
    m, v = [0.0] * 6, [0.0] * 6
    lr, wd, b1, b2, eps = 0.05, 0.1, 0.9, 0.999, 1e-8
    opt = AdamW([w], lr=lr, weight_decay=wd)
    for t in range(1, 21):
        grads = [math.sin(t + i) * (i + 1) for i in range(6)]
        w.grad = torch.tensor(grads)
        opt.step()
        for i, g in enumerate(grads):
            ref[i] *= 1 - lr * wd
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            ref[i] -= lr * (m[i] / (1 - b1**t)) / (math.sqrt(v[i] / (1 - b2**t)) + eps)
    torch.testing.assert_close(w.detach(), torch.tensor(ref), rtol=1e-5, atol=1e-6)


def test_without_decay_and_with_adamw_the_heads_are_identical(result: DemoResult) -> None:
    m = result.metrics
    assert m["heads_gap_no_decay"] < 1e-5
    assert m["adamw_0.3_heads_gap"] < 1e-5
    assert m["adamw_1_heads_gap"] < 1e-5
    assert m["adamw_1_shrink_loud"] == pytest.approx(m["adamw_1_shrink_quiet"], abs=1e-5)
    assert m["adamw_1_shrink_loud"] < 0.9  # and it does regularise


def test_adam_l2_barely_regularises_the_large_gradient_head(result: DemoResult) -> None:
    m = result.metrics
    assert m["l2_decay_per_step_quiet"] > 30 * m["l2_decay_per_step_loud"]
    assert m["l2_shrink_loud"] > 0.95
    assert m["l2_shrink_quiet"] < 0.8
    assert m["l2_heads_gap"] > 0.1
    assert m["l2_val_loud"] > 0.9 * m["val_loss_no_decay"]  # hardly better than no decay
    assert m["l2_val_quiet"] < 0.8 * m["val_loss_no_decay"]


def test_adamw_lowers_the_validation_loss_of_both_heads(result: DemoResult) -> None:
    m = result.metrics
    assert m["adamw_1_val_loud"] < 0.8 * m["val_loss_no_decay"]
    assert m["adamw_1_val_loud"] < m["l2_val_loud"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["l2_shrink_loud"]) in result.takeaway
    assert fmt(m["l2_val_quiet"]) in result.takeaway
    assert fmt(m["adamw_1_val_loud"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("adamw-vs-adam-l2", seed=1)
    test_without_decay_and_with_adamw_the_heads_are_identical(other)
    test_adam_l2_barely_regularises_the_large_gradient_head(other)
    test_adamw_lowers_the_validation_loss_of_both_heads(other)
