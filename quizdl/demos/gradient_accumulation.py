"""Gradient accumulation: k micro-batches with the loss divided by k give the large-batch gradient.

Gradients add up in .grad across backward() calls. If a batch of B examples is split into k micro-batches of
B / k, and each micro-batch's MEAN loss is divided by k before backward(), the accumulated gradient is the
mean over all B examples, the same as one backward pass on the whole batch (up to float rounding). The
classic bug is to forget the division: the gradient is then k times too large, which with SGD is the same
as a k times larger learning rate. Two further catches: micro-batches of unequal size need weights
n_i / B, not 1 / k; and BatchNorm normalises each micro-batch with its own statistics, so with BatchNorm
accumulation is NOT the same as a large batch (and the running statistics are updated k times per step).

We compare gradients at one point, then train the same MLP from the same start with SGD: on the full batch,
with correct accumulation, and with the bug.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import SGD, fmt, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    batch: int = 64  # the large batch
    k: int = 4  # micro-batches per step
    uneven: tuple[int, ...] = (20, 20, 20, 4)  # a split into unequal micro-batches (sums to batch)
    n_in: int = 8  # input features
    width: int = 32  # hidden units
    steps: int = 60  # SGD steps per training run (one step = one large batch)
    lr: float = 0.2  # SGD learning rate


def make_model(cfg: Config, device: str, batchnorm: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Linear(cfg.n_in, cfg.width)]
    if batchnorm:
        layers.append(nn.BatchNorm1d(cfg.width))
    layers += [nn.Tanh(), nn.Linear(cfg.width, 1)]
    return nn.Sequential(*layers).to(device)


def flat_grad(model: nn.Module) -> Tensor:
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def accumulated_grad(model: nn.Module, x: Tensor, y: Tensor, sizes: list[int], weights: list[float]) -> Tensor:
    """zero_grad, then backward(weight_i * mean loss of micro-batch i) for each micro-batch; the summed .grad."""
    model.zero_grad(set_to_none=True)
    start = 0
    for size, weight in zip(sizes, weights, strict=True):
        xb, yb = x[start : start + size], y[start : start + size]
        (weight * F.mse_loss(model(xb), yb)).backward()
        start += size
    return flat_grad(model)


def full_grad(model: nn.Module, x: Tensor, y: Tensor) -> Tensor:
    model.zero_grad(set_to_none=True)
    F.mse_loss(model(x), y).backward()
    return flat_grad(model)


def rel(a: Tensor, b: Tensor) -> float:
    return float(((a - b).norm() / b.norm()).item())


@demo(
    "gradient-accumulation",
    topic="optimization",
    summary="k micro-batches with loss / k equal one large batch; forgetting / k is a k-times step; BatchNorm breaks it",
)
def gradient_accumulation(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    micro = cfg.batch // cfg.k

    # 1. data: a fixed pool; each training step uses one large batch of it
    n_pool = cfg.batch * 8
    x_pool = randn(gen, n_pool, cfg.n_in, device=ctx.device)
    w_true = randn(gen, cfg.n_in, 1, device=ctx.device)
    y_pool = torch.sin(x_pool @ w_true / cfg.n_in**0.5) + 0.1 * randn(gen, n_pool, 1, device=ctx.device)
    x, y = x_pool[: cfg.batch], y_pool[: cfg.batch]

    # 2. gradients at the initial weights: full batch vs accumulation, in float32 (and float64 for rounding)
    torch.manual_seed(ctx.seed + 1)
    model = make_model(cfg, ctx.device)
    even = [micro] * cfg.k
    g_full = full_grad(model, x, y)
    g_acc = accumulated_grad(model, x, y, even, [1 / cfg.k] * cfg.k)
    g_bug = accumulated_grad(model, x, y, even, [1.0] * cfg.k)
    uneven = list(cfg.uneven)
    g_uneven_k = accumulated_grad(model, x, y, uneven, [1 / len(uneven)] * len(uneven))
    g_uneven_w = accumulated_grad(model, x, y, uneven, [n / cfg.batch for n in uneven])
    model64 = copy.deepcopy(model).double()
    g64_full = full_grad(model64, x.double(), y.double())
    g64_acc = accumulated_grad(model64, x.double(), y.double(), even, [1 / cfg.k] * cfg.k)
    ctx.progress("BatchNorm", 0.2)

    # 3. the same with BatchNorm (train mode): each micro-batch is normalised with its own statistics
    torch.manual_seed(ctx.seed + 1)
    bn_model = make_model(cfg, ctx.device, batchnorm=True).train()
    g_bn_full = full_grad(bn_model, x, y)
    g_bn_acc = accumulated_grad(bn_model, x, y, even, [1 / cfg.k] * cfg.k)

    # 4. train: full batch, correct accumulation, accumulation without / k
    torch.manual_seed(ctx.seed + 2)
    init = make_model(cfg, ctx.device)
    runs: dict[str, dict] = {}
    plan = [
        ("full batch", None),
        (f"{cfg.k} x {micro}, loss / {cfg.k}", 1 / cfg.k),
        (f"{cfg.k} x {micro}, no / {cfg.k}", 1.0),
    ]
    for r, (label, weight) in enumerate(plan):
        net = copy.deepcopy(init)
        opt = SGD(net.parameters(), lr=cfg.lr)
        progress = ticker(ctx, label, 0.2 + 0.8 * r / 3, 0.2 + 0.8 * (r + 1) / 3)
        losses = []
        for step in range(steps):
            start = (step * cfg.batch) % n_pool
            xb, yb = x_pool[start : start + cfg.batch], y_pool[start : start + cfg.batch]
            with torch.no_grad():
                losses.append(float(F.mse_loss(net(xb), yb).item()))
            if weight is None:
                full_grad(net, xb, yb)
            else:
                accumulated_grad(net, xb, yb, even, [weight] * cfg.k)
            opt.step()
            if (step + 1) % max(1, steps // 5) == 0:
                progress((step + 1) / steps)
        params = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
        with torch.no_grad():
            final = float(F.mse_loss(net(x_pool), y_pool).item())
        runs[label] = {"losses": losses, "params": params, "final": final}
    full, good, bug = (runs[label] for label, _ in plan)
    dist_good = float(((good["params"] - full["params"]).norm() / full["params"].norm()).item())
    dist_bug = float(((bug["params"] - full["params"]).norm() / full["params"].norm()).item())

    # 5. report
    cap = 10 * full["losses"][0]  # the diverging run would otherwise squash the other curves
    metrics = {
        "grad_max_abs_diff": float((g_acc - g_full).abs().max().item()),
        "grad_rel_diff": rel(g_acc, g_full),
        "grad_rel_diff_float64": rel(g64_acc, g64_full),
        "bug_grad_ratio": float((g_bug.norm() / g_full.norm()).item()),
        "bug_grad_cosine": float(F.cosine_similarity(g_bug, g_full, dim=0).item()),
        "uneven_divide_by_k_rel_diff": rel(g_uneven_k, g_full),
        "uneven_weighted_rel_diff": rel(g_uneven_w, g_full),
        "batchnorm_rel_diff": rel(g_bn_acc, g_bn_full),
        "trained_param_rel_diff_correct": dist_good,
        "trained_param_rel_diff_bug": dist_bug,
        "final_loss_full": full["final"],
        "final_loss_correct": good["final"],
        "final_loss_bug": bug["final"],
        "k": cfg.k,
    }
    rows = [
        ["full batch of 64, mean loss", "reference", 0.0, 1.0],
        [f"{cfg.k} x {micro}, each loss / {cfg.k}", "correct", metrics["grad_rel_diff"], float((g_acc.norm() / g_full.norm()).item())],
        [f"{cfg.k} x {micro}, no division", "bug", rel(g_bug, g_full), metrics["bug_grad_ratio"]],
        [f"{'+'.join(map(str, uneven))}, each loss / {len(uneven)}", "unequal sizes", metrics["uneven_divide_by_k_rel_diff"],
         float((g_uneven_k.norm() / g_full.norm()).item())],
        [f"{'+'.join(map(str, uneven))}, each loss x n_i / {cfg.batch}", "correct", metrics["uneven_weighted_rel_diff"],
         float((g_uneven_w.norm() / g_full.norm()).item())],
        [f"with BatchNorm: {cfg.k} x {micro}, loss / {cfg.k}", "not equal", metrics["batchnorm_rel_diff"],
         float((g_bn_acc.norm() / g_bn_full.norm()).item())],
    ]  # fmt: skip
    parts = [
        f"Accumulating {cfg.k} micro-batches of {micro} with each loss divided by {cfg.k} reproduced the full-batch "
        f"gradient to a max difference of {fmt(metrics['grad_max_abs_diff'])} (relative {fmt(metrics['grad_rel_diff'])}; "
        f"{fmt(metrics['grad_rel_diff_float64'])} in float64, so it is only rounding), and {steps} SGD steps ended "
        f"{fmt(dist_good)} apart (relative) from full-batch training.",
        f"Forgetting the division made the gradient {fmt(metrics['bug_grad_ratio'])}x larger in the same direction "
        f"(cosine {fmt(metrics['bug_grad_cosine'])}), a {cfg.k}x learning rate: "
        + (
            f"its weights ended {fmt(dist_bug)} away and its final loss was {fmt(bug['final'])} against "
            f"{fmt(full['final'])}."
            if math.isfinite(bug["final"])
            else f"at lr {cfg.lr:g} x {cfg.k} training diverged to NaN (first non-finite loss at step "
            f"{next(i for i, v in enumerate(bug['losses']) if not math.isfinite(v))}), while the full batch reached "
            f"{fmt(full['final'])}."
        ),
        f"With unequal micro-batches ({'+'.join(map(str, uneven))}) dividing by {len(uneven)} is off by "
        f"{fmt(metrics['uneven_divide_by_k_rel_diff'])} (weighting by n_i / B: {fmt(metrics['uneven_weighted_rel_diff'])}).",
    ]
    if metrics["batchnorm_rel_diff"] > 1e-3:
        parts.append(
            f"With BatchNorm the accumulated gradient differs from the large-batch one by "
            f"{100 * metrics['batchnorm_rel_diff']:.0f}%, because each micro-batch is normalised with its own statistics."
        )
    else:
        parts.append(f"With BatchNorm the difference was only {fmt(metrics['batchnorm_rel_diff'])} here.")
    return DemoResult(
        header=(
            f"Compares the full-batch gradient of a batch of {cfg.batch} with gradients accumulated over {cfg.k} "
            "micro-batches (correctly, without dividing by k, with unequal sizes, with BatchNorm), then trains the "
            "same MLP with SGD on the full batch, with correct accumulation and with the bug."
        ),
        columns=["how the gradient is formed", "kind", "|g - g_full| / |g_full|", "|g| / |g_full|"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title=f"training loss per step (one step = one batch of {cfg.batch}; capped at 10x the initial loss)",
                series=[Series(label, thin([min(v, cap) for v in r["losses"]])) for label, r in runs.items()],
                log_y=True,
            )
        ],
    )
