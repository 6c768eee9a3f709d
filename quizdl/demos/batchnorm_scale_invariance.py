"""Why BatchNorm helps, one mechanism: scale invariance, and the effective learning rate lr / ||W||^2.

A layer followed by BatchNorm gives the same output when its weights are rescaled: BN(a W x) = BN(W x)
for a > 0 (the batch mean and std scale by a too). Three consequences, all exact up to BN's eps:

1. The gradient with respect to W shrinks as 1/a: the loss does not change along W, only the direction of
   W matters, and grad_W is orthogonal to W.
2. Because the gradient is orthogonal to W, every plain SGD step makes ||W|| grow:
   ||W - lr g||^2 = ||W||^2 + lr^2 ||g||^2.
3. The direction moves by about lr ||g|| / ||W|| = lr ||g(unit W)|| / ||W||^2: the EFFECTIVE learning
   rate is lr / ||W||^2. Starting from 4 W with lr is 16 times slower; starting from 4 W with 16 lr gives
   exactly the same network as W with lr, step after step (so weight norms and learning rate trade off,
   and weight decay, by shrinking ||W||, raises the effective rate).

A small MLP, Linear (no bias) -> BatchNorm1d -> ReLU -> Linear, is trained with plain full-batch SGD.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import SGD, fmt, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_samples: int = 256  # training points
    n_in: int = 10  # input features
    width: int = 32  # units of the normalised layer
    classes: int = 3  # output classes
    scale: float = 4.0  # the rescaling a of the first layer's weights
    lr: float = 0.1  # SGD learning rate (the same for every parameter)
    steps: int = 100  # full-batch SGD steps per run


def make_model(cfg: Config, device: str) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(cfg.n_in, cfg.width, bias=False),
        nn.BatchNorm1d(cfg.width),
        nn.ReLU(),
        nn.Linear(cfg.width, cfg.classes),
    ).to(device)


def train_run(
    model: nn.Sequential, x: Tensor, y: Tensor, lr_first: float, lr_rest: float, steps: int, progress
) -> dict:
    """Full-batch SGD; the first layer (the one followed by BN) gets lr_first, the rest lr_rest."""
    first = [model[0].weight]
    rest = [p for p in model.parameters() if p is not model[0].weight]
    opts = [SGD(first, lr=lr_first), SGD(rest, lr=lr_rest)]
    losses, norms = [], []
    for step in range(steps):
        for o in opts:
            o.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        losses.append(loss.detach())
        norms.append(model[0].weight.detach().norm())
        for o in opts:
            o.step()
        if (step + 1) % max(1, steps // 5) == 0:
            progress((step + 1) / steps)
    return {
        "losses": [float(v) for v in torch.stack(losses).tolist()],
        "norms": [float(v) for v in torch.stack(norms).tolist()],
    }


@demo(
    "batchnorm-scale-invariance",
    topic="normalization",
    summary="BN(aWx) = BN(Wx): gradients shrink as 1/a, ||W|| grows under SGD, effective learning rate is lr/||W||^2",
)
def batchnorm_scale_invariance(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    a = cfg.scale

    # 1. data: Gaussian classes
    means = randn(gen, cfg.classes, cfg.n_in, device=ctx.device) * 1.2
    y = torch.randint(0, cfg.classes, (cfg.n_samples,), generator=gen).to(ctx.device)
    x = means[y] + randn(gen, cfg.n_samples, cfg.n_in, device=ctx.device)

    # 2. model, and a copy whose first layer is scaled by a
    torch.manual_seed(ctx.seed + 1)
    base = make_model(cfg, ctx.device).train()
    scaled = copy.deepcopy(base)
    with torch.no_grad():
        scaled[0].weight.mul_(a)

    # 3. invariance of the output, and the gradient: 1/a as large and orthogonal to W
    def first_layer_grad(m: nn.Sequential) -> tuple[Tensor, Tensor]:
        m.zero_grad(set_to_none=True)
        out = m(x)
        F.cross_entropy(out, y).backward()
        return out.detach(), m[0].weight.grad.detach().clone()

    bn_momentum = base[1].momentum
    for m in (base, scaled):
        m[1].momentum = 0.0  # probing must not move the running statistics
    out_base, g_base = first_layer_grad(base)
    out_scaled, g_scaled = first_layer_grad(scaled)
    for m in (base, scaled):
        m[1].momentum = bn_momentum
    output_diff = float((out_scaled - out_base).abs().max().item())
    grad_ratio = float((g_scaled.norm() / g_base.norm()).item())
    w = base[0].weight.detach()
    cosine = float((g_base * w).sum().item() / (g_base.norm() * w.norm()).item())
    ctx.progress("training", 0.1)

    # 4. train: W with lr, a W with lr (slower), a W with a^2 lr (the same network as W with lr)
    plan = [
        ("W, lr", base, cfg.lr),
        (f"{a:g} W, lr", scaled, cfg.lr),
        (f"{a:g} W, {a * a:g} lr", copy.deepcopy(scaled), a * a * cfg.lr),
    ]
    runs = {}
    copies = {}
    for i, (label, model, lr_first) in enumerate(plan):
        model = copy.deepcopy(model)
        runs[label] = train_run(
            model, x, y, lr_first, cfg.lr, steps, ticker(ctx, label, 0.1 + 0.9 * i / 3, 0.1 + 0.9 * (i + 1) / 3)
        )
        copies[label] = model
    ref, slow, same = (runs[label] for label, _, _ in plan)
    m_ref, m_same = copies[plan[0][0]], copies[plan[2][0]]
    with torch.no_grad():
        for m in (m_ref, m_same):
            m[1].momentum = 0.0  # compare with batch statistics (the running ones still remember their start)
        equivalent_diff = float((m_same(x) - m_ref(x)).abs().max().item())
        w_ratio = float((m_same[0].weight.norm() / m_ref[0].weight.norm()).item())
    norm_growth = ref["norms"][-1] / ref["norms"][0]
    monotone = all(b >= a_ - 1e-6 for a_, b in zip(ref["norms"], ref["norms"][1:], strict=False))

    # 5. report
    rows = [
        [
            label,
            r["norms"][0],
            r["norms"][-1],
            r["losses"][0],
            r["losses"][min(len(r["losses"]) - 1, steps // 3)],
            r["losses"][-1],
        ]
        for label, r in runs.items()
    ]
    metrics = {
        "output_diff_scaled": output_diff,
        "grad_ratio": grad_ratio,
        "expected_grad_ratio": 1 / a,
        "grad_weight_cosine": cosine,
        "norm_growth": norm_growth,
        "norm_monotone": monotone,
        "final_loss_ref": ref["losses"][-1],
        "final_loss_scaled_same_lr": slow["losses"][-1],
        "final_loss_scaled_a2_lr": same["losses"][-1],
        "equivalent_output_diff": equivalent_diff,
        "equivalent_weight_norm_ratio": w_ratio,
        "scale": a,
    }
    takeaway = (
        f"Scaling the weights before BatchNorm by {a:g} changed the outputs by {fmt(output_diff)} (BN's eps) and the weight "
        f"gradient's norm by a factor {fmt(grad_ratio)} (1/a = {fmt(1 / a)}); the gradient is orthogonal to W (cosine "
        f"{fmt(cosine)}), so under plain SGD ||W|| {'only grew' if monotone else 'did NOT only grow'} (by {fmt(100 * (norm_growth - 1), 2)}% "
        f"in {steps} steps). With the same lr the {a:g}x-scaled copy has a {a * a:g}x smaller effective rate and lagged "
        f"behind (loss {fmt(slow['losses'][-1])} vs {fmt(ref['losses'][-1])} after {steps} steps); with {a * a:g}x the lr "
        f"it stayed the same network as the original (outputs within {fmt(equivalent_diff)}, weights {fmt(w_ratio)}x "
        "larger): the effective learning rate is lr / ||W||^2."
    )
    return DemoResult(
        header=(
            "An MLP Linear (no bias) -> BatchNorm -> ReLU -> Linear: rescale the first layer's weights, compare "
            "outputs and gradients, then train with plain SGD from W, from a W with the same lr and from a W with "
            "a^2 times the lr."
        ),
        columns=["run", "||W|| at start", "||W|| at end", "loss at start", f"loss at step {steps // 3}", "final loss"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="training loss",
                series=[Series(label, thin(r["losses"])) for label, r in runs.items()],
                log_y=True,
            ),
            Chart(
                title="||W|| of the layer before BatchNorm",
                series=[Series(label, thin(r["norms"])) for label, r in runs.items()],
            ),
        ],
    )
