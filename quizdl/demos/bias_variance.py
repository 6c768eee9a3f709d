"""Bias and variance: a capacity sweep on noisy data, measured across many resampled training sets.

A smooth 1-D target f(x) = sin(2.5x) + 0.6 cos(5x) on [-1, 1] is observed with Gaussian noise (std 0.3).
We draw many independent training sets of 40 points and fit a polynomial of each degree 0..12 to every
one by least squares (orthonormal Legendre basis, normal equations). Across the training sets, at every
test point: bias^2 = (mean prediction - f)^2, variance = the spread of the predictions around their mean.
Training error can only fall as the degree grows (the models are nested), while the test error is
U-shaped: high-bias underfitting on the left, high-variance overfitting on the right. The decomposition
E[(prediction - f)^2] = bias^2 + variance holds exactly, and the expected test error adds the noise^2.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, rand, randn, seeded, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_train: int = 40  # points per training set
    n_sets: int = 200  # independent training sets (for bias and variance)
    n_test: int = 200  # test points on an even grid over [-1, 1]
    noise: float = 0.3  # std of the label noise
    max_degree: int = 12  # polynomial degrees 0..max_degree


def _dtype(device: str) -> torch.dtype:
    return torch.float32 if device == "mps" else torch.float64  # MPS has no float64


def _target(x: Tensor) -> Tensor:
    return torch.sin(2.5 * x) + 0.6 * torch.cos(5.0 * x)


def _legendre(x: Tensor, degree: int) -> Tensor:
    """Columns sqrt(2k+1) P_k(x), k = 0..degree: orthonormal for uniform x on [-1, 1], so well conditioned."""
    p = [torch.ones_like(x), x]
    for k in range(1, degree):
        p.append(((2 * k + 1) * x * p[k] - k * p[k - 1]) / (k + 1))
    cols = [p[k] * (2 * k + 1) ** 0.5 for k in range(degree + 1)]
    return torch.stack(cols, dim=-1)


@demo(
    "bias-variance",
    topic="fundamentals",
    summary="polynomial degree sweep on noisy data: train error falls, test error is U-shaped; bias^2 and variance",
)
def bias_variance(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev, dt = ctx.device, _dtype(ctx.device)

    # 1. data: many independent noisy training sets, one noise-free test grid plus one noisy copy of it
    x = (2 * rand(gen, cfg.n_sets, cfg.n_train, device=dev) - 1).to(dt)
    y = _target(x) + cfg.noise * randn(gen, cfg.n_sets, cfg.n_train, device=dev).to(dt)
    xt = torch.linspace(-1, 1, cfg.n_test, device=dev, dtype=dt)
    ft = _target(xt)
    yt = ft + cfg.noise * randn(gen, cfg.n_test, device=dev).to(dt)

    # 2. fit every degree to every training set (batched least squares), predict the test grid
    degrees = list(range(cfg.max_degree + 1))
    train_mse, test_mse, bias2, variance, identity_gap = [], [], [], [], []
    mean_preds: list[Tensor] = []
    for d in degrees:
        feats, feats_t = _legendre(x, d), _legendre(xt, d)  # (sets, n, d+1), (n_test, d+1)
        gram = feats.transpose(1, 2) @ feats
        w = torch.linalg.solve(gram, feats.transpose(1, 2) @ y.unsqueeze(-1))  # (sets, d+1, 1)
        fit = (feats @ w).squeeze(-1)
        pred = (feats_t @ w).squeeze(-1)  # (sets, n_test)
        # 3. measure: errors, and bias^2 / variance across the training sets at each test point
        mean_pred = pred.mean(dim=0)
        mean_preds.append(mean_pred)
        b2 = (mean_pred - ft).pow(2).mean()
        var = (pred - mean_pred).pow(2).mean()
        expected = (pred - ft).pow(2).mean()  # E over sets and test points of (prediction - f)^2
        train_mse.append(float((fit - y).pow(2).mean().item()))
        test_mse.append(float((pred - yt).pow(2).mean().item()))
        bias2.append(float(b2.item()))
        variance.append(float(var.item()))
        identity_gap.append(float(((expected - b2 - var).abs() / expected).item()))
        ctx.progress(f"degree {d}", (d + 1) / len(degrees))

    # 4. report
    noise2 = cfg.noise**2
    best = min(degrees, key=lambda d: test_mse[d])
    monotone = all(b <= a + 1e-12 for a, b in itertools.pairwise(train_mse))
    rows = [[d, train_mse[d], test_mse[d], bias2[d], variance[d], bias2[d] + variance[d] + noise2] for d in degrees]
    metrics = {
        "train_mse": train_mse,
        "test_mse": test_mse,
        "bias2": bias2,
        "variance": variance,
        "noise2": noise2,
        "best_degree": best,
        "train_monotone": monotone,
        "max_identity_gap": max(identity_gap),
    }
    lo, hi = degrees[0], degrees[-1]
    shape = (
        f"test error is U-shaped: {fmt(test_mse[lo])} at degree {lo}, lowest {fmt(test_mse[best])} at degree {best}, "
        f"{fmt(test_mse[hi])} at degree {hi}"
        if lo < best < hi
        else f"test error has its minimum at the end of the sweep (degree {best}), so no U shape here"
    )
    takeaway = (
        f"Training error {'falls at every step' if monotone else 'mostly falls'} from {fmt(train_mse[lo])} to "
        f"{fmt(train_mse[hi])} as the degree grows, but {shape}. "
        + (
            "Bias dominates at the low end and variance at the high end"
            if bias2[lo] > variance[lo] and variance[hi] > bias2[hi]
            else "Bias and variance"
        )
        + f" (degree {lo}: bias^2 {fmt(bias2[lo])}, variance {fmt(variance[lo])}; degree {hi}: "
        f"variance {fmt(variance[hi])}, bias^2 {fmt(bias2[hi])}). Across the {cfg.n_sets} "
        f"training sets bias^2 + variance + noise^2 ({fmt(noise2)}) is the expected test error, to a relative "
        f"{fmt(max(identity_gap))}."
    )
    return DemoResult(
        header=(
            f"Fits polynomials of degree 0..{cfg.max_degree} by least squares to {cfg.n_sets} independent noisy "
            f"training sets of {cfg.n_train} points each, and measures training and test error, and bias^2 and "
            "variance of the predictions across the training sets."
        ),
        columns=["degree", "train MSE", "test MSE", "bias^2", "variance", "bias^2 + var + noise^2"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="error vs polynomial degree",
                series=[
                    Series("train MSE", train_mse),
                    Series("test MSE", test_mse),
                    Series("bias^2", bias2),
                    Series("variance", variance),
                ],
                x_label="degree",
                log_y=True,
            ),
            Chart(
                title=f"mean prediction at degree {best} vs the target",
                series=[
                    Series("target f(x)", to_floats(ft), x=to_floats(xt)),
                    Series(f"mean fit, degree {best}", to_floats(mean_preds[best]), x=to_floats(xt)),
                ],
                x_label="x",
            ),
        ],
    )
