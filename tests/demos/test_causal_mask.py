"""causal-mask: without the mask a next-token model reads the answer in training and fails as a generator."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("causal-mask")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_without_the_mask_training_accuracy_beats_what_the_past_allows_and_generation_fails(
    result: DemoResult,
) -> None:
    m = result.metrics
    assert m["ceiling_accuracy"] == pytest.approx(0.7 + 0.3 / 16)
    assert m["unmasked_teacher_forced_accuracy"] > m["ceiling_accuracy"] + 0.15  # it reads the next token
    assert m["unmasked_generation_accuracy"] < 0.45
    assert m["unmasked_follows_rule"] < 0.5


def test_with_the_mask_teacher_forcing_equals_generation(result: DemoResult) -> None:
    m = result.metrics
    # the oracle: with the mask, position t's logits do not depend on later tokens at all
    assert m["masked_max_logit_gap"] < 1e-5
    assert m["masked_teacher_forced_accuracy"] == pytest.approx(m["masked_generation_accuracy"], abs=1e-9)
    assert m["masked_teacher_forced_accuracy"] <= m["ceiling_accuracy"] + 0.04  # no look-ahead to exploit
    assert m["masked_generation_accuracy"] > m["ceiling_accuracy"] - 0.05  # and it learned the rule
    assert m["masked_follows_rule"] > 0.95
    assert m["unmasked_max_logit_gap"] > 1.0


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{100 * m['unmasked_teacher_forced_accuracy']:.0f}%" in result.takeaway
    assert f"{100 * m['unmasked_generation_accuracy']:.0f}%" in result.takeaway
    assert f"{100 * m['masked_generation_accuracy']:.0f}%" in result.takeaway
    assert "above the" in result.takeaway and "identical" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("causal-mask", seed=1).metrics
    assert m["unmasked_teacher_forced_accuracy"] > m["ceiling_accuracy"] + 0.15
    assert m["unmasked_generation_accuracy"] < 0.45
    assert m["masked_max_logit_gap"] < 1e-5
    assert m["masked_generation_accuracy"] > m["ceiling_accuracy"] - 0.05
