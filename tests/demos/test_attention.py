"""attention: rows sum to 1, queries find their keys, heads look at different places, 1/sqrt(d) avoids saturation."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("attention")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_weights_are_a_distribution_and_queries_find_their_keys(result: DemoResult) -> None:
    m = result.metrics
    assert m["row_sum_max_error"] < 1e-5
    assert m["match_rate"] == 1.0
    assert m["match_weight"] > 0.7


def test_heads_attend_to_different_positions(result: DemoResult) -> None:
    m = result.metrics
    assert m["head1_previous_token_share"] == 1.0
    assert m["head2_partner_content_share"] == 1.0
    assert m["heads_differ_share"] > 0.5


def test_unscaled_softmax_saturates_at_large_d(result: DemoResult) -> None:
    m = result.metrics
    d = m["largest_d"]
    assert m[f"max_weight_unscaled_d{d}"] > 0.9
    assert m[f"entropy_unscaled_d{d}"] < 0.2 * m["uniform_entropy"]
    assert m[f"max_weight_scaled_d{d}"] < 0.5
    assert m[f"entropy_scaled_d{d}"] > 0.7 * m["uniform_entropy"]
    assert m[f"logit_grad_unscaled_d{d}"] < 0.01 * m[f"logit_grad_scaled_d{d}"]
    # saturation grows with d without the scaling, and the scaled softmax stays put
    assert m["max_weight_unscaled_d16"] < m[f"max_weight_unscaled_d{d}"]
    assert abs(m["max_weight_scaled_d16"] - m[f"max_weight_scaled_d{d}"]) < 0.1


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    d = m["largest_d"]
    assert f"{m[f'max_weight_unscaled_d{d}']:.3f}" in result.takeaway
    assert f"{m['heads_differ_share']:.0%}" in result.takeaway
    assert "less gradient" in result.takeaway
