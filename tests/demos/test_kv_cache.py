"""kv-cache: cached generation equals recomputation exactly, with far fewer FLOPs per generated token."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.kv_cache import Config, step_flops
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("kv-cache")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_the_cache_gives_the_same_generation(result: DemoResult) -> None:
    m = result.metrics
    assert m["same_tokens"] is True
    assert m["max_logit_gap"] < 1e-5


def test_flops_per_token_formula_and_ratio(result: DemoResult) -> None:
    m = result.metrics
    assert m["formula_matches_counter"] is True  # the formula equals the FLOPs of the matmuls actually called
    cfg = Config()
    # by hand for one decode step at length t = 50 (batch 2, 2 layers, d 64, d_ff 256, V 64)
    per_token = 4 * 64 * 64 + 2 * 64 * 256
    assert step_flops(cfg, 50, cached=True) == 2 * 2 * (2 * (per_token + 50 * 2 * 64) + 64 * 64)
    assert step_flops(cfg, 50, cached=False) == 2 * 2 * (2 * (50 * per_token + 2500 * 2 * 64) + 64 * 64)
    assert m["flop_ratio"] > 30
    assert m["last_step_flop_ratio"] > m["flop_ratio"]  # the gap grows with the length


def test_the_cache_is_faster_in_wall_time(result: DemoResult) -> None:
    assert result.metrics["time_ratio"] > 1.0  # loose: timings are noisy on a shared machine


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["flop_ratio"]) in result.takeaway
    assert fmt(m["max_logit_gap"]) in result.takeaway
    assert "the same tokens" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("kv-cache", seed=1).metrics
    assert m["same_tokens"] is True
    assert m["max_logit_gap"] < 1e-5
    assert m["formula_matches_counter"] is True
