"""rmsnorm-vs-layernorm: RMSNorm is LayerNorm without centring: equal on zero-mean inputs, not shift-invariant."""

from __future__ import annotations

import pytest
import torch

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from quizdl.demos.rmsnorm_vs_layernorm import rms_norm
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("rmsnorm-vs-layernorm")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_rms_norm_formula() -> None:
    x = torch.tensor([[3.0, -4.0]])  # rms = sqrt((9 + 16) / 2)
    torch.testing.assert_close(rms_norm(x, 0.0), x / (12.5**0.5))


def test_matches_torch_and_equals_layernorm_on_centred_inputs(result: DemoResult) -> None:
    m = result.metrics
    assert m["rms_vs_torch"] < 1e-5
    assert m["equal_on_centred_inputs"] < 1e-5
    assert m["difference_with_offset"] > 0.5


def test_invariances(result: DemoResult) -> None:
    m = result.metrics
    assert m["ln_scale_change"] < 1e-5
    assert m["rms_scale_change"] < 1e-5
    assert m["ln_shift_change"] < 1e-5
    assert m["rms_shift_change"] > 0.5


def test_no_bias(result: DemoResult) -> None:
    assert result.metrics["params_layernorm"] == 2 * result.metrics["params_rmsnorm"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["rms_shift_change"]) in result.takeaway
    assert fmt(m["ms_rmsnorm"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("rmsnorm-vs-layernorm", seed=1)
    test_matches_torch_and_equals_layernorm_on_centred_inputs(other)
    test_invariances(other)
