"""dilated-convolution: dilation grows the receptive field exponentially for the weights of a plain 3x3 stack."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("dilated-convolution")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_receptive_fields_match_the_formulas(result: DemoResult) -> None:
    m = result.metrics
    depths = range(1, m["depth"] + 1)
    assert m["rf_stacked"] == [2 * d + 1 for d in depths]
    assert m["rf_dilated"] == [2 ** (d + 1) - 1 for d in depths]
    assert m["rf_large"] == m["rf_dilated"]
    assert m["rf_single"] == m["rf_stacked"]
    assert m["rf_strided"] == m["rf_dilated"]
    assert m["rf_grid"] == [4 * d + 1 for d in depths]


def test_parameters_counted_exactly(result: DemoResult) -> None:
    m = result.metrics
    c = m["channels"]
    depths = range(1, m["depth"] + 1)
    per_layer = 9 * c * c + c
    assert m["params_stacked"] == m["params_dilated"] == [per_layer * d for d in depths]
    assert m["params_large"] == [(2 ** (d + 1) - 1) ** 2 * c * c + c for d in depths]
    assert m["params_large"][-1] > 20 * m["params_dilated"][-1]
    # three 3x3 layers (27 C^2 weights) against one 7x7 kernel (49 C^2) with the same 7-pixel field
    assert m["params_single"] == [(2 * d + 1) ** 2 * c * c + c for d in depths]
    assert m["params_stacked"][2] - 3 * c == 27 * c * c
    assert m["params_single"][2] - c == 49 * c * c


def test_dilation_keeps_resolution_and_rates_1_2_4_avoid_gridding(result: DemoResult) -> None:
    m = result.metrics
    assert m["output_side_dilated"] == m["input_size"]
    assert m["output_side_strided"] == m["input_size"] // 2 ** m["depth"]
    assert m["coverage_dilated"] == 1.0
    assert m["coverage_stacked"] == 1.0
    assert m["coverage_grid"] == pytest.approx((9 / 17) ** 2)  # only even offsets: 9 of 17 per side


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['rf_dilated'][-1]}-pixel receptive field" in result.takeaway
    assert f"{m['params_large'][-1]} parameters" in result.takeaway
    assert f"same field with {m['params_single'][2]}" in result.takeaway
    assert f"{m['coverage_grid']:.0%}" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("dilated-convolution", seed=1).metrics
    assert m["rf_dilated"][-1] == 31
    assert m["coverage_grid"] < 0.3
