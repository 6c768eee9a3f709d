"""ReLU vs GELU vs SiLU: gradient for negative inputs, smoothness, and the training loss of the same net.

ReLU's derivative is exactly 0 for every negative input and jumps from 0 to 1 at x = 0. GELU(x) = x Phi(x)
and SiLU(x) = x sigmoid(x) follow ReLU for large |x| but are smooth: their derivative changes gradually and
is non-zero for moderately negative inputs (they even dip below zero, to a minimum of about -0.17 and
-0.28). We measure, with autograd, (1) the share of pre-activations of a freshly initialised layer that get
exactly zero local gradient, and the mean |f'(x)| over negative inputs; (2) the largest change of f'
between neighbouring points 0.001 apart (a kink shows up as a jump of 1, a smooth curve as ~0.001 times its
curvature); (3) the minimum of each function; and (4) the training loss of one small MLP trained from the
same initial weights with each activation on a smooth regression target.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, randn, seeded, thin, ticker, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo

ACTIVATIONS = {"ReLU": nn.ReLU, "GELU": nn.GELU, "SiLU": nn.SiLU}


@dataclass(frozen=True)
class Config:
    n_samples: int = 512  # training points of the regression task
    n_in: int = 4  # input features
    width: int = 32  # hidden units per layer (two hidden layers)
    steps: int = 200  # full-batch Adam steps per activation
    lr: float = 0.02  # Adam learning rate
    grid_step: float = 1e-3  # spacing of the grid on which f' is compared between neighbours
    grid_limit: float = 4.0  # the grid covers [-grid_limit, grid_limit]


def local_gradient(act: nn.Module, x: Tensor) -> Tensor:
    """f'(x) elementwise, via autograd."""
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(act(x).sum(), x)
    return g


def make_net(cfg: Config, act: type[nn.Module], device: str) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(cfg.n_in, cfg.width), act(), nn.Linear(cfg.width, cfg.width), act(), nn.Linear(cfg.width, 1)
    ).to(device)


