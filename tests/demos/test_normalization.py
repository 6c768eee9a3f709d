"""normalization: BatchNorm standardizes features over the batch, LayerNorm samples, InstanceNorm cells."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("normalization")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_batchnorm_standardizes_features_not_samples(result: DemoResult) -> None:
    m = result.metrics
    assert m["bn_feature_mean_abs"] < 1e-4
    assert m["bn_feature_std_dev"] < 1e-3
    assert m["bn_sample_mean_abs"] > 0.2  # samples stay skewed


def test_layernorm_standardizes_samples_not_features(result: DemoResult) -> None:
    m = result.metrics
    assert m["ln_sample_mean_abs"] < 1e-4
    assert m["ln_sample_std_dev"] < 1e-3
    assert m["ln_feature_mean_abs"] > 0.2  # features stay skewed


def test_instancenorm_standardizes_each_sample_channel(result: DemoResult) -> None:
    m = result.metrics
    assert m["in_input_cell_mean_abs"] > 1.0
    assert m["in_cell_mean_abs"] < 1e-4
    assert m["in_cell_std_dev"] < 1e-3


def test_only_batchnorm_depends_on_the_batch(result: DemoResult) -> None:
    m = result.metrics
    assert m["bn_max_change_smallest_batch"] > 0.1
    assert m["ln_max_change_any_batch"] < 1e-5
    assert m["in_max_change_any_batch"] < 1e-5
    assert m["bn_batch_of_one"] == "ValueError"
    assert "depends on the rest of the batch" in result.takeaway
    assert "did NOT" not in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("normalization", seed=1)
    test_batchnorm_standardizes_features_not_samples(other)
    test_layernorm_standardizes_samples_not_features(other)
    test_instancenorm_standardizes_each_sample_channel(other)
    test_only_batchnorm_depends_on_the_batch(other)
