"""parameter-count: counted parameters of common layers equal the closed-form formulas exactly."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("parameter-count")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_every_count_equals_its_formula(result: DemoResult) -> None:
    assert result.metrics["all_exact"] is True
    assert all(row[2] == row[4] and row[5] is True for row in result.rows)


def test_known_values(result: DemoResult) -> None:
    m = result.metrics
    assert m["mlp_params"] == 235_146  # the card's 784-256-128-10 answer
    assert m["conv_params"] == 64 * 3 * 3 * 3 + 64
    assert m["embedding_params"] == 5000 * 128
    assert m["lstm_params"] == 4 * (256 * (128 + 256) + 2 * 256)
    assert m["lstm_params"] == 4 * m["rnn_params"] and m["gru_params"] == 3 * m["rnn_params"]
    assert m["attention_params"] == 4 * 256 * 256 + 4 * 256
    assert m["batchnorm_buffers"] > 0  # running statistics are buffers, not parameters
    assert 0.85 < m["mlp_first_layer_share"] < 0.86


def test_dense_grows_with_the_image_conv_does_not(result: DemoResult) -> None:
    dense, conv = result.metrics["dense_params_by_side"], result.metrics["conv_params_by_side"]
    assert len(set(conv)) == 1
    assert all(b > 3.9 * a for a, b in itertools.pairwise(dense))  # x4 per doubling of the side


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['mlp_params']:,}" in result.takeaway
    assert f"{m['dense_params_by_side'][-1]:,}" in result.takeaway
    assert "exactly" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("parameter-count", seed=1).metrics
    assert m["all_exact"] is True and m["mlp_params"] == 235_146