@demo(
    "gelu-silu-vs-relu",
    topic="activations",
    summary="ReLU vs GELU vs SiLU: zero-gradient share for negative inputs, kink vs smooth derivative, training loss",
)
def gelu_silu_vs_relu(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: a smooth non-linear regression target
    x = randn(gen, cfg.n_samples, cfg.n_in, device=ctx.device)
    y = (torch.sin(2 * x[:, :1]) * torch.cos(x[:, 1:2]) + 0.5 * x[:, 2:3] ** 2 - 0.3 * x[:, 3:4]).detach()

    # 2. model: the same initial weights for every activation (they have no parameters of their own)
    torch.manual_seed(ctx.seed + 1)
    net0 = make_net(cfg, nn.ReLU, ctx.device)
    initial_state = {k: v.clone() for k, v in net0.state_dict().items()}
    with torch.no_grad():
        pre = net0[0](x)  # first-layer pre-activations at initialisation
    grid = torch.arange(-cfg.grid_limit, cfg.grid_limit + cfg.grid_step / 2, cfg.grid_step, device=ctx.device)
    grid = grid.double()

    stats = {}
    for i, (name, act_cls) in enumerate(ACTIVATIONS.items()):
        act = act_cls()
        # 3. gradient of the activation: exact zeros on real pre-activations, size for negative inputs
        g_pre = local_gradient(act, pre)
        negative = pre < 0
        g_grid = local_gradient(act, grid)
        with torch.no_grad():
            values = act(grid)
        # 4. train the same net with this activation
        net = make_net(cfg, act_cls, ctx.device)
        net.load_state_dict(initial_state)
        losses = train(
            net,
            lambda net=net: F.mse_loss(net(x), y),
            steps=steps,
            lr=cfg.lr,
            optimizer="adam",
            progress=ticker(ctx, f"training with {name}", i / 3, (i + 1) / 3),
        )
        stats[name] = {
            "zero_grad_share": float((g_pre == 0).float().mean().item()),
            "mean_abs_grad_negative": float(g_pre[negative].abs().mean().item()),
            "max_derivative_jump": float((g_grid[1:] - g_grid[:-1]).abs().max().item()),
            "minimum": float(values.min().item()),
            "argmin": float(grid[values.argmin()].item()),
            "losses": losses,
            "final_loss": losses[-1],
            "derivative_curve": [float(v) for v in g_grid[:: max(1, len(g_grid) // 160)].tolist()],
        }

    # 5. report
    relu, gelu, silu = stats["ReLU"], stats["GELU"], stats["SiLU"]
    rows = [
        [
            name,
            s["zero_grad_share"],
            s["mean_abs_grad_negative"],
            s["max_derivative_jump"],
            s["minimum"],
            s["losses"][0],
            s["final_loss"],
        ]
        for name, s in stats.items()
    ]
    metrics = {
        "zero_grad_share_relu": relu["zero_grad_share"],
        "zero_grad_share_gelu": gelu["zero_grad_share"],
        "zero_grad_share_silu": silu["zero_grad_share"],
        "mean_abs_grad_negative_relu": relu["mean_abs_grad_negative"],
        "mean_abs_grad_negative_gelu": gelu["mean_abs_grad_negative"],
        "mean_abs_grad_negative_silu": silu["mean_abs_grad_negative"],
        "max_derivative_jump_relu": relu["max_derivative_jump"],
        "max_derivative_jump_gelu": gelu["max_derivative_jump"],
        "max_derivative_jump_silu": silu["max_derivative_jump"],
        "minimum_gelu": gelu["minimum"],
        "minimum_silu": silu["minimum"],
        "argmin_gelu": gelu["argmin"],
        "argmin_silu": silu["argmin"],
        "final_loss_relu": relu["final_loss"],
        "final_loss_gelu": gelu["final_loss"],
        "final_loss_silu": silu["final_loss"],
        "initial_loss": relu["losses"][0],
        "non_positive_share": float((pre <= 0).float().mean().item()),
    }

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    parts = [
        f"At initialisation ReLU gave exactly zero local gradient to {pct(relu['zero_grad_share'])} of the "
        f"first-layer pre-activations (every negative one), GELU to {pct(gelu['zero_grad_share'])} and SiLU to "
        f"{pct(silu['zero_grad_share'])}; over negative inputs their mean |f'| was {fmt(gelu['mean_abs_grad_negative'])} "
        f"and {fmt(silu['mean_abs_grad_negative'])}.",
        f"Across a step of {cfg.grid_step:g}, ReLU's derivative jumps by {fmt(relu['max_derivative_jump'])} (the kink "
        f"at 0) while GELU's changes by at most {fmt(gelu['max_derivative_jump'])} and SiLU's by "
        f"{fmt(silu['max_derivative_jump'])}; both dip below zero (minima {fmt(gelu['minimum'])} at x = "
        f"{fmt(gelu['argmin'])} and {fmt(silu['minimum'])} at x = {fmt(silu['argmin'])}).",
    ]
    best = min(stats, key=lambda n: stats[n]["final_loss"])
    worst = max(stats, key=lambda n: stats[n]["final_loss"])
    ratio = stats[worst]["final_loss"] / max(stats[best]["final_loss"], 1e-12)
    if ratio < 1.5:
        parts.append(
            f"On the small regression net the final training losses were close: ReLU {fmt(relu['final_loss'])}, "
            f"GELU {fmt(gelu['final_loss'])}, SiLU {fmt(silu['final_loss'])} (the gains are modest, as in practice)."
        )
    else:
        parts.append(
            f"On the small regression net (a smooth target) {best} reached the lowest training loss: ReLU "
            f"{fmt(relu['final_loss'])}, GELU {fmt(gelu['final_loss'])}, SiLU {fmt(silu['final_loss'])} after "
            f"{steps} steps, {fmt(ratio)}x between worst ({worst}) and best."
        )
    curve_x = [float(v) for v in grid[:: max(1, len(grid) // 160)].tolist()]
    return DemoResult(
        header=(
            "Compares ReLU, GELU and SiLU: local gradients on the pre-activations of a fresh layer, the "
            "derivative's jump between neighbouring points (kink vs smooth), the minimum of each curve, and the "
            f"training loss of one MLP trained {steps} Adam steps from the same initial weights with each."
        ),
        columns=[
            "activation",
            "share with f' = 0",
            "mean |f'| for x < 0",
            f"max jump of f' per {cfg.grid_step:g}",
            "minimum of f",
            "initial loss",
            "final loss",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="derivative f'(x)",
                series=[Series(name, s["derivative_curve"], x=curve_x) for name, s in stats.items()],
                x_label="x",
            ),
            Chart(
                title="training loss",
                series=[Series(name, thin(s["losses"])) for name, s in stats.items()],
                log_y=True,
            ),
        ],
    )
