"""conv-arithmetic: real Conv2d output sizes follow floor((n + 2p - k) / s) + 1; stacked 3x3 fields grow as 2L + 1."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("conv-arithmetic")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_output_sizes_match_the_formula(result: DemoResult) -> None:
    m = result.metrics
    assert m["output_sizes_checked"] >= 8
    assert m["output_sizes_matching"] == m["output_sizes_checked"]
    rows = {r[1]: r for r in result.rows if r[0] == "output size"}
    assert rows["n=32 k=3 s=1 p=0 (valid)"][3] == 30
    assert rows["n=32 k=3 s=1 p=1 (same, keeps n)"][3] == 32
    assert rows["n=32 k=3 s=1 p=same (same, keeps n)"][3] == 32


def test_receptive_field_grows_as_2l_plus_1_and_doubles_with_stride(result: DemoResult) -> None:
    m = result.metrics
    for layers in range(1, 6):
        assert m[f"receptive_field_stride1_L{layers}"] == 2 * layers + 1
    for layers in range(1, 6):
        assert m[f"receptive_field_stride2_L{layers}"] == 2 ** (layers + 1) - 1
    assert m["all_match"] is True


def test_gradient_concentrates_in_the_center(result: DemoResult) -> None:
    m = result.metrics
    assert m["central_gradient_share"] > 0.6


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    assert "3, 5, 7, 9, 11 pixels wide" in result.takeaway
    assert "10 of 10" in result.takeaway
