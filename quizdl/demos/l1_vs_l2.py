"""L1 vs L2 regularization: which one drives weights to exactly zero.

A sparse linear regression: 50 features, only 5 of which matter. We fit it three ways with the same
penalty strength: L2 (weight decay), L1 with a plain subgradient step (add lambda*sign(w) to the gradient),
and L1 with a proximal step (soft-thresholding, as in ISTA/Lasso solvers). L2 shrinks every weight a
little but leaves none at zero; proximal L1 sets the useless ones to exactly zero; the subgradient version
makes them tiny but keeps them jittering around zero by about lr*lambda each step.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded, thin
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_train: int = 200  # training samples
    n_test: int = 1000  # held-out samples for the test error
    features: int = 50  # input features
    informative: int = 5  # features with a non-zero true weight
    noise: float = 0.5  # std of the label noise
    lam: float = 0.1  # penalty strength, the same for L1 and L2
    lr: float = 0.2  # gradient step size
    steps: int = 300  # full-batch steps per method
    near_zero: float = 1e-3  # |w| below this counts as zero


METHODS = ("L2 (weight decay)", "L1 (subgradient)", "L1 (proximal)")


def fit(method: str, x: Tensor, y: Tensor, cfg: Config, steps: int) -> tuple[Tensor, list[float]]:
    """Full-batch gradient descent on 0.5*MSE + penalty; returns the weights and share near zero per step."""
    w = torch.zeros(x.shape[1], device=x.device, requires_grad=True)
    near: list[float] = []
    for _ in range(steps):
        loss = 0.5 * ((x @ w - y) ** 2).mean()
        (grad,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            if method == "L2 (weight decay)":
                w -= cfg.lr * (grad + cfg.lam * w)  # gradient of lam/2 * ||w||^2
            elif method == "L1 (subgradient)":
                w -= cfg.lr * (grad + cfg.lam * torch.sign(w))  # a subgradient of lam * ||w||_1
            else:
                w -= cfg.lr * grad  # gradient step on the data term, then the proximal step of lam*||w||_1:
                w.copy_(torch.sign(w) * torch.clamp(w.abs() - cfg.lr * cfg.lam, min=0.0))  # soft-threshold
            near.append(float((w.abs() < cfg.near_zero).float().mean().item()))
    return w.detach(), near


@demo("l1-vs-l2", topic="regularization", summary="share of weights at or near zero under L1 vs L2")
def run(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: y = x @ w_true + noise, with only `informative` non-zero entries in w_true
    w_true = torch.zeros(cfg.features, device=ctx.device)
    w_true[: cfg.informative] = torch.tensor([3.0, -2.0, 1.5, -1.0, 2.5][: cfg.informative], device=ctx.device)
    x, x_test = (
        randn(gen, cfg.n_train, cfg.features, device=ctx.device),
        randn(gen, cfg.n_test, cfg.features, device=ctx.device),
    )
    y = x @ w_true + cfg.noise * randn(gen, cfg.n_train, device=ctx.device)
    y_test = x_test @ w_true + cfg.noise * randn(gen, cfg.n_test, device=ctx.device)
    useless = w_true == 0

    # 2. fit with each penalty and 3. measure sparsity, test error and which features survived
    rows: list[list[object]] = []
    curves: dict[str, list[float]] = {}
    stats: dict[str, dict[str, float]] = {}
    for i, method in enumerate(METHODS):
        ctx.progress(method, i / len(METHODS))
        w, curves[method] = fit(method, x, y, cfg, steps)
        s = {
            "near_zero": float((w.abs() < cfg.near_zero).float().mean().item()),
            "exact_zero": float((w == 0).float().mean().item()),
            "useless_mean_abs": float(w[useless].abs().mean().item()),
            "kept_informative": int((w[~useless].abs() >= cfg.near_zero).sum().item()),
            "test_mse": float(((x_test @ w - y_test) ** 2).mean().item()),
        }
        stats[method] = s
        rows.append(
            [method, s["near_zero"], s["exact_zero"], s["useless_mean_abs"], s["kept_informative"], s["test_mse"]]
        )
    ctx.progress("done", 1.0)

    # 4. report
    l2, l1s, l1 = (stats[m] for m in METHODS)
    metrics = {
        "near_zero_share_l2": l2["near_zero"],
        "near_zero_share_l1_subgradient": l1s["near_zero"],
        "near_zero_share_l1": l1["near_zero"],
        "exact_zero_share_l2": l2["exact_zero"],
        "exact_zero_share_l1": l1["exact_zero"],
        "useless_weight_mean_abs_l2": l2["useless_mean_abs"],
        "useless_weight_mean_abs_l1_subgradient": l1s["useless_mean_abs"],
        "useless_weight_mean_abs_l1": l1["useless_mean_abs"],
        "informative_kept_l1": l1["kept_informative"],
        "test_mse_l2": l2["test_mse"],
        "test_mse_l1": l1["test_mse"],
        "useless_share_true": float(useless.float().mean().item()),
    }
    sparser = l1["near_zero"] > l2["near_zero"] + 0.2
    takeaway = (
        f"With the same strength lambda={cfg.lam}, L1 (proximal) left {l1['near_zero']:.0%} of the weights "
        f"below {cfg.near_zero:g} ({l1['exact_zero']:.0%} exactly zero; {cfg.features - cfg.informative} of "
        f"{cfg.features} are truly useless) vs {l2['near_zero']:.0%} for L2, whose useless weights average "
        f"|w| = {fmt(l2['useless_mean_abs'])}: "
        + ("L1 gives sparsity, L2 only shrinks. " if sparser else "no clear sparsity difference here. ")
        + f"Plain subgradient L1 left {l1s['near_zero']:.0%} below {cfg.near_zero:g} (useless |w| "
        f"{fmt(l1s['useless_mean_abs'])}, jittering on the scale of lr*lambda = {fmt(cfg.lr * cfg.lam)}), which is "
        f"why Lasso solvers use the proximal soft-threshold. Test MSE: L1 {fmt(l1['test_mse'])}, "
        f"L2 {fmt(l2['test_mse'])}."
    )
    return DemoResult(
        header=(
            f"Sparse linear regression ({cfg.features} features, {cfg.informative} informative) fit with "
            f"L2, subgradient L1 and proximal L1 at lambda={cfg.lam}: how many weights end up at (or near) zero."
        ),
        columns=["penalty", "share |w|<1e-3", "share w==0", "mean |w| useless", "informative kept", "test MSE"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"share of weights with |w| < {cfg.near_zero:g}",
                series=[Series(m, thin(curves[m])) for m in METHODS],
            )
        ],
    )
