"""Vanishing gradients: backprop multiplies the gradient by each layer's Jacobian, and sigmoid shrinks it.

The sigmoid's derivative is at most 0.25, so through 20 sigmoid layers the gradient reaching the first layer
is many orders of magnitude smaller than at the last: early layers barely learn. ReLU (derivative 1 where
active) with He init keeps it about constant. A residual connection h + f(h) gives the gradient an identity
path around every layer, so even sigmoid blocks pass it through.

We measure, for one backward pass, the norm of dLoss/dh_l: the gradient arriving at the output of layer l.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    depth: int = 20  # hidden layers
    width: int = 64  # units per layer (and input features)
    n_samples: int = 256  # batch for the one backward pass


class Stack(nn.Module):
    """`depth` Linear+activation layers, optionally as residual blocks h + act(W h + b)."""

    def __init__(self, cfg: Config, act: Callable[[Tensor], Tensor], residual: bool) -> None:
        super().__init__()
        self.act, self.residual = act, residual
        self.layers = nn.ModuleList(nn.Linear(cfg.width, cfg.width) for _ in range(cfg.depth))
        for layer in self.layers:
            if act is torch.relu:
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # He init for ReLU
            else:
                nn.init.xavier_normal_(layer.weight)  # Xavier init for sigmoid
            if residual and act is torch.relu:  # scale the branch so a ReLU residual stream does not blow up
                with torch.no_grad():
                    layer.weight.mul_(1 / math.sqrt(cfg.depth))
            nn.init.zeros_(layer.bias)
        self.head = nn.Linear(cfg.width, 1)

    def forward(self, x: Tensor) -> tuple[Tensor, list[Tensor]]:
        h, hidden = x, []
        for layer in self.layers:
            out = self.act(layer(h))
            h = h + out if self.residual else out
            h.retain_grad()
            hidden.append(h)
        return self.head(h), hidden


@demo(
    "vanishing-gradients",
    topic="optimization",
    summary="per-layer gradient norms: sigmoid vs ReLU, with and without residual connections",
)
def vanishing_gradients(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    # 1. data: random inputs and targets (only the gradient's size matters here)
    gen = seeded(ctx)
    x = randn(gen, cfg.n_samples, cfg.width, device=ctx.device)
    y = randn(gen, cfg.n_samples, 1, device=ctx.device)

    # 2. four networks, one forward and backward pass each
    variants = [
        ("sigmoid", torch.sigmoid, False),
        ("ReLU", torch.relu, False),
        ("sigmoid + residual", torch.sigmoid, True),
        ("ReLU + residual", torch.relu, True),
    ]
    grads: dict[str, list[float]] = {}
    first_weight_grad: dict[str, float] = {}
    for i, (label, act, residual) in enumerate(variants):
        torch.manual_seed(ctx.seed + 1)
        net = Stack(cfg, act, residual).to(ctx.device)
        out, hidden = net(x)
        F.mse_loss(out, y).backward()
        # 3. measure: gradient norm at each layer's output, and the first layer's weight gradient
        grads[label] = [float(h.grad.norm().item()) for h in hidden]
        first_weight_grad[label] = float(net.layers[0].weight.grad.norm().item())
        ctx.progress(label, (i + 1) / len(variants))

    ratio = {label: g[0] / g[-1] if g[-1] > 0 else math.nan for label, g in grads.items()}
    rows = [
        [label, grads[label][0], grads[label][-1], ratio[label], first_weight_grad[label]]
        for label, _act, _res in variants
    ]

    # 4. report
    keys = {"sigmoid": "sigmoid", "ReLU": "relu", "sigmoid + residual": "sigmoid_residual"}
    keys["ReLU + residual"] = "relu_residual"
    metrics: dict[str, float] = {f"grad_ratio_{keys[k]}": v for k, v in ratio.items()}
    metrics |= {f"first_layer_weight_grad_{keys[k]}": v for k, v in first_weight_grad.items()}
    sig, relu, sig_res = ratio["sigmoid"], ratio["ReLU"], ratio["sigmoid + residual"]
    orders = -math.log10(sig) if sig > 0 else math.inf
    if sig < 1e-3:
        plain = (
            f"Through {cfg.depth} sigmoid layers the gradient reaching layer 1 is {fmt(sig)} of the one at layer "
            f"{cfg.depth} (about {orders:.0f} orders of magnitude lost), against {fmt(relu)} for ReLU with He init."
        )
    else:
        plain = f"First/last gradient ratio: sigmoid {fmt(sig)}, ReLU {fmt(relu)}: no strong vanishing in this run."
    if sig_res > 100 * sig:
        res = (
            f"Residual connections bring the sigmoid ratio back to {fmt(sig_res)} "
            f"(ReLU + residual: {fmt(ratio['ReLU + residual'])}): the identity path carries the gradient."
        )
    else:
        res = f"Residual connections gave a ratio of {fmt(sig_res)} for sigmoid: they did not help here."
    return DemoResult(
        header=(
            f"One backward pass through {cfg.depth}-layer MLPs (width {cfg.width}): sigmoid (Xavier init) vs ReLU "
            "(He init), each plain and with residual connections h + f(h). Shown: the norm of the gradient "
            "arriving at each layer's output."
        ),
        columns=["network", "grad at layer 1", f"grad at layer {cfg.depth}", "ratio first/last", "layer-1 weight grad"],
        rows=rows,
        takeaway=f"{plain} {res}",
        metrics=metrics,
        charts=[
            Chart(
                title="gradient norm at each layer's output",
                series=[
                    Series(label, values, x=[float(i + 1) for i in range(cfg.depth)]) for label, values in grads.items()
                ],
                x_label="layer",
                log_y=True,
            )
        ],
    )
