"""Bagging reduces variance, boosting reduces bias: measured across many resampled training sets.

A 1-D regression target f(x) = sin(2 pi x) + 0.5 sin(6 pi x) on [0, 1] is observed with noise (std 0.3).
We draw many independent training sets and, on each, fit:
  - a 1-nearest-neighbour regressor (it interpolates the noise: low bias, high variance) and its bagged
    version (the average of 1-NN fits on bootstrap samples drawn with replacement);
  - a regression stump (one split: high bias, low variance), its bagged version, and gradient boosting of
    stumps (each new stump fitted to the residuals y - F(x) of the ensemble so far, added with shrinkage).
Across the training sets, at every test point, bias^2 = (mean prediction - f)^2 and variance = the spread
of the predictions. Bagging shrinks the 1-NN variance but cannot fix a stump's bias; boosting drives the
stump's bias down round after round, at the price of some variance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, rand, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_train: int = 60  # points per training set
    n_sets: int = 30  # independent training sets (for bias and variance)
    n_test: int = 200  # test points on an even grid over [0, 1]
    noise: float = 0.3  # std of the label noise
    bags: int = 20  # bootstrap samples per bagged model
    rounds: int = 100  # boosting rounds
    shrinkage: float = 0.2  # boosting learning rate: each stump is added times this


def _target(x: Tensor) -> Tensor:
    return torch.sin(2 * math.pi * x) + 0.5 * torch.sin(6 * math.pi * x)


def _nn1(x: Tensor, y: Tensor, idx: Tensor, xq: Tensor) -> Tensor:
    """1-NN predictions at the query points xq (sets, t) from the bootstrap samples idx (sets, bags, n) of
    each training set (x, y) (sets, n). Returns (sets, bags, t)."""
    xb = torch.gather(x.unsqueeze(1).expand_as(idx), 2, idx)
    yb = torch.gather(y.unsqueeze(1).expand_as(idx), 2, idx)
    nearest = (xq[:, None, :, None] - xb.unsqueeze(2)).abs().argmin(dim=3)  # (sets, bags, t)
    return torch.gather(yb, 2, nearest)


def _stump(xs: Tensor, ys: Tensor, counts: Tensor, xt: Tensor) -> tuple[Tensor, Tensor]:
    """Least-squares stumps, batched. xs (..., n) sorted ascending, ys matching, counts (..., n) the weight of
    each point (bootstrap multiplicity). Returns predictions at the training points (..., n) and at xt (..., t)."""
    cy, cn = torch.cumsum(counts * ys, -1), torch.cumsum(counts, -1)
    total_y, total_n = cy[..., -1:], cn[..., -1:]
    left_y, left_n = cy[..., :-1], cn[..., :-1]  # split after sorted position j
    right_y, right_n = total_y - left_y, total_n - left_n
    valid = (left_n > 0) & (right_n > 0) & (xs[..., 1:] > xs[..., :-1])
    gain = left_y**2 / left_n.clamp_min(1e-12) + right_y**2 / right_n.clamp_min(1e-12)  # maximise = min SSE
    j = torch.where(valid, gain, torch.full_like(gain, -torch.inf)).argmax(dim=-1, keepdim=True)
    mean_l = torch.gather(left_y, -1, j) / torch.gather(left_n, -1, j)
    mean_r = torch.gather(right_y, -1, j) / torch.gather(right_n, -1, j)
    thr = 0.5 * (torch.gather(xs, -1, j) + torch.gather(xs, -1, j + 1))
    at_train = torch.where(xs <= thr, mean_l, mean_r)
    at_test = torch.where(xt <= thr, mean_l, mean_r)
    return at_train, at_test


def _bias_variance(pred: Tensor, ft: Tensor) -> tuple[float, float]:
    """pred (sets, t): bias^2 and variance across the training sets, averaged over test points."""
    mean = pred.mean(dim=0)
    return float((mean - ft).pow(2).mean().item()), float((pred - mean).pow(2).mean().item())


@demo(
    "bagging-vs-boosting",
    topic="fundamentals",
    summary="bias^2 and variance over resampled data: bagging cuts 1-NN variance, boosting cuts a stump's bias",
)
def bagging_vs_boosting(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device
    s, n, b = cfg.n_sets, cfg.n_train, cfg.bags

    # 1. data: independent training sets (sorted by x, for the stumps) and an even test grid
    x = rand(gen, s, n, device=dev).sort(dim=1).values
    y = _target(x) + cfg.noise * randn(gen, s, n, device=dev)
    xt = torch.linspace(0, 1, cfg.n_test, device=dev)
    ft = _target(xt)
    noise2 = cfg.noise**2
    boot = torch.randint(0, n, (s, b, n), generator=gen).to(dev)  # bootstrap samples, with replacement
    counts = torch.zeros(s, b, n, device=dev).scatter_add_(2, boot, torch.ones(s, b, n, device=dev))

    results: dict[str, dict[str, float]] = {}

    def record(name: str, pred_test: Tensor, pred_train: Tensor) -> None:
        b2, var = _bias_variance(pred_test, ft)
        results[name] = {
            "bias2": b2,
            "variance": var,
            "test_mse": b2 + var + noise2,  # expected squared error on a fresh noisy label
            "train_mse": float((pred_train - y).pow(2).mean().item()),
        }

    # 2. 1-NN, single (the full training set) and bagged (the average over bootstrap samples)
    identity = torch.arange(n, device=dev).expand(s, 1, n)
    grid = xt.expand(s, -1)
    record("1-NN", _nn1(x, y, identity, grid)[:, 0], y)
    record(f"bagged 1-NN ({b} bootstraps)", _nn1(x, y, boot, grid).mean(dim=1), _nn1(x, y, boot, x).mean(dim=1))
    ctx.progress("stumps", 0.3)

    # 3. stumps: single, bagged, boosted
    ones = torch.ones(s, n, device=dev)
    stump_train, stump_test = _stump(x, y, ones, xt)
    record("stump", stump_test, stump_train)
    bag_train, bag_test = _stump(x.unsqueeze(1).expand(s, b, n), y.unsqueeze(1).expand(s, b, n), counts, xt)
    record(f"bagged stumps ({b} bootstraps)", bag_test.mean(dim=1), bag_train.mean(dim=1))
    fit_train = torch.zeros(s, n, device=dev)
    fit_test = torch.zeros(s, cfg.n_test, device=dev)
    curve_b2, curve_var = [], []
    rounds = ctx.steps_or(cfg.rounds)
    for r in range(rounds):
        step_train, step_test = _stump(x, y - fit_train, ones, xt)  # fit the residuals
        fit_train = fit_train + cfg.shrinkage * step_train
        fit_test = fit_test + cfg.shrinkage * step_test
        b2, var = _bias_variance(fit_test, ft)
        curve_b2.append(b2)
        curve_var.append(var)
        if (r + 1) % 20 == 0:
            ctx.progress("boosting", 0.3 + 0.7 * (r + 1) / rounds)
    record(f"boosted stumps ({rounds} rounds)", fit_test, fit_train)

    # 4. report
    names = list(results)
    nn, bag_nn, stump, bag_stump, boost = (results[k] for k in names)
    rows = [[k, v["train_mse"], v["bias2"], v["variance"], v["test_mse"]] for k, v in results.items()]
    metrics = {
        "noise2": noise2,
        "nn_bias2": nn["bias2"],
        "nn_variance": nn["variance"],
        "bagged_nn_bias2": bag_nn["bias2"],
        "bagged_nn_variance": bag_nn["variance"],
        "stump_bias2": stump["bias2"],
        "stump_variance": stump["variance"],
        "bagged_stump_bias2": bag_stump["bias2"],
        "bagged_stump_variance": bag_stump["variance"],
        "boosted_bias2": boost["bias2"],
        "boosted_variance": boost["variance"],
        "test_mse": {k: v["test_mse"] for k, v in results.items()},
        "boosting_bias2_curve": curve_b2,
    }
    cut_var = 1 - bag_nn["variance"] / nn["variance"]
    cut_bias = 1 - boost["bias2"] / stump["bias2"]
    takeaway = (
        f"Bagging {b} bootstrap 1-NN fits "
        + (f"cut the variance by {cut_var:.0%}" if cut_var > 0 else "did not cut the variance")
        + f" ({fmt(nn['variance'])} -> {fmt(bag_nn['variance'])}, bias^2 {fmt(nn['bias2'])} -> "
        f"{fmt(bag_nn['bias2'])}) and the expected test MSE from {fmt(nn['test_mse'])} to {fmt(bag_nn['test_mse'])}. "
        f"Bagging stumps leaves their bias^2 at {fmt(bag_stump['bias2'])} (single: {fmt(stump['bias2'])}): "
        f"averaging cannot fix bias. Boosting {rounds} stumps on the residuals "
        + (f"cuts the bias^2 by {cut_bias:.0%}" if cut_bias > 0 else "does not cut the bias^2")
        + f" ({fmt(stump['bias2'])} -> {fmt(boost['bias2'])}) while the variance "
        + (
            "grows"
            if boost["variance"] > 1.1 * stump["variance"]
            else "falls"
            if boost["variance"] < 0.9 * stump["variance"]
            else "stays about the same"
        )
        + f" ({fmt(stump['variance'])} -> {fmt(boost['variance'])}); test MSE {fmt(stump['test_mse'])} -> "
        f"{fmt(boost['test_mse'])} (noise floor {fmt(noise2)})."
    )
    return DemoResult(
        header=(
            f"{s} independent noisy training sets of {n} points; on each, 1-NN and a stump, bagged ({b} "
            f"bootstrap samples) and, for the stump, boosted ({rounds} rounds on the residuals). Bias^2 and "
            "variance of the predictions across the training sets; test MSE = bias^2 + variance + noise^2."
        ),
        columns=["model", "train MSE", "bias^2", "variance", "expected test MSE"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="boosting stumps: bias^2 and variance by round",
                series=[Series("bias^2", curve_b2), Series("variance", curve_var)],
                x_label="boosting round",
                log_y=True,
            )
        ],
    )
