"""pooling-shift-invariance: conv maps are equivariant; max pooling and global pooling make features shift-tolerant."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("pooling-shift-invariance")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_convolution_is_equivariant_exactly(result: DemoResult) -> None:
    m = result.metrics
    assert m["equivariance_error"] < 1e-6
    # a shift by the pooling window moves the pooled map by exactly one cell
    assert m["pooled_cell_shift_error_2"] < 1e-6
    assert m["pooled_cell_shift_error_4"] < 1e-6


def test_more_pooling_more_invariance(result: DemoResult) -> None:
    m = result.metrics
    none, mp2, mp4, gap = m["change_none"], m["change_maxpool2"], m["change_maxpool4"], m["change_gap"]
    assert none[0] > 0.3  # the unpooled map changes a lot at the same positions
    assert mp2[0] < 0.8 * none[0]
    assert mp4[0] < 0.8 * mp2[0]
    assert gap[0] < 0.1 * none[0]
    assert max(gap) < 0.15
    assert max(m["change_gmp"]) < 0.3


def test_max_pooling_tolerance_is_local(result: DemoResult) -> None:
    m = result.metrics
    assert m["change_maxpool2"][1] > 1.3 * m["change_maxpool2"][0]  # shift 2 vs shift 1
    assert m["change_maxpool4"][3] > 1.5 * m["change_maxpool4"][0]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["change_none"][0]) in result.takeaway
    assert fmt(m["change_maxpool2"][0]) in result.takeaway
    assert fmt(m["change_gap"][0]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("pooling-shift-invariance", seed=1).metrics
    assert m["change_maxpool2"][0] < 0.8 * m["change_none"][0]
    assert m["change_gap"][0] < 0.1 * m["change_none"][0]
