"""Depth vs width: a deep narrow ReLU net represents a sawtooth that a shallow net of the same size cannot.

The target is the tent map T(x) = 1 - |2x - 1| composed k times on [0, 1]: a sawtooth with 2^(k-1) teeth,
2^k linear pieces. Composition is what depth does: one layer of two ReLUs computes T exactly
(T(x) = 2 relu(x) - 4 relu(x - 1/2)), so k such layers compute T^k with only 6k + 1 parameters. A network
with one hidden layer of n ReLUs is piecewise linear with at most n + 1 pieces, so it needs 2^k units
(3 * 2^k + 1 parameters) for the same function: linear vs exponential in k.

Three measurements: (1) for k = 2..8, the deep construction and the exact shallow construction (knots at
every break point, output layer by least squares) both fit to rounding error, and their sizes are
compared; (2) at the deep net's budget, a shallow net (knots spread evenly, output by least squares, then
also trained with Adam) stays near the variance of the target; (3) the cost of depth: the same deep
architecture trained by Adam from a random initialization does not find the construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, mlp, rand, seeded, thin, ticker, to_floats, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    ks: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8)  # tent-map compositions (2^k linear pieces)
    k_budget: int = 5  # the k at which the equal-budget contrast and the training are run
    n_grid: int = 513  # training grid on [0, 1], contains every break point j / 2^k for k <= 9
    n_test: int = 2000  # random test points on [0, 1]
    steps: int = 150  # Adam steps for the trained nets
    lr: float = 0.01  # Adam learning rate


def _dtype(device: str) -> torch.dtype:
    return torch.float32 if device == "mps" else torch.float64  # MPS has no float64


def _sawtooth(x: Tensor, k: int) -> Tensor:
    for _ in range(k):
        x = 1 - (2 * x - 1).abs()
    return x


def _deep_tent_net(k: int, device: str, dtype: torch.dtype) -> nn.Sequential:
    """k hidden layers of 2 ReLUs with hand-set weights: exactly T^k on [0, 1]."""
    net = mlp([1] + [2] * k + [1], device=device).to(dtype)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for i, layer in enumerate(linears[:-1]):
            # input of layer i is x (i = 0) or the previous T value 2 z1 - 4 z2 (i > 0)
            layer.weight.copy_(torch.tensor([[1.0], [1.0]]) if i == 0 else torch.tensor([[2.0, -4.0], [2.0, -4.0]]))
            layer.bias.copy_(torch.tensor([0.0, -0.5]))
        linears[-1].weight.copy_(torch.tensor([[2.0, -4.0]]))
        linears[-1].bias.zero_()
    return net


def _hinge_fit(x: Tensor, y: Tensor, knots: Tensor) -> Tensor:
    """Output weights (least squares) of the shallow net sum_j a_j relu(x - t_j) + c; returns [a..., c]."""
    feats = torch.cat([torch.relu(x - knots), torch.ones_like(x)], dim=1)
    return torch.linalg.lstsq(feats, y).solution


def _hinge_eval(x: Tensor, knots: Tensor, w: Tensor) -> Tensor:
    return torch.cat([torch.relu(x - knots), torch.ones_like(x)], dim=1) @ w


def _count(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


@demo(
    "depth-vs-width",
    topic="neural-networks",
    summary="a sawtooth: 6k+1 parameters deep vs 3*2^k+1 shallow; at equal size the shallow net cannot fit it",
)
def depth_vs_width(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev, dt = ctx.device, _dtype(ctx.device)

    # 1. data: a grid on [0, 1] holding every break point, and random test points
    x = torch.linspace(0, 1, cfg.n_grid, device=dev, dtype=dt).unsqueeze(1)
    xt = rand(gen, cfg.n_test, 1, device=dev).to(dt)

    # 2. exact constructions for each k: deep (k layers of 2 ReLUs) vs shallow (2^k hinges)
    rows: list[list[object]] = []
    deep_err, shallow_err, deep_params, shallow_params = {}, {}, {}, {}
    for k in cfg.ks:
        deep = _deep_tent_net(k, dev, dt)
        knots = torch.arange(2**k, device=dev, dtype=dt).unsqueeze(0) / 2**k  # every break point, and 0
        w = _hinge_fit(x, _sawtooth(x, k), knots)
        with torch.no_grad():
            deep_err[k] = float((deep(xt) - _sawtooth(xt, k)).abs().max().item())
        shallow_err[k] = float((_hinge_eval(xt, knots, w) - _sawtooth(xt, k)).abs().max().item())
        deep_params[k], shallow_params[k] = _count(deep), 3 * 2**k + 1
        rows.append([f"k={k}, {2**k} pieces", "deep, 2 ReLUs x k layers", deep_params[k], "max |error|", deep_err[k]])
        rows.append(
            [f"k={k}, {2**k} pieces", f"shallow, {2**k} ReLUs", shallow_params[k], "max |error|", shallow_err[k]]
        )
    ctx.progress("constructions", 0.2)

    # 3. at the deep net's budget (k = k_budget): a shallow net with as many parameters
    k = cfg.k_budget
    y, yt = _sawtooth(x, k), _sawtooth(xt, k)
    variance = float(yt.var().item())
    budget = deep_params[k]
    width = (budget - 1) // 3  # 3 n + 1 parameters
    knots = (torch.arange(width, device=dev, dtype=dt).unsqueeze(0) + 0.5) / width
    w = _hinge_fit(x, y, knots)
    shallow_ls = float((_hinge_eval(xt, knots, w) - yt).pow(2).mean().item())
    steps = ctx.steps_or(cfg.steps)
    shallow_net = mlp([1, width, 1], device=dev).to(dt)
    with torch.no_grad():  # start the trained shallow net from the least-squares one: hinges spread, read-out fitted
        shallow_net[0].weight.fill_(1.0)
        shallow_net[0].bias.copy_(-knots.squeeze(0))
        shallow_net[2].weight.copy_(w[:-1].T)
        shallow_net[2].bias.copy_(w[-1])
    shallow_curve = train(
        shallow_net,
        lambda: F.mse_loss(shallow_net(x), y),
        steps=steps,
        lr=cfg.lr,
        optimizer="adam",
        progress=ticker(ctx, "shallow net", 0.2, 0.6),
    )
    with torch.no_grad():
        shallow_trained = float((shallow_net(xt) - yt).pow(2).mean().item())
        deep_exact = float((_deep_tent_net(k, dev, dt)(xt) - yt).pow(2).mean().item())

    # 4. the cost of depth: the same deep architecture trained from a random initialization
    torch.manual_seed(ctx.seed + 1)
    deep_net = mlp([1] + [2] * k + [1], device=dev).to(dt)
    deep_curve = train(
        deep_net,
        lambda: F.mse_loss(deep_net(x), y),
        steps=steps,
        lr=cfg.lr,
        optimizer="adam",
        progress=ticker(ctx, "deep net from random init", 0.6, 1.0),
    )
    with torch.no_grad():
        deep_trained = float((deep_net(xt) - yt).pow(2).mean().item())
        chart_x = x[::2]
        curves = {
            "target": _sawtooth(chart_x, k),
            f"shallow {width} ReLUs, trained": shallow_net(chart_x),
        }

    # 5. report
    label = f"k={k}, {budget} parameters"
    rows += [
        [label, "deep construction", budget, "test MSE", deep_exact],
        [label, f"shallow {width} ReLUs, least squares", 3 * width + 1, "test MSE", shallow_ls],
        [label, f"shallow {width} ReLUs, + {steps} Adam steps", _count(shallow_net), "test MSE", shallow_trained],
        [label, f"deep 2 x {k}, {steps} Adam steps from random init", _count(deep_net), "test MSE", deep_trained],
    ]
    shallow_best = min(shallow_ls, shallow_trained)
    kmax = cfg.ks[-1]
    metrics = {
        "deep_max_error": max(deep_err.values()),
        "shallow_exact_max_error": max(shallow_err.values()),
        "deep_params": [deep_params[k_] for k_ in cfg.ks],
        "shallow_params": [shallow_params[k_] for k_ in cfg.ks],
        "budget": budget,
        "shallow_width_at_budget": width,
        "target_variance": variance,
        "deep_exact_test_mse": deep_exact,
        "shallow_ls_test_mse": shallow_ls,
        "shallow_trained_test_mse": shallow_trained,
        "deep_trained_test_mse": deep_trained,
    }
    takeaway = (
        (
            "Both constructions fit the sawtooth to rounding error"
            if max(metrics["deep_max_error"], metrics["shallow_exact_max_error"]) < 1e-6
            else "The constructions do NOT fit the sawtooth exactly"
        )
        + f" (max |error| {fmt(metrics['deep_max_error'])} deep, "
        f"{fmt(metrics['shallow_exact_max_error'])} shallow), but the deep net needs {deep_params[kmax]} parameters "
        f"at k={kmax} and the shallow one {shallow_params[kmax]:,}. With the deep net's {budget} parameters "
        f"at k={k}, a shallow net of {width} ReLUs (at most {width + 1} of the {2**k} pieces) reaches a test MSE of "
        f"only {fmt(shallow_best)}, against {fmt(deep_exact)} for the deep net and {fmt(variance)} for predicting "
        f"the mean. "
        + (
            f"Depth is harder to optimize, though: the same deep architecture trained by Adam from a random "
            f"initialization ended at {fmt(deep_trained)}, nowhere near its own construction."
            if deep_trained > 0.1 * variance
            else f"The same deep architecture trained by Adam from a random initialization reached {fmt(deep_trained)}."
        )
    )
    cx = to_floats(chart_x)
    return DemoResult(
        header=(
            "The tent map composed k times is a sawtooth with 2^k linear pieces. Deep narrow ReLU nets "
            "(2 units per layer, k layers, weights set by hand) vs shallow ReLU nets (one hidden layer): how many "
            "parameters each needs to fit it exactly, and what a shallow net with the deep net's budget achieves."
        ),
        columns=["target", "model", "parameters", "measure", "value"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"k={k}: target vs a shallow net with the deep net's {budget} parameters",
                series=[Series(name, to_floats(v), x=cx) for name, v in curves.items()],
                x_label="x",
            ),
            Chart(
                title=f"training loss at {budget} parameters",
                series=[
                    Series(f"shallow {width} ReLUs (from least squares)", thin(shallow_curve)),
                    Series(f"deep 2 x {k} from random init", thin(deep_curve)),
                ],
                log_y=True,
            ),
        ],
    )
