"""Hand-engineered features vs learned features, and how much data each needs.

The task: points in the square [-1, 1]^2, label 1 outside a wavy circle r = 0.6 + 0.12 sin(5 theta).
Three models, each trained on random training sets of 16 to 256 points (two draws per size, test accuracy
on 4000 fresh points):
  - classical ML on raw input: logistic regression on (x1, x2), a straight line: stuck near 70%;
  - classical ML with feature engineering: logistic regression on (x1, x2, x1^2 + x2^2), where a person
    knew the classes are roughly a circle: strong at once, but capped because the feature misses the wave;
  - deep learning: an MLP on raw (x1, x2) learns its own features: worse than the engineered model on tiny
    training sets (data hungry), better once there is enough data.
The logistic regressions are fitted exactly (Newton's method, a little L2); the MLPs by full-batch Adam, all
training-set sizes at once (batched, each run with its own weights).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import Adam, rand, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    sizes: tuple[int, ...] = (16, 32, 64, 128, 256)  # training-set sizes
    draws: int = 2  # training sets per size (accuracies are averaged)
    n_test: int = 4000  # test points
    hidden: int = 32  # MLP hidden units (one tanh layer)
    init_scale: float = 3.0  # std of the MLP's first-layer weights (spreads its features over the square)
    steps: int = 150  # full-batch Adam steps for the MLPs
    lr: float = 0.05  # Adam learning rate
    newton_steps: int = 15  # Newton iterations for the logistic regressions
    l2: float = 1e-2  # L2 penalty of the logistic regressions (keeps them finite if a set is separable)


def _sample(gen: torch.Generator, n: int, device: str) -> tuple[Tensor, Tensor]:
    x = 2 * rand(gen, n, 2, device=device) - 1
    r, theta = x.norm(dim=1), torch.atan2(x[:, 1], x[:, 0])
    return x, (r > 0.6 + 0.12 * torch.sin(5 * theta)).float()


def _newton_logistic(xs: Tensor, y: Tensor, mask: Tensor, steps: int, l2: float) -> Tensor:
    """Batched L2-penalized logistic regression by Newton's method; xs (runs, n, f) includes a bias column,
    mask (runs, n) holds each point's weight 1/n_run (0 for padding). Returns w (runs, f)."""
    runs, _, f = xs.shape
    w = torch.zeros(runs, f, device=xs.device, dtype=xs.dtype)
    eye = torch.eye(f, device=xs.device, dtype=xs.dtype)
    for _ in range(steps):
        p = torch.sigmoid(torch.bmm(xs, w.unsqueeze(2)).squeeze(2))
        grad = torch.bmm((mask * (p - y)).unsqueeze(1), xs).squeeze(1) + l2 * w
        hess = torch.bmm(xs.transpose(1, 2) * (mask * p * (1 - p)).unsqueeze(1), xs) + l2 * eye
        w = w - torch.linalg.solve(hess, grad.unsqueeze(2)).squeeze(2)
    return w


