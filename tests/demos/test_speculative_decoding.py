"""speculative-decoding: the accept/reject rule samples exactly p; acceptance is sum min(p, q); tokens per call."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("speculative-decoding")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def _check_single_token(m: dict) -> None:
    # the rule's output is p: its TV is at the level of sampling p directly; the naive draft's is near TV(p, q)
    assert m["tv_speculative"] < 2.5 * m["tv_sampling_noise"] + 0.002
    assert m["tv_speculative"] < 0.01
    assert m["tv_p_q"] > 0.1
    assert abs(m["tv_naive_draft"] - m["tv_p_q"]) < 0.01
    # acceptance rate = sum min(p, q) = 1 - TV(p, q)
    assert abs(m["accept_rate"] - m["sum_min_p_q"]) < 0.006
    assert m["sum_min_p_q"] == pytest.approx(1 - m["tv_p_q"], abs=1e-5)


def _check_bigram(m: dict) -> None:
    tpc, pred = m["tokens_per_call"], m["tokens_per_call_predicted"]
    assert all(b > a for a, b in itertools.pairwise(tpc))  # longer drafts: more tokens per target call
    assert tpc[0] > 1.5  # even gamma=1 beats one token per call
    for t, p in zip(tpc, pred, strict=True):
        assert t == pytest.approx(p, rel=0.03)  # (1 - a^(g+1)) / (1 - a) at the measured acceptance
        assert t < 1 + max(m["gammas"])
    # transitions emitted speculatively follow P as well as plain decoding; the draft alone does not
    for tv in m["tv_transitions_speculative"]:
        assert tv < 1.4 * m["tv_transitions_direct"] + 0.01
        assert m["tv_transitions_draft_only"] > 4 * tv


def test_accept_reject_outputs_the_target_distribution(result: DemoResult) -> None:
    _check_single_token(result.metrics)


def test_tokens_per_target_call_follow_the_formula(result: DemoResult) -> None:
    _check_bigram(result.metrics)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["tv_speculative"]) in result.takeaway
    assert fmt(m["accept_rate"]) in result.takeaway
    assert fmt(max(m["tokens_per_call"])) in result.takeaway
    assert "matches" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("speculative-decoding", seed=1).metrics
    _check_single_token(m)
    _check_bigram(m)
