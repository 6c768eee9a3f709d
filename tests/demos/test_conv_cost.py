"""conv-cost: parameters and MACs counted from the modules match the formulas; separable convs are ~8x cheaper."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("conv-cost")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_counts_match_the_formulas_exactly(result: DemoResult) -> None:
    m = result.metrics
    assert m["all_match"] is True
    assert all(row[5] is True for row in result.rows)
    assert m["params_standard"] == 9 * 64 * 64 + 64
    assert m["macs_standard"] == 28 * 28 * 9 * 64 * 64
    assert m["macs_separable"] == 28 * 28 * (9 * 64 + 64 * 64)


def test_interview_example(result: DemoResult) -> None:
    m = result.metrics
    assert m["example_params"] == 73_856
    assert m["example_macs"] == 401_408 * 576  # about 231 million


def test_separable_and_bottleneck_ratios(result: DemoResult) -> None:
    m = result.metrics
    assert m["mac_ratio_separable"] == pytest.approx(1 / (1 / 64 + 1 / 9))  # 7.89
    assert m["mac_ratio_bottleneck"] == pytest.approx(589_824 / 69_632)  # 8.47
    assert m["params_standard"] > 7 * m["params_separable"]


def test_measured_time_follows_the_arithmetic_loosely(result: DemoResult) -> None:
    m = result.metrics
    # timings are noisy: only wide margins. The 1x1 conv does 9x fewer MACs than the 3x3 one.
    assert m["time_ratio_1x1"] > 1.5
    assert m["time_ratio_bottleneck"] > 1.5
    assert all(t > 0 for t in m["ms"])


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{fmt(m['mac_ratio_separable'])}x fewer MACs" in result.takeaway
    assert f"{fmt(m['time_ratio_separable'])}x faster" in result.takeaway
    assert f"{m['example_params']} parameters" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("conv-cost", seed=1).metrics
    assert m["all_match"] is True
    assert m["time_ratio_1x1"] > 1.5
