"""kfold-spread: one random split's accuracy varies a lot across reshuffles; the k-fold mean varies far less."""

from __future__ import annotations

import pytest
import torch

from quizdl.demos.common import fmt
from quizdl.demos.kfold_spread import _accuracy, _fit, _kfold
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("kfold-spread")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_single_split_spreads_far_more_than_the_kfold_mean(result: DemoResult) -> None:
    m = result.metrics
    # 20 held-out points: binomial noise alone gives a std near sqrt(0.7 * 0.3 / 20) = 0.10
    assert 0.07 < m["std_single_split"] < 0.14
    assert m["std_single_split"] > 2.5 * m["std_5fold"]
    assert m["std_10fold"] < m["std_5fold"]
    assert m["range_single_split"] > 2 * m["range_5fold"]


def test_the_estimates_agree_on_average(result: DemoResult) -> None:
    m = result.metrics
    assert m["mean_single_split"] == pytest.approx(m["mean_5fold"], abs=0.03)
    assert m["mean_10fold"] == pytest.approx(m["mean_5fold"], abs=0.03)
    assert m["reference_accuracy"] == pytest.approx(m["mean_5fold"], abs=0.06)


def test_kfold_matches_an_explicit_loop_over_folds() -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(50, 4, generator=gen)
    y = torch.where(x[:, 0] + 0.8 * torch.randn(50, generator=gen) > 0, 1.0, -1.0)
    perms = torch.stack([torch.randperm(50, generator=gen) for _ in range(3)])
    batched = _kfold(x, y, perms, 5, 1.0)
    for r in range(3):
        held_out = torch.zeros(50, dtype=torch.long)
        for j in range(5):
            val = perms[r, j * 10 : (j + 1) * 10]
            mask = torch.ones(50, dtype=torch.bool)
            mask[val] = False
            held_out[val] += 1
            expected = _accuracy(_fit(x[mask], y[mask], 1.0), x[val], y[val])
            assert batched[r, j].item() == pytest.approx(expected.item(), abs=1e-6)
        assert torch.all(held_out == 1)  # every point validated exactly once


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"(std {fmt(m['std_single_split'])})" in result.takeaway
    assert f"5-fold mean (std {fmt(m['std_5fold'])})" in result.takeaway
    assert f"{fmt(m['std_ratio_single_over_5fold'])} times the spread" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("kfold-spread", seed=1).metrics
    assert m["std_single_split"] > 2.5 * m["std_5fold"]
    assert m["std_10fold"] < m["std_5fold"]
