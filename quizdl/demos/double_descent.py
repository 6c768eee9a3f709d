"""Double descent: test error of min-norm random-features regression peaks where features = training samples.

40 noisy training samples of a linear target in 10-D. The model is linear regression on p random ReLU
features relu(x W + b) (W, b drawn once and frozen; only the output weights are fitted), for p from 4 to
1000. The output weights are the minimum-norm least-squares solution, pinv(Phi) y: below p = n it is
ordinary least squares, above it the smallest-norm weights that interpolate the training data exactly.

Classical U-curve first: more features help, then start to fit the noise. At the interpolation threshold
p = n there is exactly one way to fit all 40 noisy points, Phi is square and nearly singular, and the
weights (and the test error) explode. Past it, many interpolating solutions exist and the minimum-norm one
gets smoother as p grows, so the test error falls again, here below the best classical model. Ridge
regression with a small penalty (the same features) removes the peak: the spike is a variance blow-up of
unregularized interpolation, not a law of large models. Each point is the median over several random
feature draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_train: int = 40  # training samples: the interpolation threshold is p = n_train
    n_test: int = 500  # test samples (noise-free targets)
    dim: int = 10  # input dimension
    noise: float = 0.3  # std of the label noise on the training targets
    widths: tuple[int, ...] = (4, 10, 20, 30, 36, 40, 44, 50, 60, 80, 120, 200, 400, 1000)  # feature counts
    draws: int = 7  # random-feature draws per width (the median is reported)
    bias_scale: float = 0.5  # std of the random ReLU biases
    ridge: float = 0.1  # ridge penalty of the regularized comparison


def _ridge(phi: Tensor, y: Tensor, lam: float) -> Tensor:
    """Ridge weights in kernel form, Phi^T (Phi Phi^T + lam I)^-1 y, valid for any p; batched over draws."""
    eye = torch.eye(phi.shape[1], device=phi.device)
    return phi.transpose(1, 2) @ torch.linalg.solve(phi @ phi.transpose(1, 2) + lam * eye, y)


@demo(
    "double-descent",
    topic="evaluation",
    summary="random ReLU features + min-norm least squares: test error peaks at features = samples, then falls",
)
def double_descent(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    n = cfg.n_train

    # 1. data: a linear target of a random unit direction; noisy training labels, clean test labels
    w_true = randn(gen, cfg.dim, device=ctx.device)
    w_true = w_true / w_true.norm()
    x = randn(gen, n, cfg.dim, device=ctx.device)
    y = (x @ w_true + cfg.noise * randn(gen, n, device=ctx.device))[None, :, None]
    x_test = randn(gen, cfg.n_test, cfg.dim, device=ctx.device)
    y_test = (x_test @ w_true)[None, :]

    # 2. for each width: random ReLU features (scaled by 1/sqrt(p)), min-norm and ridge fits
    report = ticker(ctx, "fitting")
    test_min, test_ridge, train_min, norm_min = [], [], [], []
    for i, p in enumerate(cfg.widths):
        w = randn(gen, cfg.draws, cfg.dim, p, device=ctx.device) / math.sqrt(cfg.dim)
        b = cfg.bias_scale * randn(gen, cfg.draws, 1, p, device=ctx.device)
        phi = torch.relu(x @ w + b) / math.sqrt(p)  # (draws, n, p)
        phi_test = torch.relu(x_test @ w + b) / math.sqrt(p)
        beta = torch.linalg.pinv(phi) @ y  # minimum-norm least squares, (draws, p, 1)
        beta_ridge = _ridge(phi, y, cfg.ridge)
        # 3. errors: median over the feature draws
        test_min.append(float(((phi_test @ beta)[..., 0] - y_test).pow(2).mean(1).median().item()))
        test_ridge.append(float(((phi_test @ beta_ridge)[..., 0] - y_test).pow(2).mean(1).median().item()))
        train_min.append(float(((phi @ beta) - y).pow(2).mean(dim=(1, 2)).median().item()))
        norm_min.append(float(beta.norm(dim=(1, 2)).median().item()))
        report((i + 1) / len(cfg.widths))

    # 4. summarize the curve
    widths = list(cfg.widths)
    peak_i = max(range(len(widths)), key=lambda j: test_min[j])
    under = [j for j, p in enumerate(widths) if p < n]
    best_under_i = min(under, key=lambda j: test_min[j])
    at_n = widths.index(n)
    rows: list[list[object]] = [
        [
            p,
            "under" if p < n else ("threshold" if p == n else "over"),
            train_min[j],
            test_min[j],
            norm_min[j],
            test_ridge[j],
        ]
        for j, p in enumerate(widths)
    ]
    metrics = {
        "test_error_at_threshold": test_min[at_n],
        "n_train": n,
        "peak_width": widths[peak_i],
        "best_underparameterized_error": test_min[best_under_i],
        "best_underparameterized_width": widths[best_under_i],
        "test_error_widest": test_min[-1],
        "widest": widths[-1],
        "max_train_error_overparameterized": max(train_min[j] for j, p in enumerate(widths) if p >= n),
        "ridge_error_at_threshold": test_ridge[at_n],
        "ridge_max_error": max(test_ridge),
        "weight_norm_at_threshold": norm_min[at_n],
        "weight_norm_widest": norm_min[-1],
        "test_errors": test_min,
        "ridge_test_errors": test_ridge,
        "widths": widths,
    }
    peak = (
        f"peaks at p = {widths[peak_i]} (= n, the interpolation threshold)"
        if widths[peak_i] == n
        else f"peaks at p = {widths[peak_i]}, not exactly at n = {n}"
    )
    second = (
        f"then falls again to {fmt(test_min[-1])} at p = {widths[-1]}, "
        + (
            "below the best under-parameterized model"
            if test_min[-1] < test_min[best_under_i]
            else "though not below the best under-parameterized model"
        )
        if test_min[-1] < test_min[at_n]
        else f"and does not fall again (p = {widths[-1]}: {fmt(test_min[-1])})"
    )
    exact = metrics["max_train_error_overparameterized"] < 1e-6
    fits = (
        "every model with p >= n fits the training set exactly"
        if exact
        else f"the models with p >= n reach training MSE {fmt(metrics['max_train_error_overparameterized'])}"
    )
    ridge = (
        "the peak is unregularized interpolation blowing up"
        if test_ridge[at_n] < test_min[at_n] / 3
        else "here ridge does not remove the peak"
    )
    takeaway = (
        f"With n = {n} noisy samples, min-norm least squares on p random ReLU features reaches test MSE "
        f"{fmt(test_min[best_under_i])} at p = {widths[best_under_i]}, rises to {fmt(test_min[at_n])} at p = {n} "
        f"(training MSE {fmt(train_min[at_n])}, weight norm {fmt(norm_min[at_n])}): it {peak}, {second}, while "
        f"{fits}. Ridge (lambda = {cfg.ridge:g}) on the same "
        f"features gives {fmt(test_ridge[at_n])} at p = {n}: {ridge}."
    )
    log_w = [math.log10(p) for p in widths]
    return DemoResult(
        header=(
            f"Regression on p random ReLU features with n = {n} training samples (10-D linear target, noise std "
            f"{cfg.noise:g}); output weights by minimum-norm least squares (pinv) and by ridge; median test MSE over "
            f"{cfg.draws} feature draws, for p from {widths[0]} to {widths[-1]}."
        ),
        columns=["features p", "regime", "train MSE", "test MSE (min-norm)", "weight norm", "test MSE (ridge)"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"test MSE vs number of features (threshold p = n = {n}, log10 {fmt(math.log10(n))})",
                series=[
                    Series("min-norm least squares", test_min, x=log_w),
                    Series(f"ridge lambda={cfg.ridge:g}", test_ridge, x=log_w),
                ],
                x_label="log10(features)",
                log_y=True,
            )
        ],
    )
