"""groupnorm-small-batch: BatchNorm's statistics are noisy at batch size 2; GroupNorm ignores the batch exactly."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("groupnorm-small-batch")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_groupnorm_matches_its_definition() -> None:
    torch.manual_seed(0)
    x = torch.randn(3, 8, 4, 4) * 3 + 1
    groups = x.view(3, 2, 4 * 4 * 4)  # 2 groups of 4 channels, per example
    expected = (
        (groups - groups.mean(-1, keepdim=True)) / torch.sqrt(groups.var(-1, unbiased=False, keepdim=True) + 1e-5)
    ).view_as(x)
    torch.testing.assert_close(nn.GroupNorm(2, 8, affine=False)(x), expected, rtol=1e-5, atol=1e-5)


def test_batchnorm_statistics_noise_shrinks_like_one_over_sqrt_batch(result: DemoResult) -> None:
    m = result.metrics
    assert m["bn_mean_noise_small"] > 0.4
    assert m["noise_ratio_small_over_large"] == pytest.approx(m["expected_ratio_sqrt"], rel=0.2)
    assert m["bn_var_noise_small"] > 2.5 * m["bn_var_noise_large"]
    assert m["bn_output_shift_small"] > 3 * m["bn_output_shift_large"]
    assert m["bn_output_shift_small"] > 0.3


def test_groupnorm_is_independent_of_the_batch(result: DemoResult) -> None:
    m = result.metrics
    assert m["gn_output_change_max"] < 1e-6
    assert m["gn_train_vs_eval_max"] < 1e-6


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["bn_mean_noise_small"]) in result.takeaway
    assert fmt(m["bn_output_shift_small"]) in result.takeaway
    assert "identical with any batchmates" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("groupnorm-small-batch", seed=1)
    test_batchnorm_statistics_noise_shrinks_like_one_over_sqrt_batch(other)
    test_groupnorm_is_independent_of_the_batch(other)
