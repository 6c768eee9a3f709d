"""k-fold spread: one random train/validation split is a noisy estimate; the k-fold mean is much steadier.

A single small data set (100 labelled points, 10 features, labels from a noisy logistic model) and one
cheap model, a ridge least-squares classifier (closed form, so thousands of fits cost nothing). The data
set is reshuffled with many seeds; for each shuffle we estimate accuracy three ways:

- one random 80/20 split: train on 80, score the 20 held-out points;
- 5-fold cross-validation: five 80/20 fits, every point held out once, the five scores averaged;
- 10-fold cross-validation: ten 90/10 fits, averaged.

The single split's score depends on which 20 points happened to land in validation (each held-out point is
worth 5 points of accuracy), so it swings widely from seed to seed; k-fold averages over every point, so its
mean moves far less. The single split is literally fold 1 of the 5-fold run, so the comparison is paired.
(This spread is over reshuffles of one data set; a new data set would add its own variance to every
estimate.) A large fresh sample gives the accuracy of the model trained on all 100 points, for reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, rand, randn, seeded, thin, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_samples: int = 100  # the one data set
    dim: int = 10  # features
    signal: float = 1.5  # norm of the true logistic weight vector (sets the attainable accuracy)
    ridge: float = 1.0  # ridge penalty of the least-squares classifier
    repeats: int = 200  # reshuffles (seeds) of the same data set
    folds: tuple[int, ...] = (5, 10)  # k for k-fold cross-validation
    n_fresh: int = 20_000  # fresh points to measure the reference accuracy


def _fit(x: Tensor, y: Tensor, ridge: float) -> Tensor:
    """Ridge least squares on +-1 labels with an intercept, batched over leading dims: weights (..., d + 1)."""
    a = torch.cat([x, torch.ones(*x.shape[:-1], 1, device=x.device)], dim=-1)
    eye = torch.eye(a.shape[-1], device=x.device)
    eye[-1, -1] = 0.0  # leave the intercept unpenalized
    gram = a.transpose(-1, -2) @ a + ridge * eye
    return torch.linalg.solve(gram, (a.transpose(-1, -2) @ y[..., None]))[..., 0]


def _accuracy(w: Tensor, x: Tensor, y: Tensor) -> Tensor:
    """Accuracy of sign(x w + b) against +-1 labels, batched: (...)."""
    pred = torch.where((x @ w[..., :-1, None])[..., 0] + w[..., -1:] > 0, 1.0, -1.0)
    return (pred == y).float().mean(dim=-1)


def _kfold(x: Tensor, y: Tensor, perms: Tensor, k: int, ridge: float) -> Tensor:
    """Accuracy on each fold of k-fold CV for every shuffle: (repeats, k). Fold j holds out positions j*m..."""
    n = x.shape[0]
    m = n // k
    positions = torch.arange(n, device=x.device)
    val_pos = positions[: m * k].view(k, m)  # (k, m) positions in the shuffled order
    train_pos = torch.stack([torch.cat([positions[: j * m], positions[(j + 1) * m :]]) for j in range(k)])
    train_idx, val_idx = perms[:, train_pos], perms[:, val_pos]  # (R, k, n - m), (R, k, m)
    w = _fit(x[train_idx], y[train_idx], ridge)  # (R, k, d + 1)
    return _accuracy(w, x[val_idx], y[val_idx])


@demo(
    "kfold-spread",
    topic="evaluation",
    summary="one data set reshuffled 200 times: a single 80/20 split's accuracy swings widely; the k-fold mean less",
)
def kfold_spread(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)

    # 1. data: one small data set with labels from a noisy logistic model, and a large fresh sample
    w_true = randn(gen, cfg.dim, device=ctx.device)
    w_true = cfg.signal * w_true / w_true.norm()

    def sample(n: int) -> tuple[Tensor, Tensor]:
        x = randn(gen, n, cfg.dim, device=ctx.device)
        p = torch.sigmoid(x @ w_true)
        return x, torch.where(rand(gen, n, device=ctx.device) < p, 1.0, -1.0)

    x, y = sample(cfg.n_samples)
    x_fresh, y_fresh = sample(cfg.n_fresh)
    reference = float(_accuracy(_fit(x, y, cfg.ridge), x_fresh, y_fresh).item())

    # 2. reshuffles: one permutation of the data set per seed
    perms = torch.argsort(rand(gen, cfg.repeats, cfg.n_samples, device=ctx.device), dim=1)

    # 3. estimates per shuffle: fold 1 of 5-fold is the single 80/20 split; the k-fold means
    estimates: dict[str, Tensor] = {}
    for i, k in enumerate(cfg.folds):
        per_fold = _kfold(x, y, perms, k, cfg.ridge)
        if i == 0:
            estimates[f"one {100 - 100 // k}/{100 // k} split"] = per_fold[:, 0]
        estimates[f"{k}-fold CV mean"] = per_fold.mean(dim=1)
        ctx.progress(f"{k}-fold", (i + 1) / len(cfg.folds))

    # 4. report: spread over reshuffles
    names = list(estimates)
    stats = {
        name: {
            "mean": float(v.mean().item()),
            "std": float(v.std().item()),
            "min": float(v.min().item()),
            "max": float(v.max().item()),
        }
        for name, v in estimates.items()
    }
    rows: list[list[object]] = [
        [name, cfg.repeats, s["mean"], s["std"], s["min"], s["max"]] for name, s in stats.items()
    ]
    rows.append([f"fresh {cfg.n_fresh} points, model fit on all {cfg.n_samples}", "-", reference, "-", "-", "-"])
    single, five, ten = (stats[name] for name in names)
    metrics = {
        "std_single_split": single["std"],
        "std_5fold": five["std"],
        "std_10fold": ten["std"],
        "mean_single_split": single["mean"],
        "mean_5fold": five["mean"],
        "mean_10fold": ten["mean"],
        "range_single_split": single["max"] - single["min"],
        "range_5fold": five["max"] - five["min"],
        "reference_accuracy": reference,
        "std_ratio_single_over_5fold": single["std"] / five["std"] if five["std"] > 0 else float("inf"),
    }
    ratio = metrics["std_ratio_single_over_5fold"]
    compare = (
        f"{fmt(ratio)} times the spread of the 5-fold mean (std {fmt(five['std'])})"
        if ratio > 1
        else f"no more than the 5-fold mean's spread (std {fmt(five['std'])})"
    )
    gap = reference - five["mean"]
    if abs(gap) < 0.02:
        closeness = ", about the same"
    elif 0 < gap < 0.06:
        closeness = f", a little more, as it trains on all {cfg.n_samples} points rather than 80"
    else:
        closeness = f", {fmt(100 * abs(gap))} points {'above' if gap > 0 else 'below'} the 5-fold mean"
    means = [single["mean"], five["mean"], ten["mean"]]
    agree = "On average they agree" if max(means) - min(means) < 0.03 else "Their averages differ"
    takeaway = (
        f"Over {cfg.repeats} reshuffles of the same {cfg.n_samples} points, one 80/20 split scored anywhere from "
        f"{single['min']:.0%} to {single['max']:.0%} (std {fmt(single['std'])}), {compare}, which stayed within "
        f"{five['min']:.0%}-{five['max']:.0%}; 10-fold's std is {fmt(ten['std'])}. {agree} "
        f"({single['mean']:.1%}, {five['mean']:.1%}, {ten['mean']:.1%}; the model fit on all the data scores "
        f"{reference:.1%} on fresh data{closeness}): the k-fold mean is the same estimate with most of the luck of "
        "the split averaged out."
    )
    return DemoResult(
        header=(
            f"A ridge least-squares classifier on one data set of {cfg.n_samples} points, reshuffled {cfg.repeats} "
            "times: the accuracy estimate of a single 80/20 split vs the mean of 5-fold and 10-fold "
            "cross-validation, and how much each varies from shuffle to shuffle."
        ),
        columns=["estimate", "shuffles", "mean accuracy", "std over shuffles", "min", "max"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="accuracy estimate per shuffle, sorted",
                series=[Series(name, thin(sorted(to_floats(v)))) for name, v in estimates.items()],
                x_label="shuffle (sorted by estimate)",
            )
        ],
    )
