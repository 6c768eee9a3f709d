"""gan-1d: the generator's mean and std move from the untrained values to those of N(mu, sigma)."""

from __future__ import annotations

import math

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("gan-1d")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_untrained_generator_is_far_from_the_data(result: DemoResult) -> None:
    m = result.metrics
    assert abs(m["gen_mean_before"] - m["real_mean"]) > 2 * m["real_std"]
    assert m["gen_std_before"] < 0.5 * m["real_std"]


def test_trained_generator_matches_mean_and_std(result: DemoResult) -> None:
    m = result.metrics
    assert math.isfinite(m["gen_mean_after"]) and math.isfinite(m["gen_std_after"])
    assert abs(m["gen_mean_after"] - m["real_mean"]) < 0.25 * m["real_std"]
    assert abs(m["gen_std_after"] - m["real_std"]) < 0.3 * m["real_std"]
    assert m["wasserstein_after"] < 0.2 * m["wasserstein_before"]


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["gen_mean_after"]) in result.takeaway
    assert fmt(m["gen_std_after"]) in result.takeaway
    assert "G matched the mean" in result.takeaway
