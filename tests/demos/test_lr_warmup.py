"""lr-warmup: Adam at a large peak rate spikes early without warmup; linear warmup trains smoothly."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.lr_warmup import lr_factor
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("lr-warmup")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_schedule() -> None:
    assert lr_factor(0, 200, 50) == pytest.approx(1 / 50)
    assert lr_factor(49, 200, 50) == pytest.approx(1.0)
    assert lr_factor(50, 200, 50) == pytest.approx(1.0)
    assert lr_factor(125, 200, 50) == pytest.approx(0.5)
    assert lr_factor(0, 200, 0) == pytest.approx(1.0)  # no warmup: cosine from the start


def test_first_adam_step_is_about_lr_per_weight(result: DemoResult) -> None:
    m = result.metrics
    # Adam's first step moves every weight by ~lr, so it scales with the rate: warmup_steps x smaller with warmup
    assert m["first_update_no_warmup"] == pytest.approx(m["warmup_steps"] * m["first_update_warmup"], rel=0.02)
    assert m["first_update_no_warmup"] > 0.5


def test_spike_without_warmup_and_none_with_it(result: DemoResult) -> None:
    m = result.metrics
    assert m["spike_no_warmup"] > 5
    assert m["spike_warmup"] <= 1.0 + 1e-6
    assert m["spike_small_lr"] <= 1.0 + 1e-6


def test_warmup_gives_the_lowest_final_loss(result: DemoResult) -> None:
    m = result.metrics
    assert m["final_loss_no_warmup"] > 10 * m["final_loss_warmup"]
    assert m["final_loss_warmup"] < m["final_loss_small_lr"]


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["peak_loss_no_warmup"]) in result.takeaway
    assert fmt(m["final_loss_warmup"]) in result.takeaway
    assert fmt(m["final_loss_no_warmup"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    other = run_cpu("lr-warmup", seed=1)
    test_spike_without_warmup_and_none_with_it(other)
    test_warmup_gives_the_lowest_final_loss(other)
