"""transposed-conv-checkerboard: k=3 s=2 overlaps unevenly (checkerboard); k=4 s=2 and resize-then-conv are flat."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("transposed-conv-checkerboard")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_uneven_overlap_of_kernel_3_stride_2(result: DemoResult) -> None:
    m = result.metrics
    assert m["phase_values_k3"] == "1, 2, 2, 4"  # taps per pixel in the four parity phases
    # phase means 1, 2, 2, 4: std 1.0897, RMS sqrt(25 / 4) = 2.5
    assert m["periodic_k3_equal"] == pytest.approx((1.1875**0.5) / 2.5, rel=1e-5)


def test_kernel_4_and_resize_are_flat_with_equal_weights(result: DemoResult) -> None:
    m = result.metrics
    assert m["phase_values_k4"] == "4, 4, 4, 4"
    assert m["periodic_k4_equal"] < 1e-6
    assert m["periodic_resize_equal"] < 1e-6


def test_divisible_kernel_is_not_a_guarantee_but_resize_is(result: DemoResult) -> None:
    m = result.metrics
    assert m["periodic_k4_random"] > 0.3  # random weights still paint a pattern
    assert m["periodic_k3_random"] > 0.3
    assert m["periodic_resize_random"] < 1e-6


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["periodic_k3_equal"]) in result.takeaway
    assert fmt(m["periodic_k4_random"]) in result.takeaway
    assert m["phase_values_k3"] in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("transposed-conv-checkerboard", seed=1).metrics
    assert m["periodic_k3_equal"] > 0.4
    assert m["periodic_k4_equal"] < 1e-6
    assert m["periodic_k4_random"] > 0.3
    assert m["periodic_resize_random"] < 1e-6
