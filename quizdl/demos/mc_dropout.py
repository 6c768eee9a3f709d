"""Monte Carlo dropout: keep dropout on at inference and read the spread of many passes as uncertainty.

A network trained with dropout is normally evaluated with dropout off (model.eval()): one deterministic
output, no notion of how sure it is. Monte Carlo dropout leaves dropout ON at test time, runs T stochastic
forward passes, and uses their mean as the prediction and their standard deviation as an uncertainty
estimate. We train a small MLP with dropout on a noisy 1-D function observed only on [-2, 2], then compare,
on a grid from -5 to 5: the eval-mode output (its spread across passes is exactly 0), the MC mean, and the MC
standard deviation inside the training range versus outside it, next to the actual error there.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from quizdl.demos.common import fmt, rand, randn, seeded, ticker, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_train: int = 64  # training points, x uniform in [-data_range, data_range]
    data_range: float = 2.0  # where the function is observed
    grid_range: float = 5.0  # the grid covers [-grid_range, grid_range]
    grid: int = 101  # grid points
    noise: float = 0.1  # target noise std
    width: int = 64  # hidden units (two hidden layers, dropout after each)
    p: float = 0.2  # dropout probability
    passes: int = 50  # T, Monte Carlo forward passes
    steps: int = 300  # full-batch Adam steps
    lr: float = 0.01  # Adam learning rate
    far: float = 3.0  # |x| >= far counts as out of the training range


def target(x: torch.Tensor) -> torch.Tensor:
    return torch.sin(2 * x)


@demo(
    "mc-dropout",
    topic="regularization",
    summary="dropout kept on at inference: T passes give a spread that is larger outside the training range",
)
def mc_dropout(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: a noisy sine, observed on [-2, 2] only
    x = (rand(gen, cfg.n_train, 1, device=ctx.device) * 2 - 1) * cfg.data_range
    y = target(x) + cfg.noise * randn(gen, cfg.n_train, 1, device=ctx.device)
    grid = torch.linspace(-cfg.grid_range, cfg.grid_range, cfg.grid, device=ctx.device).unsqueeze(1)

    # 2. model with dropout after each hidden layer, trained as usual (dropout on)
    torch.manual_seed(ctx.seed + 1)
    net = nn.Sequential(
        nn.Linear(1, cfg.width), nn.ReLU(), nn.Dropout(cfg.p),
        nn.Linear(cfg.width, cfg.width), nn.ReLU(), nn.Dropout(cfg.p),
        nn.Linear(cfg.width, 1),
    ).to(ctx.device)  # fmt: skip
    net.train()
    losses = train(
        net,
        lambda: F.mse_loss(net(x), y),
        steps=steps,
        lr=cfg.lr,
        optimizer="adam",
        progress=ticker(ctx, "training", 0, 0.8),
    )

    # 3. inference: eval mode twice (deterministic), and T passes with dropout on (all in one batch)
    with torch.no_grad():
        net.eval()
        eval_out = net(grid).squeeze(1)
        eval_repeat_diff = float((net(grid).squeeze(1) - eval_out).abs().max().item())
        net.train()
        torch.manual_seed(ctx.seed + 2)
        samples = net(grid.repeat(cfg.passes, 1)).view(cfg.passes, cfg.grid)
    mc_mean = samples.mean(0)
    mc_std = samples.std(0)
    ctx.progress("measuring", 0.9)

    # 4. uncertainty and error, inside vs outside the training range
    truth = target(grid.squeeze(1))
    inside = grid.squeeze(1).abs() <= cfg.data_range
    outside = grid.squeeze(1).abs() >= cfg.far
    err = (mc_mean - truth).abs()
    std_in = float(mc_std[inside].mean().item())
    std_out = float(mc_std[outside].mean().item())
    err_in = float(err[inside].mean().item())
    err_out = float(err[outside].mean().item())
    mean_vs_eval_in = float((mc_mean - eval_out)[inside].abs().mean().item())
    corr = float(torch.corrcoef(torch.stack([mc_std, err]))[0, 1].item())
    ctx.progress("done", 1.0)

    # 5. report
    rows = [
        [f"inside the training range (|x| <= {cfg.data_range:g})", 0.0, std_in, err_in],
        [f"outside it (|x| >= {cfg.far:g})", 0.0, std_out, err_out],
    ]
    metrics = {
        "eval_repeat_diff": eval_repeat_diff,
        "mc_std_inside": std_in,
        "mc_std_outside": std_out,
        "std_ratio_outside_inside": std_out / std_in,
        "error_inside": err_in,
        "error_outside": err_out,
        "mc_mean_vs_eval_inside": mean_vs_eval_in,
        "std_error_correlation": corr,
        "final_train_loss": losses[-1],
        "passes": cfg.passes,
    }
    if std_out > 1.5 * std_in:
        verdict = (
            f"outside the training range it rose to {fmt(std_out)} ({fmt(std_out / std_in)}x), where the error also "
            f"rose from {fmt(err_in)} to {fmt(err_out)}"
        )
    else:
        verdict = f"outside the training range it was {fmt(std_out)}, not clearly larger (error {fmt(err_out)} vs {fmt(err_in)})"
    takeaway = (
        f"In eval mode the network answers the same every time (max difference {fmt(eval_repeat_diff)}): no uncertainty. "
        f"With dropout kept on, {cfg.passes} passes gave a mean close to the eval output inside [-{cfg.data_range:g}, "
        f"{cfg.data_range:g}] (mean gap {fmt(mean_vs_eval_in)}) and a standard deviation of {fmt(std_in)} there; "
        f"{verdict}. Across the grid the spread and the error correlate at {fmt(corr)}"
        + (
            f", but out there the spread is still well below the error ({fmt(std_out)} vs {fmt(err_out)})"
            if std_out < err_out / 2
            else ""
        )
        + f"; the estimate is rough, and it costs {cfg.passes} forward passes."
    )
    xs = [float(v) for v in grid.squeeze(1).tolist()]
    return DemoResult(
        header=(
            f"An MLP with dropout {cfg.p:g} fitted to a noisy sine on [-{cfg.data_range:g}, {cfg.data_range:g}], evaluated "
            f"on [-{cfg.grid_range:g}, {cfg.grid_range:g}] in eval mode and with {cfg.passes} Monte Carlo dropout passes."
        ),
        columns=["region", "eval-mode spread", "MC dropout std (mean)", "|MC mean - truth| (mean)"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="prediction and Monte Carlo dropout spread",
                series=[
                    Series("truth", [float(v) for v in truth.tolist()], x=xs),
                    Series("eval mode", [float(v) for v in eval_out.tolist()], x=xs),
                    Series("MC mean", [float(v) for v in mc_mean.tolist()], x=xs),
                    Series("MC mean + 2 std", [float(v) for v in (mc_mean + 2 * mc_std).tolist()], x=xs),
                    Series("MC mean - 2 std", [float(v) for v in (mc_mean - 2 * mc_std).tolist()], x=xs),
                ],
                x_label="x",
            )
        ],
    )
