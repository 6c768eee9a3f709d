"""sampling-decoding: greedy and beam search loop and pick bland text; temperature, top-k, top-p and min-p."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("sampling-decoding")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def _check(m: dict) -> None:
    # greedy and beam search fall into loops; sampling does not
    assert m["repeat3_greedy"] > 0.5 and m["repeat3_beam"] > 0.4
    assert m["repeat3_t1"] < 0.1 and m["repeat3_top_p"] < 0.15
    assert m["distinct2_greedy"] < 0.1 < 0.2 < m["distinct2_t1"]
    # a repetition penalty breaks greedy's loops but not its determinism
    assert m["repeat3_penalized"] < 0.5 * m["repeat3_greedy"]
    assert m["nll_penalized"] < m["nll_t1"]
    assert m["distinct2_penalized"] < 0.5 * m["distinct2_t1"]
    # deterministic decoding picks likelier (blander) text than sampling; beam finds likelier text than greedy
    assert m["nll_beam"] < m["nll_greedy"] < m["nll_t1"] - 0.5
    # temperature orders the entropy; high temperature samples from the tail
    assert m["entropy_t07"] < m["entropy_t1"] < m["entropy_t16"]
    assert m["tail_t16"] > 2 * m["tail_t1"] > 0.05
    # truncation keeps roughly its share of the mass and cuts the tail
    assert 0.9 <= m["mass_top_p"] < 0.95
    assert m["tail_top_p"] == 0.0  # the 0.9 nucleus is a subset of the 0.95 nucleus
    assert m["tail_min_p"] < 0.005
    assert m["tail_top_k"] < 0.2 * m["tail_t1"]
    assert m["entropy_top_p"] < m["entropy_t1"] and m["entropy_top_k"] < m["entropy_t1"]
    # the nucleus adapts to the shape of each step's distribution
    assert m["nucleus_size_max"] >= 3 * m["nucleus_size_min"]
    # the sweep: entropy rises with temperature, repetition falls
    ent, rep = m["sweep_entropy"], m["sweep_repeat3"]
    assert all(b > a for a, b in itertools.pairwise(ent))
    assert rep[0] > 5 * max(rep[-1], 0.005)


def test_decoding_trade_offs(result: DemoResult) -> None:
    _check(result.metrics)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['repeat3_greedy']:.0f}%" in result.takeaway
    assert fmt(m["entropy_t16"]) in result.takeaway
    assert f"{100 * m['tail_t16']:.1f}%" in result.takeaway
    assert "Truncation removes the tail" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    _check(run_cpu("sampling-decoding", seed=1).metrics)
