"""Data leakage: feature selection fitted on all the data makes pure noise look predictive.

Every feature is Gaussian noise and every label a fair coin flip, so no model can beat 50% on new data.
With many candidate features and few samples, some features correlate with the labels by chance. Picking
the k most label-correlated features on ALL the samples and only then running 5-fold cross-validation
lets the validation folds' labels choose the features: the folds are no longer unseen, and the
cross-validated accuracy climbs far above chance. Fitting the selection inside each fold, on its training
part only (the pipeline way), gives back about 50%. A fresh sample from the same distribution confirms it:
the leaky model scores chance on data it truly never saw.

The classifier is a nearest-centroid rule on the selected features (closed form, no training loop), and
everything is vectorized over repetitions (independent noise data sets) and folds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, rand, randn, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_samples: int = 40  # samples per data set (few)
    n_features: int = 2000  # candidate noise features (many)
    k_selected: int = 10  # features kept by the selection step
    folds: int = 5  # cross-validation folds
    repetitions: int = 20  # independent noise data sets, averaged
    n_fresh: int = 200  # fresh samples per data set, to check the leaky model on truly unseen data
    sweep: tuple[int, ...] = (10, 30, 100, 300, 1000)  # smaller candidate-feature counts, for the contrast


def _top_k(x: Tensor, y: Tensor, weight: Tensor, k: int) -> Tensor:
    """Indices of the k features with the largest |covariance| with the +-1 labels over the weighted rows.

    x: (R, n, p), y: (R, n), weight: (R or 1, F, n) 0/1 rows to use. Returns (R, F, k).
    """
    count = weight.sum(dim=-1, keepdim=True)  # (R, F, 1)
    wy = weight * y[:, None, :]  # (R, F, n)
    y_mean = wy.sum(dim=-1, keepdim=True) / count
    # sum_i w_i (y_i - ybar) x_ij  =  cov(x_j, y) up to a positive factor
    centred = weight * (y[:, None, :] - y_mean)
    score = torch.einsum("rfn,rnp->rfp", centred, x).abs()
    return score.topk(k, dim=-1).indices


def _centroid_accuracy(x: Tensor, y: Tensor, train: Tensor, test_x: Tensor, test_y: Tensor, idx: Tensor) -> Tensor:
    """Nearest-centroid classifier on the selected features: fit on `train` rows, accuracy on the test rows.

    x: (R, n, p), train: (R or 1, F, n) 0/1, idx: (R, F, k); test_x: (R, F, m, p) and test_y: (R, F, m).
    Returns the accuracy per repetition and fold, (R, F).
    """
    r, f, k = idx.shape
    xs = torch.gather(x[:, None].expand(r, f, *x.shape[1:]), 3, idx[:, :, None, :].expand(r, f, x.shape[1], k))
    pos = train * (y[:, None, :] > 0)
    neg = train * (y[:, None, :] < 0)
    mu_pos = (pos[..., None] * xs).sum(2) / pos.sum(-1, keepdim=True).clamp_min(1)  # (R, F, k)
    mu_neg = (neg[..., None] * xs).sum(2) / neg.sum(-1, keepdim=True).clamp_min(1)
    tx = torch.gather(test_x, 3, idx[:, :, None, :].expand(r, f, test_x.shape[2], k))
    d_pos = ((tx - mu_pos[:, :, None]) ** 2).sum(-1)
    d_neg = ((tx - mu_neg[:, :, None]) ** 2).sum(-1)
    pred = torch.where(d_pos < d_neg, 1.0, -1.0)
    return (pred == test_y).float().mean(-1)


def _cross_validate(
    x: Tensor, y: Tensor, fold_of: Tensor, cfg: Config, k: int, fresh_x: Tensor, fresh_y: Tensor
) -> dict[str, Tensor]:
    """Leaky CV (select on all rows), proper CV (select on each training fold), leaky model on fresh data."""
    r, n, _p = x.shape
    device = x.device
    fold_ids = torch.arange(cfg.folds, device=device)
    val = (fold_of[None, :] == fold_ids[:, None]).float()[None]  # (1, F, n): validation rows of each fold
    train = 1.0 - val
    everything = torch.ones(1, 1, n, device=device)
    m = n // cfg.folds
    # the validation rows of each fold as a (R, F, m, p) block (folds have equal size)
    order = torch.argsort(fold_of, stable=True).view(cfg.folds, m)
    val_x = x[:, order]  # (R, F, m, p)
    val_y = y[:, order]
    # 1. leaky: select once on all n rows (validation labels included), then cross-validate the classifier
    idx_all = _top_k(x, y, everything, k).expand(r, cfg.folds, k)
    leaky = _centroid_accuracy(x, y, train, val_x, val_y, idx_all).mean(-1)
    # 2. proper: select inside each fold on its training rows only
    idx_fold = _top_k(x, y, train.expand(r, -1, -1), k)
    proper = _centroid_accuracy(x, y, train, val_x, val_y, idx_fold).mean(-1)
    # 3. the leaky pipeline's final model (selected and fitted on all rows) on fresh samples
    fresh = _centroid_accuracy(x, y, everything, fresh_x[:, None], fresh_y[:, None], idx_all[:, :1])[:, 0]
    return {"leaky": leaky, "proper": proper, "fresh": fresh}


@demo(
    "data-leakage",
    topic="data",
    summary="feature selection fitted before the split: noise scores far above chance in CV; inside the folds, ~50%",
)
def data_leakage(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    counts = (*cfg.sweep, cfg.n_features)  # candidate features per run; the last is the headline
    gen = seeded(ctx)
    report = ticker(ctx, "cross-validating")

    # 1. data: pure-noise features, fair-coin labels (exactly half positive per data set), fresh samples too
    def labels(rows: int, count: int) -> Tensor:
        base = torch.tensor([1.0, -1.0]).repeat(count // 2)
        perm = torch.argsort(torch.rand(rows, count, generator=gen), dim=1)
        return base[perm].to(ctx.device)

    x_all = randn(gen, cfg.repetitions, cfg.n_samples, max(counts), device=ctx.device)
    y = labels(cfg.repetitions, cfg.n_samples)
    fresh_all = randn(gen, cfg.repetitions, cfg.n_fresh, x_all.shape[2], device=ctx.device)
    fresh_y = torch.where(rand(gen, cfg.repetitions, cfg.n_fresh, device=ctx.device) < 0.5, 1.0, -1.0)
    # 2. folds: a fixed random assignment of rows to 5 equal folds
    fold_of = torch.arange(cfg.n_samples, device=ctx.device) % cfg.folds
    fold_of = fold_of[torch.randperm(cfg.n_samples, generator=gen).to(ctx.device)]

    # 3. cross-validate with more and more candidate features (the last is the headline setting)
    sweep: dict[str, list[float]] = {"leaky": [], "proper": [], "fresh": []}
    spread: dict[str, float] = {}
    for i, p in enumerate(counts):
        res = _cross_validate(x_all[..., :p], y, fold_of, cfg, min(cfg.k_selected, p), fresh_all[..., :p], fresh_y)
        for key in sweep:
            sweep[key].append(float(res[key].mean().item()))
            spread[key] = float(res[key].std().item())
        report((i + 1) / len(counts))

    # 4. report
    mean = {key: values[-1] for key, values in sweep.items()}
    rows: list[list[object]] = [
        [p, sweep["leaky"][i], sweep["proper"][i], sweep["fresh"][i]] for i, p in enumerate(counts)
    ]
    metrics = {
        "leaky_cv_accuracy": mean["leaky"],
        "proper_cv_accuracy": mean["proper"],
        "fresh_accuracy_of_leaky_model": mean["fresh"],
        "leaky_cv_accuracy_std": spread["leaky"],
        "proper_cv_accuracy_std": spread["proper"],
        "sweep_features": list(counts),
        "sweep_leaky": sweep["leaky"],
        "sweep_proper": sweep["proper"],
    }
    gap = mean["leaky"] - mean["proper"]
    if gap > 0.1:
        verdict = (
            f"The leak is worth {fmt(100 * gap)} points of pure illusion: the labels of the validation folds "
            "picked the features."
        )
    else:
        verdict = f"Here the leak added only {fmt(100 * gap)} points."
    takeaway = (
        f"On random labels, selecting {cfg.k_selected} of {cfg.n_features} noise features on all "
        f"{cfg.n_samples} samples before 5-fold CV gives {mean['leaky']:.0%} cross-validated accuracy; selecting "
        f"inside each fold gives {mean['proper']:.0%}, and the leaky model scores {mean['fresh']:.0%} on fresh "
        f"samples (chance is 50%). {verdict} With only {counts[0]} candidate features (nothing to choose) the "
        f"two agree: {sweep['leaky'][0]:.0%} vs {sweep['proper'][0]:.0%}."
    )
    log_counts = [math.log10(p) for p in counts]
    return DemoResult(
        header=(
            f"{cfg.repetitions} data sets of {cfg.n_samples} samples with {cfg.n_features} pure-noise features and "
            f"coin-flip labels; a nearest-centroid classifier on the {cfg.k_selected} features most correlated with "
            "the label, chosen on all the data (leaky) or inside each CV fold (proper)."
        ),
        columns=["candidate features", "leaky CV accuracy", "proper CV accuracy", "leaky model, fresh data"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="5-fold CV accuracy on random labels vs candidate features",
                series=[
                    Series("leaky CV", sweep["leaky"], x=log_counts),
                    Series("proper CV", sweep["proper"], x=log_counts),
                    Series("leaky model, fresh data", sweep["fresh"], x=log_counts),
                ],
                x_label="log10(candidate features)",
            )
        ],
    )