@demo(
    "feature-learning",
    topic="fundamentals",
    summary="logistic regression on raw vs hand-engineered features vs an MLP on raw input, by training-set size",
)
def feature_learning(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device

    # 1. data: training sets of every size (padded into one batch, each point weighted 1/n), one test set
    runs = [(n, d) for n in cfg.sizes for d in range(cfg.draws)]
    nmax = max(cfg.sizes)
    xs = torch.zeros(len(runs), nmax, 2, device=dev)
    ys = torch.zeros(len(runs), nmax, device=dev)
    mask = torch.zeros(len(runs), nmax, device=dev)
    for k, (n, _) in enumerate(runs):
        x, y = _sample(gen, n, dev)
        xs[k, :n], ys[k, :n], mask[k, :n] = x, y, 1.0 / n
    xt, yt = _sample(gen, cfg.n_test, dev)

    def raw(x: Tensor) -> Tensor:
        return torch.cat([x, torch.ones_like(x[..., :1])], dim=-1)

    def engineered(x: Tensor) -> Tensor:
        return torch.cat([x, (x * x).sum(dim=-1, keepdim=True), torch.ones_like(x[..., :1])], dim=-1)

    # 2. classical models: logistic regression, fitted exactly, on raw and on engineered features
    def linear_accuracy(feats: Callable[[Tensor], Tensor]) -> Tensor:
        w = _newton_logistic(feats(xs), ys, mask, cfg.newton_steps, cfg.l2)
        logits = feats(xt) @ w.T  # (test, runs)
        return ((logits > 0).float() == yt.unsqueeze(1)).float().mean(dim=0)

    acc_raw, acc_eng = linear_accuracy(raw), linear_accuracy(engineered)
    ctx.progress("MLPs", 0.2)

    # 3. deep learning: one-hidden-layer tanh MLPs on raw input, every run trained side by side
    r, h = len(runs), cfg.hidden
    w1 = (cfg.init_scale * randn(gen, r, 2, h, device=dev)).requires_grad_()
    b1 = torch.zeros(r, 1, h, device=dev, requires_grad=True)
    w2 = (randn(gen, r, h, 1, device=dev) / math.sqrt(h)).requires_grad_()
    b2 = torch.zeros(r, 1, 1, device=dev, requires_grad=True)

    def mlp(x: Tensor) -> Tensor:
        return (torch.tanh(x @ w1 + b1) @ w2 + b2).squeeze(-1)

    opt = Adam([w1, b1, w2, b2], lr=cfg.lr)
    steps = ctx.steps_or(cfg.steps)
    for step in range(steps):
        loss = (mask * F.binary_cross_entropy_with_logits(mlp(xs), ys, reduction="none")).sum()  # sum of run means
        opt.zero_grad()
        loss.backward()
        opt.step()
        if (step + 1) % max(1, steps // 8) == 0:
            ctx.progress("MLPs", 0.2 + 0.8 * (step + 1) / steps)
    with torch.no_grad():
        acc_mlp = ((mlp(xt.expand(r, -1, -1)) > 0).float() == yt).float().mean(dim=1)

    # 4. report: mean accuracy per training-set size
    def per_size(acc: Tensor) -> list[float]:
        return [float(v) for v in acc.reshape(len(cfg.sizes), cfg.draws).mean(dim=1).cpu().tolist()]

    raw_s, eng_s, mlp_s = per_size(acc_raw), per_size(acc_eng), per_size(acc_mlp)
    rows = [[n, a, b, c] for n, a, b, c in zip(cfg.sizes, raw_s, eng_s, mlp_s, strict=True)]
    # the smallest size from which the MLP beats the engineered model at every larger size too
    ahead = [m > e for e, m in zip(eng_s, mlp_s, strict=True)]
    crossover = next((n for i, n in enumerate(cfg.sizes) if all(ahead[i:])), None)
    metrics = {
        "sizes": list(cfg.sizes),
        "accuracy_raw_linear": raw_s,
        "accuracy_engineered_linear": eng_s,
        "accuracy_mlp": mlp_s,
        "crossover_size": crossover,
    }
    lo, hi = cfg.sizes[0], cfg.sizes[-1]
    takeaway = (
        f"A straight line on raw (x1, x2) reaches {raw_s[-1]:.0%} even with {hi} points. Adding the hand-made "
        f"feature x1^2 + x2^2 gives {eng_s[0]:.0%} with only {lo} points"
        + (
            f" but stalls at {eng_s[-1]:.0%} with {hi}: the feature knows the circle, not the wave."
            if eng_s[-1] - eng_s[1] < 0.05
            else f" and {eng_s[-1]:.0%} with {hi}."
        )
        + " The MLP on raw input learns its own features: "
        f"{mlp_s[0]:.0%} with {lo} points"
        + (" (data hungry: below the engineered model)" if mlp_s[0] < eng_s[0] else "")
        + f", {mlp_s[-1]:.0%} with {hi}"
        + (
            f"; it overtakes the engineered model from {crossover} training points on."
            if crossover is not None
            else "; it did not overtake the engineered model in this range."
        )
    )
    sx = [math.log2(n) for n in cfg.sizes]
    return DemoResult(
        header=(
            "Classify points outside a wavy circle. Logistic regression on raw inputs, logistic regression on a "
            "hand-engineered radius feature, and an MLP on raw inputs, trained on 16 to 256 points; test "
            f"accuracy on {cfg.n_test} fresh points (mean of {cfg.draws} training sets per size)."
        ),
        columns=["training points", "linear, raw (x1, x2)", "linear + x1^2 + x2^2", "MLP on raw (x1, x2)"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="test accuracy vs training-set size",
                series=[
                    Series("linear, raw", raw_s, x=sx),
                    Series("linear, engineered feature", eng_s, x=sx),
                    Series("MLP, learned features", mlp_s, x=sx),
                ],
                x_label="log2(training points)",
            )
        ],
    )
