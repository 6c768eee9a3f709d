"""Adam with an L2 term vs AdamW's decoupled weight decay: who actually gets regularised.

Adam + L2 adds lambda * w to the gradient BEFORE Adam divides by sqrt(v_hat), the running RMS of the gradient.
So the decay a weight feels per step is lr * lambda / sqrt(v_hat): a weight whose gradients are large is
barely regularised, one with small gradients is regularised hard. AdamW (Loshchilov and Hutter) applies the
decay to the weights directly, w <- w * (1 - lr * lambda), next to a plain Adam step, so every weight shrinks
by the same factor whatever its gradient history.

To isolate the gradient scale we fit the same noisy linear regression twice at once, as two heads whose
losses are weighted 100 : 1 (as in a multi-task loss, or layers whose gradients differ in scale). Adam is
invariant to that scale, so without decay both heads learn exactly the same weights; with AdamW they still
do; with Adam + L2 they do not. The data are just short of the interpolation threshold (50 points, 40
features), so an unregularised fit overfits and decay lowers the validation loss.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import Adam, fmt, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_train: int = 50  # training points (just above the 40 features: OLS overfits)
    n_val: int = 2000  # validation points
    features: int = 40  # input dimension
    noise: float = 1.0  # std of the target noise
    loud: float = 100.0  # loss weight of head A (large gradients)
    quiet: float = 1.0  # loss weight of head B (small gradients)
    l2: float = 0.3  # Adam + L2: coefficient of the gradient term lambda * w
    decay: tuple[float, ...] = (0.3, 1.0)  # AdamW: decoupled decay rates lambda (per step: lr * lambda)
    lr: float = 0.01  # Adam learning rate
    steps: int = 400  # full-batch steps per run


class AdamW(Adam):
    """AdamW (torch.optim.AdamW's update): w <- w * (1 - lr * weight_decay), then an Adam step on the loss gradient."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, weight_decay: float = 0.01, **kw: float) -> None:
        super().__init__(params, lr=lr, weight_decay=0.0, **kw)  # no L2 term inside Adam
        self.decoupled = weight_decay

    @torch.no_grad()
    def step(self) -> None:
        with_grad = [p for p in self.params if p.grad is not None]
        if with_grad and self.decoupled:
            torch._foreach_mul_(with_grad, 1 - self.lr * self.decoupled)
        super().step()


def effective_decay_per_step(opt: Adam, row: int) -> float:
    """Adam + L2: mean over the weights of one head of lr * lambda / (sqrt(v_hat) + eps), the decay actually applied."""
    b2 = opt.betas[1]
    v_hat = opt.v[0][row] / (1 - b2**opt.t)
    return float((opt.lr * opt.weight_decay / (v_hat.sqrt() + opt.eps)).mean().item())


@demo(
    "adamw-vs-adam-l2",
    topic="optimization",
    summary="Adam + L2 barely regularises weights with large gradients; AdamW shrinks every weight alike",
)
def adamw_vs_adam_l2(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: a noisy linear regression with nearly as many features as points
    beta = randn(gen, cfg.features, device=ctx.device) * 2 / math.sqrt(cfg.features)
    x = randn(gen, cfg.n_train, cfg.features, device=ctx.device)
    y = x @ beta + cfg.noise * randn(gen, cfg.n_train, device=ctx.device)
    x_val = randn(gen, cfg.n_val, cfg.features, device=ctx.device)
    y_val = x_val @ beta + cfg.noise * randn(gen, cfg.n_val, device=ctx.device)
    weights = torch.tensor([cfg.loud, cfg.quiet], device=ctx.device)

    # 2. model: two linear heads on the same data, W[0] = head A (loss x loud), W[1] = head B (loss x quiet)
    plan: list[tuple[str, str, float]] = [("no decay", "adam", 0.0), (f"Adam + L2 {cfg.l2:g}", "adam", cfg.l2)]
    plan += [(f"AdamW {lam:g}", "adamw", lam) for lam in cfg.decay]
    runs = {}
    for i, (label, kind, lam) in enumerate(plan):
        w = torch.zeros(2, cfg.features, device=ctx.device, requires_grad=True)
        opt = Adam([w], lr=cfg.lr, weight_decay=lam) if kind == "adam" else AdamW([w], lr=cfg.lr, weight_decay=lam)
        progress = ticker(ctx, label, i / len(plan), (i + 1) / len(plan))
        gap: list[Tensor] = []
        # 3. train full batch: d/dW of sum_h weight_h * mean_i (x_i . w_h - y_i)^2, recording the heads' distance
        for step in range(steps):
            residual = x @ w.detach().T - y[:, None]  # (n, 2); the gradient is written out, no autograd
            w.grad = (2 / cfg.n_train) * weights[:, None] * (residual.T @ x)
            opt.step()
            if step % 5 == 0:
                gap.append((w[0] - w[1]).detach().norm())
            if (step + 1) % max(1, steps // 5) == 0:
                progress((step + 1) / steps)
        # 4. measure: weight norm and validation loss per head
        with torch.no_grad():
            val = ((x_val @ w.T - y_val[:, None]) ** 2).mean(dim=0)
            runs[label] = {
                "norm": [float(v) for v in w.norm(dim=1).tolist()],
                "val": [float(v) for v in val.tolist()],
                "head_gap": float((w[0] - w[1]).abs().max().item()),
                "gap_curve": [float(v) for v in torch.stack(gap).tolist()],
                "decay_per_step": (
                    [effective_decay_per_step(opt, 0), effective_decay_per_step(opt, 1)]
                    if kind == "adam" and lam
                    else [cfg.lr * lam, cfg.lr * lam]
                ),
            }

    # 5. report
    none, l2 = runs["no decay"], runs[f"Adam + L2 {cfg.l2:g}"]
    strong = runs[f"AdamW {max(cfg.decay):g}"]
    rows = []
    for label, r in runs.items():
        shrink = [r["norm"][h] / none["norm"][h] for h in (0, 1)]
        r["shrink"] = shrink
        rows.append([label, r["decay_per_step"][0], r["decay_per_step"][1], shrink[0], shrink[1], r["val"][0],
                     r["val"][1], r["head_gap"]])  # fmt: skip
    metrics: dict[str, float] = {
        "val_loss_no_decay": none["val"][0],
        "heads_gap_no_decay": none["head_gap"],
        "l2_decay_per_step_loud": l2["decay_per_step"][0],
        "l2_decay_per_step_quiet": l2["decay_per_step"][1],
        "l2_shrink_loud": l2["shrink"][0],
        "l2_shrink_quiet": l2["shrink"][1],
        "l2_val_loud": l2["val"][0],
        "l2_val_quiet": l2["val"][1],
        "l2_heads_gap": l2["head_gap"],
    }
    for lam in cfg.decay:
        r = runs[f"AdamW {lam:g}"]
        metrics[f"adamw_{lam:g}_shrink_loud"] = r["shrink"][0]
        metrics[f"adamw_{lam:g}_shrink_quiet"] = r["shrink"][1]
        metrics[f"adamw_{lam:g}_val_loud"] = r["val"][0]
        metrics[f"adamw_{lam:g}_val_quiet"] = r["val"][1]
        metrics[f"adamw_{lam:g}_heads_gap"] = r["head_gap"]
    ratio = l2["decay_per_step"][1] / l2["decay_per_step"][0]
    parts = [
        f"Without decay both heads learn the same weights (max difference {fmt(none['head_gap'])}; Adam ignores the "
        f"{cfg.loud / cfg.quiet:g}x gradient scale) and overfit to a validation loss of {fmt(none['val'][0])}.",
        f"With Adam + L2 {cfg.l2:g}, the decay actually applied per step was {fmt(l2['decay_per_step'][0])} on the "
        f"large-gradient head and {fmt(l2['decay_per_step'][1])} on the small-gradient one ({fmt(ratio)}x apart): "
        f"their weight norms shrank to {fmt(l2['shrink'][0])} and {fmt(l2['shrink'][1])} of the undecayed ones and "
        f"their validation losses were {fmt(l2['val'][0])} and {fmt(l2['val'][1])}, so the same regression is "
        "regularised or not depending on its gradient scale.",
    ]
    if all(runs[f"AdamW {lam:g}"]["head_gap"] < 1e-4 for lam in cfg.decay):
        parts.append(
            f"AdamW shrank both heads identically (max difference {fmt(strong['head_gap'])}); at decay {max(cfg.decay):g} "
            f"both norms went to {fmt(strong['shrink'][0])} and both validation losses to {fmt(strong['val'][0])}."
        )
    else:
        parts.append(f"AdamW's heads differed by up to {fmt(strong['head_gap'])}, which should not happen.")
    return DemoResult(
        header=(
            f"Fits one noisy linear regression ({cfg.n_train} points, {cfg.features} features) as two heads whose losses "
            f"are weighted {cfg.loud:g} and {cfg.quiet:g}, with Adam (no decay), Adam + L2 and AdamW (decoupled decay, "
            f"written out in this demo); per head (A: loss x{cfg.loud:g}, B: x{cfg.quiet:g}): decay applied per "
            "step, weight norm relative to no decay, validation loss, and the largest difference between the heads."
        ),
        columns=[
            "optimizer",
            "decay/step A",
            "decay/step B",
            "|w_A| / none",
            "|w_B| / none",
            "val loss A",
            "val loss B",
            "|w_A - w_B|",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="distance between the two heads' weights during training",
                series=[
                    Series(label, thin(r["gap_curve"]), x=[5.0 * k for k in range(len(thin(r["gap_curve"])))])
                    for label, r in runs.items()
                ],
            )
        ],
    )
