"""ring-allreduce: exact sums on every worker, 2(N-1)/N of the data sent per worker, 2(N-1) steps."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("ring-allreduce")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_result_is_the_sum_on_every_worker(result: DemoResult) -> None:
    m = result.metrics
    assert m["all_sums_exact"] is True
    assert m["workers_bitwise_identical"] is True
    assert m["max_float_error"] < 1e-4


def test_traffic_per_worker_is_2_n_minus_1_over_n(result: DemoResult) -> None:
    m = result.metrics
    assert m["sent_matches_formula"] is True
    for n in (2, 3, 4, 8, 16, 32):
        assert m[f"ring_sent_ratio_{n}"] == pytest.approx(2 * (n - 1) / n)
    assert m["ring_sent_ratio_max"] < 2
    assert m["server_traffic_ratio_largest"] == 2 * m["workers_largest"]
    assert m["ring_steps_largest"] == 2 * (m["workers_largest"] - 1)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    assert "1.94 M with 32" in result.takeaway
    assert "62 sequential steps" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("ring-allreduce", seed=1).metrics
    assert m["all_sums_exact"] is True and m["workers_bitwise_identical"] is True
    assert m["sent_matches_formula"] is True
