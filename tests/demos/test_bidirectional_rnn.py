"""bidirectional-rnn: a left-to-right GRU cannot tag with a future token; a bidirectional one can."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("bidirectional-rnn")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_the_future_label_needs_the_backward_direction(result: DemoResult) -> None:
    m = result.metrics
    assert m["chance_accuracy"] == pytest.approx(0.25)
    assert m["uni_future_accuracy"] < m["chance_accuracy"] + 0.07  # independent of all it has seen
    assert m["bi_future_accuracy"] > 0.85


def test_the_past_label_is_learned_by_both(result: DemoResult) -> None:
    m = result.metrics
    assert m["uni_past_accuracy"] > 0.85
    assert m["bi_past_accuracy"] > 0.85


def test_bidirectional_doubles_the_recurrent_parameters(result: DemoResult) -> None:
    m = result.metrics
    assert m["uni_recurrent_params"] == 3 * (16 * 4 + 16 * 16 + 2 * 16)
    assert m["bi_recurrent_params"] == 2 * m["uni_recurrent_params"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['uni_future_accuracy']:.0f}%" in result.takeaway
    assert f"{100 * m['bi_future_accuracy']:.0f}%" in result.takeaway
    assert "it has not seen it yet" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("bidirectional-rnn", seed=1).metrics
    assert m["uni_future_accuracy"] < m["chance_accuracy"] + 0.07
    assert m["bi_future_accuracy"] > 0.85
    assert m["uni_past_accuracy"] > 0.85
