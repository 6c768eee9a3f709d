"""Cross-entropy vs MSE on a sigmoid output: the gradient when the model is confidently wrong.

With p = sigmoid(z) and label y, cross-entropy's gradient with respect to the logit is simply p - y: close
to -1 when the model says "surely 0" but the answer is 1. MSE on the probability, (p - y)^2, has gradient
2 (p - y) p (1 - p): the sigmoid's slope p(1-p) multiplies in and vanishes exactly when the model is
confidently wrong. We measure both gradients with autograd over a range of logits, then train the same
logistic-regression classifier from a confidently wrong start with each loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    logits: tuple[float, ...] = (-10.0, -6.0, -3.0, -1.0, 0.0, 2.0, 6.0)  # logits probed (the label is 1)
    samples: int = 200  # training points, two Gaussian blobs
    separation: float = 2.0  # blob centres at +-separation along the first axis
    wrong_scale: float = 4.0  # start with w = -wrong_scale * (the right direction): confidently wrong
    lr: float = 0.5  # full-batch gradient descent step size
    steps: int = 100  # training steps per loss


def bce_with_logits(z: Tensor, y: Tensor) -> Tensor:
    """Per-sample -[y log sigmoid(z) + (1-y) log(1 - sigmoid(z))], written stably as softplus(z) - y z.

    (Same value as F.binary_cross_entropy_with_logits, which is oddly slow on small CPU tensors.)
    """
    return F.softplus(z) - y * z


def logit_grads(z: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Losses and d loss / d z for label 1, for cross-entropy and for MSE on sigmoid(z), via autograd."""
    z = z.clone().requires_grad_(True)
    target = torch.ones_like(z)
    ce = bce_with_logits(z, target)
    mse = (torch.sigmoid(z) - target) ** 2
    (ce_grad,) = torch.autograd.grad(ce.sum(), z)
    (mse_grad,) = torch.autograd.grad(mse.sum(), z)
    return ce.detach(), ce_grad, mse.detach(), mse_grad


def train(loss_name: str, x: Tensor, y: Tensor, w0: Tensor, cfg: Config, steps: int) -> tuple[list[float], list[float]]:
    """Gradient descent on a logistic-regression classifier; returns accuracy and mean |dL/dz| per step."""
    w = w0.clone().requires_grad_(True)
    b = torch.zeros((), device=x.device, requires_grad=True)
    accs: list[float] = []
    grads: list[float] = []
    for step in range(steps + 1):
        z = x @ w + b
        loss = bce_with_logits(z, y).mean() if loss_name == "cross-entropy" else ((torch.sigmoid(z) - y) ** 2).mean()
        accs.append(float(((z > 0).float() == y).float().mean().item()))
        if step == steps:
            break
        gw, gb, gz = torch.autograd.grad(loss, (w, b, z))
        grads.append(float((gz * len(y)).abs().mean().item()))  # per-sample |dL/dz|
        with torch.no_grad():
            w -= cfg.lr * gw
            b -= cfg.lr * gb
    return accs, grads


@demo(
    "cross-entropy-vs-mse",
    topic="loss-functions",
    summary="gradient size when confidently wrong, cross-entropy vs MSE",
)
def run(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. the gradient w.r.t. the logit, label 1, over a range of logits (very negative = confidently wrong)
    z = torch.tensor(cfg.logits, device=ctx.device)
    ce, ce_grad, mse, mse_grad = logit_grads(z)
    probs = torch.sigmoid(z)
    rows: list[list[object]] = [
        [zi, pi, ci, cgi, mi, mgi]
        for zi, pi, ci, cgi, mi, mgi in zip(
            z.tolist(), probs.tolist(), ce.tolist(), ce_grad.tolist(), mse.tolist(), mse_grad.tolist(), strict=True
        )
    ]
    ctx.progress("training", 0.2)

    # 2. data: two blobs, label 1 on the right; the classifier starts pointing the wrong way
    y = (torch.arange(cfg.samples, device=ctx.device) % 2).float()
    x = randn(gen, cfg.samples, 2, device=ctx.device)
    x[:, 0] += cfg.separation * (2 * y - 1)
    w0 = torch.tensor([-cfg.wrong_scale, 0.0], device=ctx.device)

    # 3. train with each loss from the same start
    runs = {name: train(name, x, y, w0, cfg, steps) for name in ("cross-entropy", "MSE on sigmoid")}
    ctx.progress("done", 1.0)

    # 4. report
    ce_acc, ce_g = runs["cross-entropy"]
    mse_acc, mse_g = runs["MSE on sigmoid"]

    def steps_to(accs: list[float], level: float) -> int | None:
        return next((t for t, a in enumerate(accs) if a >= level), None)

    worst = 0  # index of the most confidently wrong logit
    ce_worst, mse_worst = abs(float(ce_grad[worst].item())), abs(float(mse_grad[worst].item()))
    metrics = {
        "confident_logit": cfg.logits[worst],
        "ce_grad_confident_wrong": ce_worst,
        "mse_grad_confident_wrong": mse_worst,
        "grad_ratio_ce_over_mse": ce_worst / max(mse_worst, 1e-30),
        "initial_accuracy": ce_acc[0],
        "final_accuracy_ce": ce_acc[-1],
        "final_accuracy_mse": mse_acc[-1],
        "steps_to_90pct_ce": steps_to(ce_acc, 0.9),
        "steps_to_90pct_mse": steps_to(mse_acc, 0.9),
        "initial_mean_abs_grad_ce": ce_g[0],
        "initial_mean_abs_grad_mse": mse_g[0],
    }
    ce90, mse90 = metrics["steps_to_90pct_ce"], metrics["steps_to_90pct_mse"]
    takeaway = (
        f"At logit {cfg.logits[worst]:g} with label 1 (p = {fmt(float(probs[worst].item()))}), |dL/dz| is "
        f"{fmt(ce_worst)} for cross-entropy but {fmt(mse_worst)} for MSE on the sigmoid, "
        f"{fmt(ce_worst / max(mse_worst, 1e-30))}x smaller. Trained from a confidently wrong start (accuracy "
        f"{ce_acc[0]:.0%}), cross-entropy reached {ce_acc[-1]:.0%} accuracy"
        + (f" (90% at step {ce90})" if ce90 is not None else "")
        + f" and MSE {mse_acc[-1]:.0%}"
        + (f" (90% at step {mse90})" if mse90 is not None else " (never 90%)")
        + f" in {steps} steps: "
        + (
            "MSE's vanishing gradient stalls learning exactly when the model is most wrong."
            if (mse90 is None or (ce90 is not None and mse90 > 2 * ce90))
            else "here MSE caught up, so the stall was short."
        )
    )
    return DemoResult(
        header=(
            "The gradient of the loss w.r.t. the logit z for label 1, cross-entropy vs MSE on sigmoid(z), from "
            "confidently wrong (z = -10) to confidently right; then a logistic-regression classifier trained "
            "from a confidently wrong start with each loss."
        ),
        columns=["logit z", "p = sigmoid(z)", "CE loss", "CE dL/dz", "MSE loss", "MSE dL/dz"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="training accuracy from a confidently wrong start",
                series=[Series("cross-entropy", ce_acc), Series("MSE on sigmoid", mse_acc)],
            ),
            Chart(
                title="mean |dL/dz| per sample",
                series=[Series("cross-entropy", ce_g), Series("MSE on sigmoid", mse_g)],
                log_y=True,
            ),
        ],
    )
