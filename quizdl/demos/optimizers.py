"""Momentum and Adam vs plain SGD on an ill-conditioned problem.

Linear regression whose features have very different scales (1 to 10), so the loss surface is a long,
narrow valley: its Hessian's condition number is 100. Plain gradient descent must use a
learning rate small enough for the steepest direction (lr < 2/lambda_max) and then crawls along the
flat one. Momentum accumulates speed along the consistent flat direction; Adam rescales every coordinate
by its own gradient size (which suits this valley because it is roughly aligned with the feature axes;
a rotated valley would help Adam less). The update rules are written out by hand below, a few lines each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    samples: int = 256  # training samples
    features: int = 10  # input features
    max_scale: float = 10.0  # feature scales go from 1 to max_scale: Hessian condition = max_scale**2
    steps: int = 200  # update steps per optimizer
    sgd_lr_times_lmax: float = 1.0  # SGD and momentum use lr = this / lambda_max (must be < 2 for SGD)
    max_lr_times_lmax: float = 1.9  # a second SGD run just below the divergence limit 2 / lambda_max
    momentum: float = 0.9  # heavy-ball momentum coefficient
    adam_lr: float = 0.05  # Adam's step size
    betas: tuple[float, float] = (0.9, 0.999)  # Adam's moment decay rates
    eps: float = 1e-8  # Adam's denominator guard


OPTIMIZERS = ("SGD", "SGD, lr near limit", "SGD + momentum", "Adam")


def optimize(name: str, x: Tensor, y: Tensor, lr: float, cfg: Config, steps: int) -> list[float]:
    """Run `steps` updates of optimizer `name` from w = 0; returns the loss before each step and at the end."""
    w = torch.zeros(x.shape[1], device=x.device, requires_grad=True)
    v = torch.zeros_like(w)  # momentum buffer / Adam's first moment
    s = torch.zeros_like(w)  # Adam's second moment
    b1, b2 = cfg.betas
    losses: list[float] = []
    for t in range(1, steps + 2):
        loss = ((x @ w - y) ** 2).mean()
        losses.append(float(loss.item()))
        if t == steps + 1:
            break
        (g,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            if name.startswith("SGD") and "momentum" not in name:
                w -= lr * g
            elif name == "SGD + momentum":
                v.mul_(cfg.momentum).add_(g)  # v = mu * v + g (PyTorch's convention)
                w -= lr * v
            else:  # Adam
                v.mul_(b1).add_((1 - b1) * g)  # running mean of gradients
                s.mul_(b2).add_((1 - b2) * g * g)  # running mean of squared gradients
                v_hat, s_hat = v / (1 - b1**t), s / (1 - b2**t)  # bias correction for the zero start
                w -= cfg.adam_lr * v_hat / (s_hat.sqrt() + cfg.eps)
    return losses


@demo("optimizers", topic="optimization", summary="momentum and Adam vs plain SGD on an ill-conditioned problem")
def run(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: decorrelated features (orthogonal columns, unit variance) scaled 1..max_scale, so the Hessian
    #    is diagonal with condition number exactly max_scale**2; noiseless targets, so the best loss is 0
    q, _ = torch.linalg.qr(torch.randn(cfg.samples, cfg.features, generator=gen))  # on the cpu, then moved
    scale = torch.logspace(0, math.log10(cfg.max_scale), cfg.features).to(ctx.device)
    x = q.to(ctx.device) * math.sqrt(cfg.samples) * scale
    w_true = randn(gen, cfg.features, device=ctx.device) / scale  # every feature matters about equally
    y = x @ w_true

    # 2. how ill-conditioned: eigenvalues of the Hessian 2 x^T x / n (a tiny matrix, computed on the cpu)
    eig = torch.linalg.eigvalsh((2.0 * x.T @ x / cfg.samples).cpu().double())
    lam_min, lam_max = float(eig[0].item()), float(eig[-1].item())
    sgd_lr = cfg.sgd_lr_times_lmax / lam_max

    # 3. the same number of steps for each optimizer
    lrs = {
        "SGD": sgd_lr,
        "SGD, lr near limit": cfg.max_lr_times_lmax / lam_max,
        "SGD + momentum": sgd_lr,
        "Adam": cfg.adam_lr,
    }
    curves: dict[str, list[float]] = {}
    for i, name in enumerate(OPTIMIZERS):
        ctx.progress(name, i / len(OPTIMIZERS))
        curves[name] = optimize(name, x, y, lrs[name], cfg, steps)
    ctx.progress("done", 1.0)

    # 4. report: final loss, and the first step at which the loss fell below 1e-3 of its start
    def first_below(losses: list[float], frac: float) -> int | None:
        return next((t for t, v in enumerate(losses) if v < frac * losses[0]), None)

    rows: list[list[object]] = []
    for name in OPTIMIZERS:
        reached = first_below(curves[name], 1e-3)
        rows.append([name, lrs[name], curves[name][0], curves[name][-1], "not reached" if reached is None else reached])
    final = {name: curves[name][-1] for name in OPTIMIZERS}
    metrics = {
        "condition_number": lam_max / lam_min,
        "initial_loss": curves["SGD"][0],
        "final_loss_sgd": final["SGD"],
        "final_loss_sgd_max_lr": final["SGD, lr near limit"],
        "final_loss_momentum": final["SGD + momentum"],
        "final_loss_adam": final["Adam"],
        "steps_to_1e-3_sgd": first_below(curves["SGD"], 1e-3),
        "steps_to_1e-3_sgd_max_lr": first_below(curves["SGD, lr near limit"], 1e-3),
        "steps_to_1e-3_momentum": first_below(curves["SGD + momentum"], 1e-3),
        "steps_to_1e-3_adam": first_below(curves["Adam"], 1e-3),
        "sgd_lr": sgd_lr,
    }

    def versus(name: str) -> str:
        best_sgd = min(final["SGD"], final["SGD, lr near limit"])
        ratio = best_sgd / max(final[name], 1e-30)
        if ratio > 1:
            return f"{name} reached {fmt(final[name])}, {fmt(ratio)}x lower than the better SGD run"
        return f"{name} reached {fmt(final[name])}, NOT lower than the better SGD run"

    takeaway = (
        f"On a valley with condition number {lam_max / lam_min:.0f}, plain SGD (lr {fmt(sgd_lr)} = "
        f"1/lambda_max, capped by the steep direction) got the loss from {fmt(curves['SGD'][0])} only to "
        f"{fmt(final['SGD'])} in {steps} steps, and to {fmt(final['SGD, lr near limit'])} at lr "
        f"{fmt(lrs['SGD, lr near limit'])}, just below the divergence limit; {versus('SGD + momentum')} (lr "
        f"{fmt(sgd_lr)}, momentum "
        f"{cfg.momentum}); {versus('Adam')} (lr {cfg.adam_lr}, per-coordinate step sizes)."
    )
    return DemoResult(
        header=(
            f"Linear regression with feature scales from 1 to {cfg.max_scale:g} (Hessian condition number "
            f"{lam_max / lam_min:.0f}), {steps} full-batch steps of plain SGD, SGD with momentum and Adam, "
            "each update rule written out by hand."
        ),
        columns=["optimizer", "lr", "initial loss", "final loss", "steps to 1e-3 of initial"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="training loss (log scale)",
                series=[Series(name, [max(v, 1e-12) for v in curves[name]]) for name in OPTIMIZERS],
                log_y=True,
            )
        ],
    )
