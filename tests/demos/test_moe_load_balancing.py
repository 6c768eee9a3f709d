"""moe-load-balancing: without the auxiliary loss the router overloads a few experts; with it loads even out."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.moe_load_balancing import Config
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("moe-load-balancing")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def _check(m: dict) -> None:
    uniform = 1 / Config().experts
    for k in ("top1", "top2"):
        # the auxiliary loss brings loads close to uniform; without it the busiest expert is far above
        assert m[f"max_share_{k}_aux"] < 1.6 * uniform
        assert m[f"max_share_{k}"] > 1.3 * m[f"max_share_{k}_aux"]
        assert m[f"cv_{k}_aux"] < 0.5 * m[f"cv_{k}"]
        assert m[f"entropy_{k}_aux"] > 0.97
        assert m[f"experts_used_{k}_aux"] == Config().experts
        assert m[f"dropped_{k}_aux"] < 0.5 * m[f"dropped_{k}"]
        # the aux loss is 1 at uniform routing, above 1 otherwise
        assert m[f"aux_{k}_aux"] == pytest.approx(1.0, abs=0.05)
        assert m[f"aux_{k}"] > 1.15
        # balanced routing uses every expert's capacity: lower task loss
        assert m[f"loss_{k}_aux"] < 0.7 * m[f"loss_{k}"]
    # top-1 without the aux loss is the worst imbalance
    assert m["max_share_top1"] > 2.5 * uniform
    # active vs total parameters of the layer
    assert m["active_params_top1"] < m["active_params_top2"] < m["total_params"]


def test_load_balancing(result: DemoResult) -> None:
    _check(result.metrics)


def test_parameter_counts(result: DemoResult) -> None:
    cfg, m = Config(), result.metrics
    expert = cfg.d_out * cfg.d_in + cfg.d_out
    router = cfg.experts * cfg.d_in
    assert m["total_params"] == cfg.experts * expert + router
    assert m["active_params_top2"] - m["active_params_top1"] == expert


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['max_share_top1']:.0f}%" in result.takeaway
    assert fmt(m["loss_top1_aux"]) in result.takeaway
    assert "did not balance" not in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    _check(run_cpu("moe-load-balancing", seed=1).metrics)
