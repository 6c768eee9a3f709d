"""Backpropagation by hand: one training step of a 2-3-1 network, delta by delta, checked against autograd.

The network: z1 = W1 x + b1, a1 = sigmoid(z1), y_hat = W2 a1 + b2, loss L = (y_hat - y)^2 / 2, on one
example. The backward pass, written out:
    delta2 = dL/dz2 = y_hat - y                         (output layer)
    dL/dW2 = delta2 a1^T,  dL/db2 = delta2
    delta1 = (W2^T delta2) * a1 (1 - a1)                (hidden layer: sigmoid' = a (1 - a))
    dL/dW1 = delta1 x^T,   dL/db1 = delta1
and the gradient-descent update W <- W - lr dL/dW. Every delta and gradient is compared with autograd's,
and the updated weights with the SGD optimizer's. The contrast is the step size: the loss after the step
falls by about lr * ||g||^2 (the first-order prediction) for a small learning rate, and rises once the
learning rate is too large for the curvature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import SGD, fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_in: int = 2  # inputs
    hidden: int = 3  # sigmoid hidden units
    lr: float = 0.1  # the learning rate of the worked step
    lr_sweep: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # step sizes for the contrast


def _dtype(device: str) -> torch.dtype:
    return torch.float32 if device == "mps" else torch.float64  # MPS has no float64


def _vec(t: Tensor) -> str:
    return "[" + ", ".join(fmt(float(v)) for v in t.detach().reshape(-1).cpu().tolist()) + "]"


def _forward(p: dict[str, Tensor], x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    z1 = p["W1"] @ x + p["b1"]
    a1 = torch.sigmoid(z1)
    return z1, a1, p["W2"] @ a1 + p["b2"]


def _loss(p: dict[str, Tensor], x: Tensor, y: Tensor) -> Tensor:
    return 0.5 * (_forward(p, x)[2] - y).pow(2).sum()


@demo(
    "backprop-by-hand",
    topic="neural-networks",
    summary="one SGD step of a 2-3-1 net by hand: per-layer deltas equal autograd; the loss falls (or, lr too big, rises)",
)
def backprop_by_hand(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev, dt = ctx.device, _dtype(ctx.device)

    # 1. one example and the initial weights
    x = randn(gen, cfg.n_in, device=dev).to(dt)
    y = (randn(gen, 1, device=dev) + 1.0).to(dt)
    p = {
        "W1": randn(gen, cfg.hidden, cfg.n_in, device=dev).to(dt),
        "b1": (0.1 * randn(gen, cfg.hidden, device=dev)).to(dt),
        "W2": randn(gen, 1, cfg.hidden, device=dev).to(dt),
        "b2": torch.zeros(1, device=dev, dtype=dt),
    }

    # 2. forward pass, by hand (values kept for the backward pass)
    z1, a1, y_hat = _forward(p, x)
    loss0 = float(_loss(p, x, y).item())

    # 3. backward pass, by hand: output delta, then the hidden delta through W2^T and sigmoid'
    delta2 = y_hat - y
    grads = {"W2": torch.outer(delta2, a1), "b2": delta2}
    delta1 = (p["W2"].T @ delta2) * a1 * (1 - a1)
    grads |= {"W1": torch.outer(delta1, x), "b1": delta1}

    # 4. autograd on the same network, with the intermediate deltas kept
    q = {k: v.clone().requires_grad_() for k, v in p.items()}
    z1_a = q["W1"] @ x + q["b1"]
    z2_a = q["W2"] @ torch.sigmoid(z1_a) + q["b2"]
    z1_a.retain_grad()
    z2_a.retain_grad()
    (0.5 * (z2_a - y).pow(2).sum()).backward()
    auto = {"delta2": z2_a.grad, "delta1": z1_a.grad} | {k: v.grad for k, v in q.items()}

    # 5. the update, by hand and with the SGD optimizer, and the loss after it
    new = {k: p[k] - cfg.lr * grads[k] for k in p}
    opt = SGD(list(q.values()), lr=cfg.lr)
    opt.step()
    update_gap = max(float((new[k] - q[k].detach()).abs().max().item()) for k in p)
    loss1 = float(_loss(new, x, y).item())
    g2 = float(sum(g.pow(2).sum() for g in grads.values()).item())
    predicted = loss0 - cfg.lr * g2  # first-order Taylor: L(w - lr g) ~ L(w) - lr ||g||^2

    # 6. the contrast: loss after one step for a range of learning rates
    after = [float(_loss({k: p[k] - lr * grads[k] for k in p}, x, y).item()) for lr in cfg.lr_sweep]
    ctx.progress("done", 1.0)

    # 7. report
    hand = {"delta2": delta2, "delta1": delta1} | grads
    formulas = {
        "delta2": "delta2 = dL/dz2 = y_hat - y",
        "W2": "dL/dW2 = delta2 a1^T",
        "b2": "dL/db2 = delta2",
        "delta1": "delta1 = dL/dz1 = (W2^T delta2) * a1 (1 - a1)",
        "W1": "dL/dW1 = delta1 x^T",
        "b1": "dL/db1 = delta1",
    }
    gaps = {k: float((hand[k] - auto[k]).abs().max().item()) for k in formulas}
    rows: list[list[object]] = [
        ["forward", "z1 = W1 x + b1", _vec(z1), ""],
        ["forward", "a1 = sigmoid(z1)", _vec(a1), ""],
        ["forward", f"y_hat = W2 a1 + b2 (target {fmt(float(y.item()))})", _vec(y_hat), ""],
        ["forward", "L = (y_hat - y)^2 / 2", fmt(loss0), ""],
    ]
    rows += [
        ["output layer" if k in ("delta2", "W2", "b2") else "hidden layer", formulas[k], _vec(hand[k]), gaps[k]]
        for k in formulas
    ]
    rows += [
        ["update", f"W <- W - {cfg.lr:g} dL/dW, max |hand - SGD|", "", update_gap],
        ["after the step", "L (first-order prediction L - lr ||g||^2)", f"{fmt(loss1)} ({fmt(predicted)})", ""],
    ]
    rows += [
        ["lr sweep", f"L after one step at lr={lr:g}", fmt(v), ""] for lr, v in zip(cfg.lr_sweep, after, strict=True)
    ]
    max_gap = max(gaps.values())
    rising = [lr for lr, v in zip(cfg.lr_sweep, after, strict=True) if v > loss0]
    metrics = {
        "loss_before": loss0,
        "loss_after": loss1,
        "predicted_loss_after": predicted,
        "grad_sq_norm": g2,
        "max_gap_hand_vs_autograd": max_gap,
        "gaps": gaps,
        "update_gap_hand_vs_sgd": update_gap,
        "lr_sweep": list(cfg.lr_sweep),
        "loss_after_by_lr": after,
        "first_rising_lr": rising[0] if rising else None,
    }
    takeaway = (
        f"Every hand-computed delta and gradient {'equals' if max_gap < 1e-9 else 'DIFFERS from'} autograd's (max "
        f"difference {fmt(max_gap)}), and the hand update {'equals' if update_gap < 1e-9 else 'DIFFERS from'} the "
        f"SGD optimizer's ({fmt(update_gap)}). One step at lr={cfg.lr:g} took the loss from {fmt(loss0)} to "
        f"{fmt(loss1)} (first-order prediction {fmt(predicted)})"
        + (", a decrease." if loss1 < loss0 else ", an INCREASE.")
        + (
            f" Larger steps stop helping: from lr={rising[0]:g} the loss after one step "
            f"({fmt(after[cfg.lr_sweep.index(rising[0])])}) is above where it started."
            if rising
            else f" Even lr={cfg.lr_sweep[-1]:g} still lowered the loss here ({fmt(after[-1])})."
        )
    )
    log_lr = [math.log10(lr) for lr in cfg.lr_sweep]
    return DemoResult(
        header=(
            f"One gradient-descent step of a {cfg.n_in}-{cfg.hidden}-1 sigmoid network on one example, with every "
            "delta of the backward pass written out and compared with autograd, then the loss after the step "
            "for a range of learning rates."
        ),
        columns=["stage", "quantity", "value", "max |hand - autograd|"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"loss after one step vs learning rate (before: {fmt(loss0)})",
                series=[
                    Series("after one step", after, x=log_lr),
                    Series("before", [loss0] * len(after), x=log_lr),
                ],
                x_label="log10(learning rate)",
                log_y=True,
            )
        ],
    )
