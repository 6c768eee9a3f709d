"""batch-latency: larger inference batches raise throughput by a clear factor and cost latency per batch.

Timings are noisy (other processes share the CPU), so only structural facts with wide margins are asserted.
"""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("batch-latency")


def test_shape(result: DemoResult) -> None:
    check_shape(result)
    m = result.metrics
    assert len(m["latency_ms"]) == len(m["throughput"]) == len(m["batches"])
    assert all(t > 0 for t in m["latency_ms"])


def test_throughput_at_the_largest_batch_is_much_higher(result: DemoResult) -> None:
    m = result.metrics
    assert m["throughput_gain"] > 3  # typically about 10x on one CPU thread
    assert m["peak_throughput"] >= m["throughput"][-1]


def test_a_bigger_batch_costs_latency_but_far_less_than_proportionally(result: DemoResult) -> None:
    m = result.metrics
    ratio_samples = m["batches"][-1] / m["batches"][0]
    assert m["latency_ms"][-1] > 3 * m["latency_ms"][0]
    assert m["latency_ratio"] < ratio_samples / 3
    assert m["batches"][0] <= m["saturation_batch"] <= m["batches"][-1]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"({fmt(m['throughput_gain'])}x)" in result.takeaway
    assert fmt(m["latency_ms"][-1]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("batch-latency", seed=1).metrics
    assert m["throughput_gain"] > 2
