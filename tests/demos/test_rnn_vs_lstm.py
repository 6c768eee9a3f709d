"""rnn-vs-lstm: on the adding problem the RNN stays near the predict-the-mean baseline at long lengths, the LSTM not."""

from __future__ import annotations

import math

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("rnn-vs-lstm")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_rnn_stays_at_the_baseline_at_the_longest_length(result: DemoResult) -> None:
    m = result.metrics
    assert m["baseline_mse"] == pytest.approx(1 / 6)
    assert m["longest_length"] >= 32
    assert math.isfinite(m["rnn_mse_longest"])
    assert m["rnn_mse_longest"] > 0.8 * m["baseline_mse"]


def test_lstm_learns_to_remember_at_every_length(result: DemoResult) -> None:
    m = result.metrics
    assert m["lstm_mse_longest"] < 0.3 * m["baseline_mse"]
    assert m["lstm_mse_longest"] < 0.3 * m["rnn_mse_longest"]
    assert m[f"lstm_mse_len{m['shortest_length']}"] < 0.1 * m["baseline_mse"]


def test_takeaway_reports_the_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["rnn_mse_longest"]) in result.takeaway
    assert fmt(m["lstm_mse_longest"]) in result.takeaway
    assert "the LSTM's additive cell state has" in result.takeaway
