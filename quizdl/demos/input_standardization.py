"""Input standardization: features on different scales make gradient descent crawl; z-scores fix it.

Linear regression (three features plus an intercept) trained by full-batch gradient descent on the mean
squared error. The raw features look like real columns: one around 40 with spread 12 (an age), one around
3 with spread 1.5 (a count), one around 0.5 with spread 0.1 (a fraction). The Hessian of the loss is
(2/n) A^T A for the design matrix A (features and a column of ones), so its condition number
kappa = cond(A^T A) sets the speed: the learning rate must stay below 2 / lambda_max for stability, and
then the slowest direction shrinks by only about (1 - 1/kappa) per step.

Four versions of the same data are compared, each with its own best safe learning rate 1 / lambda_max:
raw, centred only, scaled only, and standardized ((x - mean) / std with training statistics). All four span
the same functions (an affine change of the features), so they share one optimum; only the path differs.
Uncentred features are nearly parallel to the intercept column, and unequal scales stretch the bowl, so
both halves of standardization matter.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_samples: int = 200  # training rows
    means: tuple[float, ...] = (40.0, 3.0, 0.5)  # raw feature means (an age, a count, a fraction)
    stds: tuple[float, ...] = (12.0, 1.5, 0.1)  # raw feature spreads
    weights: tuple[float, ...] = (1.0, -2.0, 0.5)  # true effect of one standard deviation of each feature
    noise: float = 0.3  # std of the target noise
    steps: int = 2000  # full-batch gradient descent steps per version
    target: float = 0.01  # "reached": excess loss over the optimum below 1% of its starting value


def _steps_to(excess: Tensor, level: float) -> int | None:
    """First step whose excess loss is at or below `level`, or None if never."""
    hit = torch.nonzero(excess <= level)
    return int(hit[0].item()) if hit.numel() else None


@demo(
    "input-standardization",
    topic="data",
    summary="raw vs standardized inputs: condition number of X^T X and gradient-descent steps to a target loss",
)
def input_standardization(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    n, d = cfg.n_samples, len(cfg.means)

    # 1. data: standard-normal z, raw features mean + std * z, target linear in z plus noise
    z = randn(gen, n, d, device=ctx.device)
    mean = torch.tensor(cfg.means, device=ctx.device)
    std = torch.tensor(cfg.stds, device=ctx.device)
    x = mean + std * z
    y = z @ torch.tensor(cfg.weights, device=ctx.device) + 1.0 + cfg.noise * randn(gen, n, device=ctx.device)

    # 2. four versions of the inputs (training statistics), each with an intercept column
    mu, sigma = x.mean(dim=0), x.std(dim=0)
    versions = {
        "raw": x,
        "centred only": x - mu,
        "scaled only": x / sigma,
        "standardized": (x - mu) / sigma,
    }
    ones = torch.ones(n, 1, device=ctx.device)
    a = torch.stack([torch.cat([v, ones], dim=1) for v in versions.values()])  # (V, n, d + 1)
    singular = torch.linalg.svdvals(a)  # (V, d + 1), descending
    cond = (singular[:, 0] / singular[:, -1]) ** 2  # condition number of A^T A (and of the Hessian)
    lam_max = 2.0 / n * singular[:, 0] ** 2  # largest Hessian eigenvalue
    lr = (1.0 / lam_max)[:, None, None]

    # 3. the optimum (shared by all versions: same column space), from the well-conditioned design
    a_std = a[-1]
    w_star = torch.linalg.solve(a_std.T @ a_std, a_std.T @ y)
    loss_star = float(((a_std @ w_star - y) ** 2).mean().item())

    # 4. full-batch gradient descent from w = 0 on all versions at once (batched matmuls)
    a_t = a.transpose(1, 2).contiguous()
    target = y[None, :, None].expand(a.shape[0], n, 1)
    w = torch.zeros(a.shape[0], d + 1, 1, device=ctx.device)
    losses = torch.empty(steps, a.shape[0], device=ctx.device)
    report = ticker(ctx, "gradient descent")
    every = max(1, steps // 10)
    for step in range(steps):
        r = a @ w - target
        losses[step] = (r * r).mean(dim=(1, 2))
        w -= lr * (2.0 / n) * (a_t @ r)
        if (step + 1) % every == 0:
            report((step + 1) / steps)
    excess = (losses - loss_star).clamp_min(0.0)  # (steps, V)
    final_excess = ((a @ w - target) ** 2).mean(dim=(1, 2)) - loss_star

    # 5. report
    names = list(versions)
    start = float(excess[0, 0].item())
    level = cfg.target * start
    reached = [_steps_to(excess[:, i], level) for i in range(len(names))]
    conds = [float(c) for c in cond.cpu().tolist()]
    finals = [max(float(f), 0.0) for f in final_excess.cpu().tolist()]
    rows: list[list[object]] = [
        [name, conds[i], float(lr[i].item()), "not reached" if reached[i] is None else reached[i], finals[i]]
        for i, name in enumerate(names)
    ]
    raw_i, std_i = 0, len(names) - 1
    metrics = {
        "cond_raw": conds[raw_i],
        "cond_centred": conds[1],
        "cond_scaled": conds[2],
        "cond_standardized": conds[std_i],
        "steps_raw": reached[raw_i],
        "steps_centred": reached[1],
        "steps_scaled": reached[2],
        "steps_standardized": reached[std_i],
        "steps_run": steps,
        "final_excess_raw": finals[raw_i],
        "final_excess_standardized": finals[std_i],
        "initial_excess": start,
        "optimal_loss": loss_star,
    }
    std_steps = reached[std_i]
    raw_steps = reached[raw_i]
    std_part = (
        f"standardized inputs reach it in {std_steps} step{'s' if std_steps != 1 else ''}"
        if std_steps is not None
        else f"standardized inputs did not reach it in {steps} steps"
    )
    raw_part = (
        f"raw inputs need {raw_steps} steps"
        if raw_steps is not None
        else f"raw inputs still have {fmt(finals[raw_i] / start * 100)}% of it left after {steps} steps, as their "
        f"slowest direction shrinks by only a factor 1 - 1/kappa = {1 - 1 / conds[raw_i]:.6f} per step"
    )
    takeaway = (
        f"cond(X^T X) is {fmt(conds[raw_i])} for the raw features and {fmt(conds[std_i])} after standardizing. "
        f"To get the excess loss below {cfg.target:.0%} of its start at each version's best safe learning rate, "
        f"{std_part}; {raw_part}. Centring alone leaves cond {fmt(conds[1])}, scaling alone {fmt(conds[2])}: "
        "both halves of standardization count, and all four share the same optimum "
        f"(MSE {fmt(loss_star)})."
    )
    floor = 1e-7 * max(start, 1e-12)  # float32 cannot resolve a smaller excess; keeps the log chart finite
    curves = [excess[:, i].clamp_min(floor).cpu().tolist() for i in range(len(names))]
    chart_x = thin([float(k) for k in range(steps)])
    return DemoResult(
        header=(
            "Linear regression by full-batch gradient descent on raw features (means 40, 3, 0.5; spreads 12, 1.5, "
            "0.1) and on centred, scaled and standardized copies, each at learning rate 1 / lambda_max of its "
            "Hessian: condition number and steps to a target loss."
        ),
        columns=["inputs", "cond(X^T X)", "learning rate", f"steps to {cfg.target:.0%} excess", "final excess loss"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="excess training loss over the optimum (floored at float32 resolution)",
                series=[Series(name, thin(curves[i]), x=chart_x) for i, name in enumerate(names)],
                log_y=True,
            )
        ],
    )
