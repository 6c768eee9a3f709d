"""global-avg-pooling: the GAP model takes 16, 32 and 48 pixel inputs; the flatten head raises off its size."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("global-avg-pooling")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_gap_accepts_every_size_and_still_classifies(result: DemoResult) -> None:
    m = result.metrics
    assert m["gap_sizes_accepted"] == 3
    for n in (16, 32, 48):
        assert m[f"gap_accuracy_{n}"] > 0.9


def test_flatten_head_raises_on_other_sizes(result: DemoResult) -> None:
    m = result.metrics
    assert m["flatten_sizes_accepted"] == 1
    assert m["flatten_raises_on_other_sizes"] is True
    assert m["flatten_accuracy_32"] > 0.9
    assert m["flatten_accuracy_16"] is None and m["flatten_accuracy_48"] is None
    errors = [r[4] for r in result.rows if r[0] == "flatten" and r[2] != "32x32"]
    assert len(errors) == 2 and all(e.startswith("RuntimeError") for e in errors)
    assert m["flatten_head_params"] > 100 * m["gap_head_params"]


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    assert "accepted 3 of 3 sizes" in result.takeaway
    assert "raised a RuntimeError at 16x16, 48x48" in result.takeaway
