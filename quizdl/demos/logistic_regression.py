"""Logistic regression: a single sigmoid neuron, its (p - y) x gradient, a convex loss, and its limits.

p = sigmoid(w . x + b) is trained by gradient descent on the mean binary cross-entropy, using the
closed-form gradient dL/dw = mean((p - y) x) (checked once against autograd). Three measurements:
  1. overlapping classes: from five different random initializations gradient descent reaches the same
     weights: the loss is convex, so there is one optimum;
  2. linearly separable classes: without a penalty the weight norm keeps growing (about like log t; the
     loss approaches 0 only as ||w|| -> infinity), while a small L2 penalty makes it converge;
  3. concentric circles: the decision boundary w . x + b = 0 is a line, so raw (x1, x2) stays near chance,
     while one engineered feature x1^2 + x2^2 makes the classes separable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import fmt, rand, randn, seeded, thin
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n: int = 200  # points per data set (half per class)
    inits: int = 5  # random initializations run side by side
    steps: int = 2000  # gradient-descent steps (norms are read at steps/100, steps/10 and steps)
    lr: float = 1.0  # gradient-descent step size
    l2: float = 0.01  # L2 penalty for the separable-data contrast
    init_std: float = 3.0  # std of the random initial weights


def _dtype(device: str) -> torch.dtype:
    return torch.float32 if device == "mps" else torch.float64  # MPS has no float64


def _with_bias(x: Tensor) -> Tensor:
    return torch.cat([x, torch.ones_like(x[:, :1])], dim=1)


def _gd(xs: Tensor, y: Tensor, w0: Tensor, l2: Tensor, steps: int, lr: float) -> tuple[Tensor, Tensor]:
    """Gradient descent for many runs at once. xs (runs, n, features + 1) with the bias column last, w0 (runs,
    features + 1), l2 (runs,). The gradient is the closed form mean((p - y) x) + l2 w (no penalty on the bias).
    Returns the final w and ||w|| (bias excluded) of every run at every step, (steps, runs)."""
    w = w0.clone()
    penalty = torch.ones_like(w)
    penalty[:, -1] = 0.0
    norms = torch.empty(steps, w.shape[0], dtype=w.dtype, device=w.device)
    for t in range(steps):
        p = torch.sigmoid(torch.bmm(xs, w.unsqueeze(2)).squeeze(2))  # (runs, n)
        grad = torch.bmm((p - y).unsqueeze(1), xs).squeeze(1) / y.shape[-1] + l2.unsqueeze(1) * penalty * w
        w = w - lr * grad
        norms[t] = w[:, :-1].norm(dim=1)
    return w, norms


def _bce(x: Tensor, y: Tensor, w: Tensor) -> Tensor:
    return F.binary_cross_entropy_with_logits(_with_bias(x) @ w, y)


def _accuracy(x: Tensor, y: Tensor, w: Tensor) -> float:
    return float(((_with_bias(x) @ w > 0).to(y.dtype) == y).to(y.dtype).mean().item())


@demo(
    "logistic-regression",
    topic="fundamentals",
    summary="the (p - y) x gradient; one optimum from any init (convex); weights diverge on separable data without L2",
)
def logistic_regression(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev, dt = ctx.device, _dtype(ctx.device)
    half = cfg.n // 2
    y = torch.cat([torch.zeros(half), torch.ones(half)]).to(dev, dt)
    sign = (2 * y - 1).unsqueeze(1)

    # 1. data: overlapping Gaussians, separable Gaussians, concentric circles
    mean = torch.tensor([[1.0, 0.5]], device=dev, dtype=dt)
    x_overlap = sign * mean + randn(gen, cfg.n, 2, device=dev).to(dt)
    x_sep = sign * 3 * mean + 0.5 * randn(gen, cfg.n, 2, device=dev).to(dt)
    angle = 2 * math.pi * rand(gen, cfg.n, device=dev).to(dt)
    radius = torch.where(y > 0, 1.0, 0.5) + 0.08 * randn(gen, cfg.n, device=dev).to(dt)
    x_circ = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    x_circ_eng = torch.cat([x_circ, (x_circ**2).sum(dim=1, keepdim=True)], dim=1)
    separable = bool(((x_sep @ mean.T).squeeze(1) * sign.squeeze(1) > 0).all().item())  # a separating line exists

    # 2. the closed-form gradient (p - y) x vs autograd, at a random point
    w_check = randn(gen, 3, device=dev).to(dt).requires_grad_()
    _bce(x_overlap, y, w_check).backward()
    with torch.no_grad():
        p = torch.sigmoid(_with_bias(x_overlap) @ w_check)
        closed = _with_bias(x_overlap).T @ (p - y) / cfg.n
    grad_gap = float((closed - w_check.grad).abs().max().item())

    # 3. all gradient-descent runs side by side: (data, initialization, L2) per run; features padded to 3
    w0 = cfg.init_std * randn(gen, cfg.inits, 3, device=dev).to(dt)
    zero = torch.zeros(cfg.n, 1, device=dev, dtype=dt)
    runs = (
        [(x_overlap, w0[i], 0.0) for i in range(cfg.inits)]  # convexity: same data, five initializations
        + [(x_sep, 0.1 * w0[i], 0.0) for i in range(cfg.inits)]  # separable, no penalty, from near 0
        + [(x_sep, 0.1 * w0[i], cfg.l2) for i in range(cfg.inits)]  # separable, L2, from near 0
        + [(x_circ, w0[0], 0.0), (x_circ_eng, w0[0], 0.0)]  # circles: raw vs engineered feature
    )
    xs = torch.stack([_with_bias(x if x.shape[1] == 3 else torch.cat([x, zero], dim=1)) for x, _, _ in runs])
    starts = torch.stack([torch.cat([w[:2], torch.zeros_like(w[:1]), w[2:]]) for _, w, _ in runs])
    l2 = torch.tensor([r[2] for r in runs], device=dev, dtype=dt)
    steps = max(ctx.steps_or(cfg.steps), 2)
    w_end, norms = _gd(xs, y, starts, l2, steps, cfg.lr)
    ctx.progress("done", 1.0)
    k = cfg.inits
    w_overlap = w_end[:k]
    spread_start = float(torch.cdist(starts[:k], starts[:k]).max().item())
    spread_end = float(torch.cdist(w_overlap, w_overlap).max().item())
    norms_free = [float(v) for v in norms[:, k : 2 * k].mean(dim=1).cpu().tolist()]
    norms_l2 = [float(v) for v in norms[:, 2 * k : 3 * k].mean(dim=1).cpu().tolist()]
    w_free = w_end[k]
    pad = torch.cat([x_overlap, zero], dim=1)
    acc_overlap = _accuracy(pad, y, w_overlap[0])
    acc_raw = _accuracy(torch.cat([x_circ, zero], dim=1), y, w_end[3 * k])
    acc_eng = _accuracy(x_circ_eng, y, w_end[3 * k + 1])

    # 4. report
    marks = [max(1, steps // 100), max(1, steps // 10), steps]  # one decade apart
    free_at = [norms_free[t - 1] for t in marks]
    l2_at = [norms_l2[t - 1] for t in marks]
    late_change_l2 = abs(norms_l2[-1] - norms_l2[steps // 2 - 1]) / norms_l2[-1]  # over the last half
    loss_sep_free = float(_bce(torch.cat([x_sep, zero], dim=1), y, w_free).item())
    rows: list[list[object]] = [
        ["gradient", "max |(p - y) x closed form - autograd|", grad_gap],
        ["overlapping classes", f"max distance between {cfg.inits} initial weight vectors", spread_start],
        ["overlapping classes", f"... after {steps} GD steps (convex: one optimum)", spread_end],
        ["overlapping classes", "training accuracy", acc_overlap],
        *[["separable classes", f"||w|| at step {t}, no penalty", v] for t, v in zip(marks, free_at, strict=True)],
        ["separable classes", f"training loss at step {marks[-1]}, no penalty", loss_sep_free],
        *[["separable classes", f"||w|| at step {t}, L2 {cfg.l2:g}", v] for t, v in zip(marks, l2_at, strict=True)],
        ["circles", "training accuracy, raw (x1, x2)", acc_raw],
        ["circles", "training accuracy, with x1^2 + x2^2", acc_eng],
    ]
    metrics = {
        "grad_gap": grad_gap,
        "spread_start": spread_start,
        "spread_end": spread_end,
        "separable": separable,
        "norm_marks": marks,
        "norms_no_penalty": free_at,
        "norms_l2": l2_at,
        "norm_late_change_l2": late_change_l2,
        "loss_separable_no_penalty": loss_sep_free,
        "accuracy_circles_raw": acc_raw,
        "accuracy_circles_engineered": acc_eng,
    }
    inc1, inc2 = free_at[1] - free_at[0], free_at[2] - free_at[1]
    takeaway = (
        f"The closed-form gradient mean((p - y) x) equals autograd's to {fmt(grad_gap)}. On overlapping classes, "
        f"{cfg.inits} initializations up to {fmt(spread_start)} apart end {fmt(spread_end)} apart after "
        f"{steps} steps"
        + (": a convex loss has one optimum." if spread_end < 1e-3 * spread_start else " (not converged yet).")
        + " On separable data without a penalty the weight norm "
        + (
            f"keeps growing by about the same amount per tenfold more steps ({fmt(free_at[0])}, {fmt(free_at[1])}, "
            f"{fmt(free_at[2])} at steps {marks[0]}, {marks[1]}, {marks[2]}: like log t, without limit) while the "
            f"loss creeps toward 0 ({fmt(loss_sep_free)}); with L2 {cfg.l2:g} it settles at {fmt(l2_at[2])} "
            f"(changed {late_change_l2:.1%} over the last {steps - steps // 2} steps)."
            if inc2 > 0.5 * inc1 > 0 and late_change_l2 < 0.01
            else f"went {fmt(free_at[0])}, {fmt(free_at[1])}, {fmt(free_at[2])} at steps {marks[0]}, {marks[1]}, "
            f"{marks[2]}, and with L2 {fmt(l2_at[0])}, {fmt(l2_at[1])}, {fmt(l2_at[2])}."
        )
        + f" On circles, the linear boundary reaches {acc_raw:.0%} on raw (x1, x2) and {acc_eng:.0%} with the "
        f"engineered feature x1^2 + x2^2."
    )
    return DemoResult(
        header=(
            "Logistic regression trained by gradient descent with the closed-form gradient (p - y) x: the same "
            "optimum from any initialization on overlapping classes, diverging weights on separable classes "
            "unless L2 is added, and a linear boundary that needs an engineered feature on circles."
        ),
        columns=["data", "measure", "value"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="weight norm on separable data",
                series=[
                    Series("no penalty", thin(norms_free), x=thin([float(t + 1) for t in range(steps)])),
                    Series(f"L2 {cfg.l2:g}", thin(norms_l2), x=thin([float(t + 1) for t in range(steps)])),
                ],
            )
        ],
    )
