"""diffusion-2d: a tiny DDPM turns pure noise into points near the ring, covering all of it."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("diffusion-2d")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_the_forward_process_ends_in_noise(result: DemoResult) -> None:
    assert result.metrics["abar_T"] < 0.01  # almost nothing of x_0 is left at t = T


def test_samples_are_much_closer_to_the_ring_than_the_noise_they_started_from(result: DemoResult) -> None:
    m = result.metrics
    assert m["noise_mean_dist"] > 0.45
    assert m["samples_mean_dist"] < 0.3 * m["noise_mean_dist"]
    assert m["samples_near_share"] > 0.35
    assert m["samples_near_share"] > 2.5 * m["noise_near_share"]
    assert m["data_mean_dist"] < 0.05


def test_samples_cover_the_whole_ring(result: DemoResult) -> None:
    assert result.metrics["samples_coverage"] > 0.4


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["samples_mean_dist"]) in result.takeaway
    assert fmt(m["noise_mean_dist"]) in result.takeaway
    assert "no mode collapse" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("diffusion-2d", seed=1).metrics
    assert m["samples_mean_dist"] < 0.3 * m["noise_mean_dist"]
    assert m["samples_near_share"] > 0.35
    assert m["samples_coverage"] > 0.4
