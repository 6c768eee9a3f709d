"""Learning rate too low, right, too high: loss curves and divergence.

Gradient descent on linear regression (MSE), where the answer is known in closed form: with H the Hessian
of the loss, plain gradient descent converges iff lr < 2 / lambda_max(H), and diverges geometrically above
it. We measure lambda_max, then run the same 100 steps at a tiny rate, a good one, one just below the limit
(still converges, though the weights flip sign every step along the steepest direction) and one above it
(the loss blows up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    samples: int = 256  # training samples
    features: int = 8  # input features, scaled from 0.5 to 2 so the problem is a bit ill-conditioned
    noise: float = 0.1  # std of the label noise
    steps: int = 100  # gradient steps per learning rate
    # learning rates as multiples of the critical rate 2 / lambda_max
    multiples: tuple[float, ...] = (0.0005, 0.5, 0.95, 1.2)
    labels: tuple[str, ...] = ("too low", "right", "near the limit", "too high")
    blowup: float = 1e6  # stop once the loss exceeds this multiple of the initial loss


@demo(
    "learning-rate",
    topic="optimization",
    summary="learning rate too low, right, too high: loss curves and divergence",
)
def run(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: y = x @ w_true + noise, features with different scales
    scale = torch.linspace(0.5, 2.0, cfg.features, device=ctx.device)
    x = randn(gen, cfg.samples, cfg.features, device=ctx.device) * scale
    w_true = randn(gen, cfg.features, device=ctx.device)
    y = x @ w_true + cfg.noise * randn(gen, cfg.samples, device=ctx.device)

    # 2. the critical rate: loss = mean((x w - y)^2) has Hessian H = 2 x^T x / n (a small matrix: cpu is fine)
    hessian = (2.0 * x.T @ x / cfg.samples).cpu().double()
    eig = torch.linalg.eigvalsh(hessian)
    lam_max, lam_min = float(eig[-1].item()), float(eig[0].item())
    critical = 2.0 / lam_max

    # 3. train from w = 0 at each rate, stopping if the loss blows up
    curves: dict[str, list[float]] = {}
    diverged_at: dict[str, int | None] = {}
    for i, (mult, label) in enumerate(zip(cfg.multiples, cfg.labels, strict=True)):
        ctx.progress(f"lr {label}", i / len(cfg.multiples))
        lr = mult * critical
        w = torch.zeros(cfg.features, device=ctx.device, requires_grad=True)
        losses: list[float] = []
        diverged_at[label] = None
        for step in range(steps + 1):  # the loss after `steps` updates is the last entry
            loss = ((x @ w - y) ** 2).mean()
            value = float(loss.item())
            losses.append(value)
            if not math.isfinite(value) or value > cfg.blowup * losses[0]:
                diverged_at[label] = step
                break
            if step < steps:
                (grad,) = torch.autograd.grad(loss, w)
                with torch.no_grad():
                    w -= lr * grad  # plain gradient descent (torch.optim would import torch._dynamo: slow)
        curves[label] = losses
    ctx.progress("done", 1.0)

    # 4. report
    initial = curves[cfg.labels[0]][0]
    rows: list[list[object]] = []
    finals: dict[str, float] = {}
    for mult, label in zip(cfg.multiples, cfg.labels, strict=True):
        final = curves[label][-1]
        finals[label] = final
        if diverged_at[label] is not None:
            verdict = f"diverged at step {diverged_at[label]}"
        elif final < 0.01 * initial:
            verdict = "converged"
        elif final < 0.5 * initial:
            verdict = "still descending"
        else:
            verdict = "barely moved"
        rows.append([label, mult * critical, mult, initial, final, final / initial, verdict])
    low, right, edge, high = cfg.labels
    metrics = {
        "critical_lr": critical,
        "condition_number": lam_max / lam_min,
        "initial_loss": initial,
        "final_loss_low": finals[low],
        "final_loss_right": finals[right],
        "final_loss_edge": finals[edge],
        "final_loss_high": finals[high],
        "ratio_low": finals[low] / initial,
        "ratio_right": finals[right] / initial,
        "diverged_high": diverged_at[high] is not None,
        "diverged_step_high": diverged_at[high],
        "lr_low": cfg.multiples[0] * critical,
        "lr_right": cfg.multiples[1] * critical,
        "lr_high": cfg.multiples[3] * critical,
    }
    high_text = (
        f"blew past {cfg.blowup:.0e}x the initial loss by step {diverged_at[high]}"
        if diverged_at[high] is not None
        else f"ended at {fmt(finals[high])} without diverging"
    )
    takeaway = (
        f"The critical rate here is 2/lambda_max = {fmt(critical)}. At lr {fmt(cfg.multiples[0] * critical)} the "
        f"loss only went from {fmt(initial)} to {fmt(finals[low])} in {steps} steps "
        f"({finals[low] / initial:.0%} of the start); at lr {fmt(cfg.multiples[1] * critical)} it reached "
        f"{fmt(finals[right])} ({finals[right] / initial:.2%}); just below the limit "
        f"(lr {fmt(cfg.multiples[2] * critical)}) it ended at {fmt(finals[edge])}; above it "
        f"(lr {fmt(cfg.multiples[3] * critical)}) the loss {high_text}."
    )
    return DemoResult(
        header=(
            f"Full-batch gradient descent on linear regression ({cfg.features} features, condition number "
            f"{lam_max / lam_min:.0f}) for {steps} steps at four learning rates, given as multiples of the "
            "critical rate 2/lambda_max above which gradient descent must diverge."
        ),
        columns=["regime", "lr", "lr / critical", "initial loss", "final loss", "final / initial", "verdict"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="training loss (log scale; the too-high run stops when it blows up)",
                series=[
                    Series(f"{label} (lr {fmt(m * critical)})", curves[label])
                    for m, label in zip(cfg.multiples, cfg.labels, strict=True)
                ],
                log_y=True,
            )
        ],
    )
