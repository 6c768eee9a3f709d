"""receptive-field: the gradient footprint of one output pixel matches r_l = r_(l-1) + (k - 1) d J_(l-1)."""

from __future__ import annotations

import pytest

from quizdl.demos.receptive_field import formula
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("receptive-field")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_formula_itself() -> None:
    assert formula((("conv", 3, 1, 1),) * 3) == ([3, 5, 7], [1, 1, 1])
    assert formula((("conv", 3, 2, 1),) * 3) == ([3, 7, 15], [2, 4, 8])
    assert formula((("conv", 3, 1, 1), ("conv", 3, 1, 2), ("conv", 3, 1, 4))) == ([3, 7, 15], [1, 1, 1])


def test_every_measurement_matches_the_formula(result: DemoResult) -> None:
    m = result.metrics
    assert m["all_match"] is True
    assert m["matching"] == m["checks"] == 48
    assert m["square_footprints"] is True


def test_stride_and_dilation_speed_up_growth(result: DemoResult) -> None:
    m = result.metrics
    assert m["rf_stride1"] == [3, 5, 7, 9]  # 2L + 1
    assert m["rf_stride2_first"] == [3, 7, 11, 15]  # later layers grow twice as fast
    assert m["rf_stride2_all"] == [3, 7, 15, 31]  # 2^(L+1) - 1
    assert m["rf_dilated"] == [3, 7, 15, 31]  # same growth, no downsampling
    assert m["rf_conv_pool"] == [3, 4, 8, 10]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['matching']} of {m['checks']}" in result.takeaway
    assert f"field is {m['rf_stride1'][-1]} pixels" in result.takeaway
    assert f"{m['rf_dilated'][-1]} with dilations" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("receptive-field", seed=1).metrics
    assert m["all_match"] is True
