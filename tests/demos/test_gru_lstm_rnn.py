"""gru-lstm-rnn: gated cells remember a token across look-alike distractors; the vanilla RNN does not."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("gru-lstm-rnn")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_parameter_counts_follow_the_gates(result: DemoResult) -> None:
    m = result.metrics
    n_in, h = 8 + 2, 16
    rnn = h * n_in + h * h + 2 * h  # W_ih, W_hh, b_ih, b_hh
    assert m["rnn_layer_params"] == rnn
    assert m["gru_layer_params"] == 3 * rnn
    assert m["lstm_layer_params"] == 4 * rnn
    assert m["gru_param_ratio"] == 3.0
    assert m["lstm_param_ratio"] == 4.0


def test_gated_cells_remember_across_the_longest_delay_the_rnn_does_not(result: DemoResult) -> None:
    m = result.metrics
    assert m["gru_accuracy_longest"] > 0.9
    assert m["lstm_accuracy_longest"] > 0.9
    assert m["rnn_accuracy_longest"] < 0.7
    assert m["rnn_accuracy_longest"] < m["rnn_accuracy_shortest"]  # the RNN gets worse as the delay grows


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['rnn_accuracy_longest']:.0f}%" in result.takeaway
    assert f"{100 * m['lstm_accuracy_longest']:.0f}%" in result.takeaway
    assert "cannot do so reliably" in result.takeaway
    assert "3x and 4x" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("gru-lstm-rnn", seed=1).metrics
    assert min(m["gru_accuracy_longest"], m["lstm_accuracy_longest"]) > 0.9
    assert m["rnn_accuracy_longest"] < 0.7
