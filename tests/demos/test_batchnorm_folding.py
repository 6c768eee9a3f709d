"""batchnorm-folding: an eval-mode BatchNorm folds into the layer before it, same outputs, fewer layers and ops."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("batchnorm-folding")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_folded_network_gives_the_same_outputs(result: DemoResult) -> None:
    m = result.metrics
    assert m["output_scale"] > 0.5  # outputs are not trivially small
    assert m["max_abs_error"] < 1e-5
    assert m["max_abs_error_float64"] < 1e-12  # exact up to rounding


def test_train_mode_batchnorm_cannot_be_folded(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_mode_error"] > 1e-2
    assert m["train_mode_error"] > 1000 * m["max_abs_error"]


def test_fewer_layers_buffers_and_operations(result: DemoResult) -> None:
    m = result.metrics
    assert m["batchnorms_folded"] == 3
    assert m["layers_after"] == m["layers_before"] - 3
    assert m["buffers_after"] == 0
    # each BatchNorm's gamma and beta go; only the conv that had no bias gains one (32 channels)
    assert m["params_before"] - m["params_after"] == m["batchnorm_params"] - 32
    # 64 x (16 x 16 x 16 + 32 x 8 x 8 + 16) elements pass through BatchNorms, 2 operations each
    assert m["batchnorm_ops_per_batch"] == 2 * 64 * (16 * 16 * 16 + 32 * 8 * 8 + 16)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["max_abs_error"]) in result.takeaway
    assert fmt(m["train_mode_error"]) in result.takeaway
    assert f"{m['batchnorm_ops_per_batch']} element-wise operations" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("batchnorm-folding", seed=1).metrics
    assert m["max_abs_error"] < 1e-5
    assert m["train_mode_error"] > 1000 * m["max_abs_error"]
