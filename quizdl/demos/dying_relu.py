"""Dying ReLU: a unit whose pre-activation is negative on every input outputs 0 and gets 0 gradient, for good.

Two ways to kill units: (a) a too-large learning rate, whose big updates shove units into the negative
region for every input; (b) a negative bias at initialization. The same network, from the same initial
weights, is trained with ReLU and with Leaky ReLU (slope 0.01 below zero). A hidden unit is "off" when its
pre-activation is <= 0 on every training input: under ReLU it is then dead (its weights get exactly zero
gradient and cannot change), under Leaky ReLU it still gets 1% of the gradient and can come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, randn, seeded, thin, ticker, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_samples: int = 256  # training points
    n_in: int = 8  # input features
    width: int = 64  # hidden units per layer (two hidden layers)
    steps: int = 80  # full-batch Adam steps per run
    lr_normal: float = 0.02  # a sensible learning rate (the baseline)
    lr_high: float = 0.3  # a learning rate large enough to kill units
    negative_bias: float = -2.0  # scenario (b): initial bias of every hidden unit
    leak: float = 0.01  # Leaky ReLU slope for x < 0


class Net(nn.Module):
    """Two hidden layers; leak = 0 is plain ReLU. Exposes the hidden pre-activations."""

    def __init__(self, cfg: Config, leak: float) -> None:
        super().__init__()
        self.fc1 = nn.Linear(cfg.n_in, cfg.width)
        self.fc2 = nn.Linear(cfg.width, cfg.width)
        self.out = nn.Linear(cfg.width, 1)
        self.leak = leak

    def pre_activations(self, x: Tensor) -> list[Tensor]:
        z1 = self.fc1(x)
        z2 = self.fc2(F.leaky_relu(z1, self.leak))
        return [z1, z2]

    def forward(self, x: Tensor) -> Tensor:
        return self.out(F.leaky_relu(self.pre_activations(x)[1], self.leak))


@torch.no_grad()
def off_fraction(net: Net, x: Tensor) -> float:
    """Share of hidden units (both layers) whose pre-activation is <= 0 on every input."""
    off = [(z <= 0).all(dim=0) for z in net.pre_activations(x)]
    return float(torch.cat(off).float().mean().item())


def gradient_fraction(net: Net, x: Tensor, y: Tensor) -> float:
    """Share of hidden units whose incoming weights get a non-zero gradient from the full batch."""
    net.zero_grad(set_to_none=True)
    F.mse_loss(net(x), y).backward()
    alive = [(layer.weight.grad.abs().sum(dim=1) > 0) for layer in (net.fc1, net.fc2)]
    return float(torch.cat(alive).float().mean().item())


def run(
    cfg: Config,
    ctx: DemoContext,
    leak: float,
    lr: float,
    bias: float | None,
    steps: int,
    label: str,
    span: tuple[float, float],
) -> dict[str, Any]:
    # 1. data: a smooth non-linear target of 8 features, the same for every run
    gen = seeded(ctx)
    x = randn(gen, cfg.n_samples, cfg.n_in, device=ctx.device)
    w = randn(gen, cfg.n_in, 1, device=ctx.device)
    y = torch.sin(x @ w / cfg.n_in**0.5) + 0.5 * torch.cos(x[:, :1])
    # 2. model: the same initial weights for every run (seeded again), optionally a negative bias
    torch.manual_seed(ctx.seed + 1)
    net = Net(cfg, leak).to(ctx.device)
    if bias is not None:
        with torch.no_grad():
            net.fc1.bias.fill_(bias)
            net.fc2.bias.fill_(bias)
    off_start = off_fraction(net, x)
    # 3. train full batch with Adam
    losses = train(
        net, lambda: F.mse_loss(net(x), y), steps=steps, lr=lr, optimizer="adam", progress=ticker(ctx, label, *span)
    )
    # 4. measure: units off on every input, units still getting gradient, loss
    return {
        "off_start": off_start,
        "off_end": off_fraction(net, x),
        "grad_end": gradient_fraction(net, x, y),
        "losses": losses,
    }


@demo(
    "dying-relu",
    topic="activations",
    summary="a large learning rate or negative bias leaves ReLU units dead; Leaky ReLU keeps them alive",
)
def dying_relu(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    plan = [
        ("ReLU", 0.0, cfg.lr_normal, None, "baseline lr"),
        ("ReLU", 0.0, cfg.lr_high, None, "high lr"),
        ("Leaky ReLU", cfg.leak, cfg.lr_high, None, "high lr"),
        ("ReLU", 0.0, cfg.lr_normal, cfg.negative_bias, f"bias {cfg.negative_bias:g}"),
        ("Leaky ReLU", cfg.leak, cfg.lr_normal, cfg.negative_bias, f"bias {cfg.negative_bias:g}"),
    ]
    res = []
    for i, (act, leak, lr, bias, scenario) in enumerate(plan):
        span = (i / len(plan), (i + 1) / len(plan))
        res.append(run(cfg, ctx, leak, lr, bias, steps, f"{act}, {scenario}", span))

    # 5. report
    rows = [
        [act, scenario, lr, r["off_start"], r["off_end"], r["grad_end"], r["losses"][0], r["losses"][-1]]
        for (act, _leak, lr, _bias, scenario), r in zip(plan, res, strict=True)
    ]
    base, relu_hi, leaky_hi, relu_nb, leaky_nb = res
    metrics = {
        "dead_fraction_relu": relu_hi["off_end"],
        "dead_fraction_relu_baseline": base["off_end"],
        "dead_fraction_leaky": leaky_hi["off_end"],
        "gradient_fraction_relu": relu_hi["grad_end"],
        "gradient_fraction_leaky": leaky_hi["grad_end"],
        "dead_fraction_start_negative_bias": relu_nb["off_start"],
        "dead_fraction_relu_negative_bias": relu_nb["off_end"],
        "dead_fraction_leaky_negative_bias": leaky_nb["off_end"],
        "final_loss_relu_negative_bias": relu_nb["losses"][-1],
        "final_loss_leaky_negative_bias": leaky_nb["losses"][-1],
    }

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    parts = [
        f"At lr={cfg.lr_high:g}, {pct(relu_hi['off_end'])} of ReLU units ended dead "
        f"(vs {pct(base['off_end'])} at lr={cfg.lr_normal:g});"
        f" only {pct(relu_hi['grad_end'])} of ReLU units still get any gradient, against "
        f"{pct(leaky_hi['grad_end'])} under Leaky ReLU, whose {pct(leaky_hi['off_end'])} of off units keep learning.",
        f"From bias {cfg.negative_bias:g}, {pct(relu_nb['off_start'])} of units start off:",
    ]
    if relu_nb["off_end"] > leaky_nb["off_end"]:
        parts.append(
            f"after {steps} steps ReLU still has {pct(relu_nb['off_end'])} dead while Leaky ReLU revived units "
            f"down to {pct(leaky_nb['off_end'])} off,"
        )
    else:
        parts.append(
            f"after {steps} steps ReLU has {pct(relu_nb['off_end'])} off and Leaky ReLU "
            f"{pct(leaky_nb['off_end'])}, so the leak revived no units here,"
        )
    parts.append(f"and the loss ended at {fmt(relu_nb['losses'][-1])} (ReLU) vs {fmt(leaky_nb['losses'][-1])} (Leaky).")
    return DemoResult(
        header=(
            "Trains one small MLP several times from the same initial weights with Adam: ReLU vs Leaky ReLU, "
            "with a too-large learning rate and with a negative initial bias. A unit is off when its "
            "pre-activation is <= 0 on every training input; under ReLU an off unit gets zero gradient (dead)."
        ),
        columns=[
            "activation",
            "scenario",
            "lr",
            "off at start",
            "off at end",
            "getting gradient",
            "loss at start",
            "final loss",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title=f"training loss from bias {cfg.negative_bias:g}",
                series=[Series("ReLU", thin(relu_nb["losses"])), Series("Leaky ReLU", thin(leaky_nb["losses"]))],
                log_y=True,
            )
        ],
    )
