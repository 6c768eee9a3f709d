"""roc-vs-pr-auc: at 1% positives ROC-AUC stays high while PR-AUC (average precision) collapses."""

from __future__ import annotations

import pytest
import torch

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from quizdl.demos.roc_vs_pr_auc import average_precision, roc_auc
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("roc-vs-pr-auc")


def _scores(seed: int, decimals: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    pos = 1.5 + torch.randn(300, generator=gen)
    neg = torch.randn(3000, generator=gen)
    scores = torch.cat([pos, neg])
    if decimals is not None:
        scores = torch.round(scores, decimals=decimals)  # many ties
    return scores, torch.cat([torch.ones(300), torch.zeros(3000)])


@pytest.mark.parametrize("decimals", [None, 1, 0])
def test_roc_auc_equals_the_mann_whitney_statistic(decimals: int | None) -> None:
    scores, labels = _scores(0, decimals)
    pos, neg = scores[labels == 1], scores[labels == 0]
    wins = (pos[:, None] > neg[None, :]).double() + 0.5 * (pos[:, None] == neg[None, :]).double()
    assert roc_auc(scores, labels) == pytest.approx(wins.mean().item(), abs=1e-5)


@pytest.mark.parametrize("decimals", [None, 1, 0])
def test_average_precision_is_the_mean_precision_at_each_positive(decimals: int | None) -> None:
    scores, labels = _scores(1, decimals)
    pos = scores[labels == 1]
    at_or_above = scores[None, :] >= pos[:, None]  # everything flagged at the threshold of each positive
    precision = (at_or_above & (labels[None, :] == 1)).sum(1).double() / at_or_above.sum(1).double()
    assert average_precision(scores, labels) == pytest.approx(precision.mean().item(), abs=1e-5)


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_roc_auc_is_insensitive_to_the_class_ratio(result: DemoResult) -> None:
    m = result.metrics
    assert m["roc_auc_theory"] == pytest.approx(0.9214, abs=1e-4)  # Phi(2 / sqrt 2)
    for key in ("50pct", "10pct", "1pct"):
        assert m[f"roc_auc_{key}"] == pytest.approx(m["roc_auc_theory"], abs=0.02)


def test_pr_auc_collapses_at_one_percent_positives(result: DemoResult) -> None:
    m = result.metrics
    assert m["pr_auc_50pct"] > 0.88
    assert m["pr_auc_1pct"] < 0.4
    assert m["pr_auc_50pct"] > m["pr_auc_10pct"] > m["pr_auc_1pct"] > 0.01  # still above chance
    # same false positive rate at 80% recall, but false alarms swamp the true positives when positives are rare
    assert m["fpr_at_recall_1pct"] == pytest.approx(m["fpr_at_recall_50pct"], abs=0.04)
    assert m["precision_at_recall_50pct"] > 0.8
    assert m["precision_at_recall_1pct"] < 0.1
    assert m["false_per_true_positive_1pct"] > 8


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"ROC-AUC {fmt(m['roc_auc_50pct'])} on a balanced test set" in result.takeaway
    assert f"drops from {fmt(m['pr_auc_50pct'])} to {fmt(m['pr_auc_1pct'])}" in result.takeaway
    assert "moved by only" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("roc-vs-pr-auc", seed=1).metrics
    assert m["roc_auc_1pct"] > 0.88
    assert m["pr_auc_1pct"] < 0.4
    assert m["pr_auc_50pct"] > 0.88
