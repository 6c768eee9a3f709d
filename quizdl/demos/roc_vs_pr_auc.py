"""ROC-AUC vs PR-AUC: at 1% positives the ROC curve still looks good while precision collapses.

One fixed scorer: positives get scores from N(mu, 1), negatives from N(0, 1), so its ranking quality is the
same on any test set and ROC-AUC = Phi(mu / sqrt(2)) in theory (the probability that a random positive
outscores a random negative). The scorer is evaluated on test sets of 20,000 examples with 50%, 10% and 1%
positives. ROC-AUC barely moves: both of its axes (TPR, FPR) are rates within one class, so the class ratio
cancels. Precision = TP / (TP + FP) does not: at 1% positives even a small false positive rate means false
positives outnumber the true ones, so PR-AUC (average precision) drops towards its chance level, which is
the prevalence itself.

Both areas are computed exactly from the sorted scores, here by hand rather than with a library:
ROC-AUC by the trapezoid rule over the ROC curve's corners (ties grouped), average precision as
sum_k (R_k - R_(k-1)) P_k over thresholds (the step-wise definition, no interpolation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded, thin, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_total: int = 20_000  # examples per test set
    prevalences: tuple[float, ...] = (0.5, 0.1, 0.01)  # share of positives in each test set
    mu: float = 2.0  # positive scores ~ N(mu, 1), negatives ~ N(0, 1)
    recall_point: float = 0.8  # operating point reported in the table
    chart_points: int = 150  # points per curve in the charts


def curve_points(scores: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
    """Cumulative true and false positives at each distinct threshold, strictest first (ties grouped)."""
    order = torch.argsort(scores, descending=True)
    s, y = scores[order], labels[order].float()
    tps = torch.cumsum(y, dim=0)
    fps = torch.cumsum(1.0 - y, dim=0)
    last_of_group = torch.ones_like(s, dtype=torch.bool)
    last_of_group[:-1] = s[1:] != s[:-1]  # a threshold takes every example with an equal score at once
    return tps[last_of_group], fps[last_of_group]


def roc_auc(scores: Tensor, labels: Tensor) -> float:
    """Area under the ROC curve (trapezoid rule from (0, 0) through every threshold to (1, 1))."""
    tps, fps = curve_points(scores, labels)
    zero = torch.zeros(1, device=scores.device)
    tpr = torch.cat([zero, tps / tps[-1]])
    fpr = torch.cat([zero, fps / fps[-1]])
    return float(torch.trapezoid(tpr, fpr).item())


def average_precision(scores: Tensor, labels: Tensor) -> float:
    """PR-AUC as average precision: sum over thresholds of (recall gained) x (precision there)."""
    tps, fps = curve_points(scores, labels)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    gained = torch.diff(recall, prepend=torch.zeros(1, device=scores.device))
    return float((gained * precision).sum().item())


@demo(
    "roc-vs-pr-auc",
    topic="evaluation",
    summary="one scorer at 50%, 10% and 1% positives: ROC-AUC stays high, PR-AUC (average precision) collapses",
)
def roc_vs_pr_auc(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)

    rows: list[list[object]] = []
    metrics: dict[str, float] = {}
    roc_series: list[Series] = []
    pr_series: list[Series] = []
    for i, prevalence in enumerate(cfg.prevalences):
        # 1. data: the same scorer (same per-class score distributions) on a test set with this class ratio
        n_pos = round(cfg.n_total * prevalence)
        n_neg = cfg.n_total - n_pos
        scores = torch.cat([cfg.mu + randn(gen, n_pos, device=ctx.device), randn(gen, n_neg, device=ctx.device)])
        labels = torch.cat([torch.ones(n_pos), torch.zeros(n_neg)]).to(ctx.device)
        # 2. the two areas, computed exactly
        auc = roc_auc(scores, labels)
        ap = average_precision(scores, labels)
        # 3. one operating point: the strictest threshold that reaches the target recall
        tps, fps = curve_points(scores, labels)
        k = int(torch.nonzero(tps >= cfg.recall_point * n_pos)[0].item())
        fpr_at, prec_at = float(fps[k].item()) / n_neg, float(tps[k].item() / (tps[k] + fps[k]).item())
        fp_per_tp = float(fps[k].item() / tps[k].item())
        rows.append([f"{prevalence:.0%}", n_pos, auc, ap, fpr_at, prec_at, fp_per_tp])
        key = f"{round(100 * prevalence)}pct"
        metrics[f"roc_auc_{key}"] = auc
        metrics[f"pr_auc_{key}"] = ap
        metrics[f"precision_at_recall_{key}"] = prec_at
        metrics[f"fpr_at_recall_{key}"] = fpr_at
        metrics[f"false_per_true_positive_{key}"] = fp_per_tp
        # 4. curves for the charts (the same evenly spaced thresholds for x and y)
        idx = torch.tensor([int(j) for j in thin(list(range(tps.shape[0])), cfg.chart_points)], device=ctx.device)
        tpr, fpr = tps / n_pos, fps / n_neg
        precision = tps / (tps + fps)
        roc_series.append(Series(f"{prevalence:.0%} positives", to_floats(tpr[idx]), x=to_floats(fpr[idx])))
        pr_series.append(Series(f"{prevalence:.0%} positives", to_floats(precision[idx]), x=to_floats(tpr[idx])))
        ctx.progress(f"{prevalence:.0%} positives", (i + 1) / len(cfg.prevalences))

    metrics["roc_auc_theory"] = 0.5 * (1 + math.erf(cfg.mu / 2))  # Phi(mu / sqrt 2)

    # 5. report: the balanced set against the rarest one
    hi, lo = f"{round(100 * cfg.prevalences[0])}pct", f"{round(100 * cfg.prevalences[-1])}pct"
    rare = f"{cfg.prevalences[-1]:.0%}"

    def num(key: str) -> float:
        return metrics[key]

    drop = num(f"pr_auc_{hi}") - num(f"pr_auc_{lo}")
    roc_shift = abs(num(f"roc_auc_{hi}") - num(f"roc_auc_{lo}"))
    verdict = (
        f"ROC-AUC moved by only {fmt(roc_shift)} while PR-AUC fell by {fmt(drop)}"
        if drop > 3 * roc_shift
        else f"here PR-AUC fell by {fmt(drop)} and ROC-AUC moved by {fmt(roc_shift)}"
    )
    takeaway = (
        f"The same scorer has ROC-AUC {fmt(num(f'roc_auc_{hi}'))} on a balanced test set and "
        f"{fmt(num(f'roc_auc_{lo}'))} at {rare} positives (theory {fmt(num('roc_auc_theory'))}), but its PR-AUC "
        f"drops from {fmt(num(f'pr_auc_{hi}'))} to {fmt(num(f'pr_auc_{lo}'))} (chance level: the prevalence, "
        f"{fmt(cfg.prevalences[-1])}): {verdict}. At {cfg.recall_point:.0%} recall the false positive rate is "
        f"{fmt(num(f'fpr_at_recall_{hi}'))} (balanced) and {fmt(num(f'fpr_at_recall_{lo}'))} ({rare}), but at {rare} "
        f"positives that means {fmt(num(f'false_per_true_positive_{lo}'))} false alarms per true positive "
        f"(precision {fmt(num(f'precision_at_recall_{lo}'))}, against {fmt(num(f'precision_at_recall_{hi}'))} "
        "balanced)."
    )
    return DemoResult(
        header=(
            f"One scorer (positives ~ N({cfg.mu:g}, 1), negatives ~ N(0, 1)) on test sets of {cfg.n_total} examples "
            "with 50%, 10% and 1% positives; ROC-AUC and PR-AUC (average precision) computed exactly from the "
            "sorted scores."
        ),
        columns=[
            "positives",
            "n positive",
            "ROC-AUC",
            "PR-AUC (AP)",
            f"FPR @{cfg.recall_point:.0%} recall",
            f"precision @{cfg.recall_point:.0%} recall",
            "FP per TP",
        ],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(title="ROC curves (TPR vs FPR): the same at every class ratio", series=roc_series, x_label="FPR"),
            Chart(title="precision-recall curves", series=pr_series, x_label="recall"),
        ],
    )
