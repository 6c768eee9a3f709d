"""Initialization schemes: the weight scale decides whether activations survive a deep stack.

A layer y = W x with W ~ N(0, s^2) multiplies the activation variance by about fan_in * s^2 (times the
activation's own gain). Too small (s = 0.01) and the signal dies within a few layers; too large (s = 1) and
it explodes (ReLU) or saturates at +-1 (tanh). Xavier (s^2 = 1 / fan_in here, fan_in = fan_out) keeps tanh
alive; He (s^2 = 2 / fan_in) compensates for ReLU zeroing half its inputs and keeps ReLU stable. We push one
random batch through 30 layers and record the standard deviation of the activations after every layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    depth: int = 30  # layers
    width: int = 128  # units per layer (fan_in = fan_out = width)
    n_samples: int = 256  # batch pushed through the stack
    naive_small: float = 0.01  # std of the "naive small" init
    naive_large: float = 1.0  # std of the "naive large" init


def layer_stds(
    x: Tensor, std: float, act: Callable[[Tensor], Tensor], depth: int, gen: torch.Generator, device: str
) -> list[float]:
    """Std of the activations after each of `depth` random layers with weights ~ N(0, std^2)."""
    h, stds = x, []
    for _ in range(depth):
        w = randn(gen, h.shape[1], h.shape[1], device=device) * std
        h = act(h @ w)
        stds.append(float(h.std().item()))
    return stds


@demo(
    "init-schemes",
    topic="initialization",
    summary="naive vs Xavier vs He initialization: activation std across 30 layers, tanh and ReLU",
)
def init_schemes(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    # 1. data: one batch of unit-variance inputs
    gen = seeded(ctx)
    x = randn(gen, cfg.n_samples, cfg.width, device=ctx.device)

    # 2. the four weight scales, for each activation
    schemes = {
        f"naive N(0, {cfg.naive_small:g}²)": cfg.naive_small,
        f"naive N(0, {cfg.naive_large:g}²)": cfg.naive_large,
        "Xavier": math.sqrt(1 / cfg.width),
        "He": math.sqrt(2 / cfg.width),
    }
    acts: dict[str, Callable[[Tensor], Tensor]] = {"tanh": torch.tanh, "ReLU": torch.relu}
    stds: dict[tuple[str, str], list[float]] = {}
    done, total = 0, len(schemes) * len(acts)
    with torch.no_grad():
        for act_name, act in acts.items():
            for scheme, std in schemes.items():
                # 3. measure: activation std after every layer (same random weights for every scheme)
                stds[(act_name, scheme)] = layer_stds(x, std, act, cfg.depth, seeded(ctx, offset=1), ctx.device)
                done += 1
                ctx.progress(f"{act_name}, {scheme}", done / total)

    # 4. report
    mid = cfg.depth // 2
    rows = []
    for (act_name, scheme), s in stds.items():
        last = s[-1]
        if not math.isfinite(last) or last > 1e3:
            verdict = "explodes"
        elif last < 1e-3:
            verdict = "vanishes"
        elif act_name == "tanh" and last > 0.9:
            verdict = "saturated at ±1"
        else:
            verdict = "stays usable"
        rows.append([act_name, scheme, s[0], s[mid - 1], last, verdict])
    short = {"tanh": "tanh", "ReLU": "relu"}
    keys = dict(zip(schemes, ["naive_small", "naive_large", "xavier", "he"], strict=True))
    k_small, k_large = list(schemes)[:2]
    relu_he, relu_xavier = stds[("ReLU", "He")][-1], stds[("ReLU", "Xavier")][-1]
    tanh_xavier = stds[("tanh", "Xavier")][-1]
    metrics: dict[str, float] = {"std_last_relu_he": relu_he, "std_last_relu_xavier": relu_xavier}
    metrics |= {f"std_last_{short[a]}_{keys[s]}": values[-1] for (a, s), values in stds.items()}
    takeaway = (
        f"After {cfg.depth} layers: with std {cfg.naive_small:g} the activations shrink to "
        f"{fmt(stds[('tanh', k_small)][-1])} (tanh) and {fmt(stds[('ReLU', k_small)][-1])} (ReLU); with std "
        f"{cfg.naive_large:g} ReLU activations reach {fmt(stds[('ReLU', k_large)][-1])} and tanh sits at "
        f"{fmt(stds[('tanh', k_large)][-1])} (saturated). Xavier keeps tanh alive at {fmt(tanh_xavier)} but lets ReLU "
        f"fall to {fmt(relu_xavier)}; He keeps ReLU at {fmt(relu_he)}."
    )
    if not (relu_xavier < 0.1 * relu_he and 0.1 < relu_he < 10):
        takeaway += " (In this run He did not clearly beat Xavier for ReLU.)"
    layers = [float(i + 1) for i in range(cfg.depth)]
    return DemoResult(
        header=(
            f"Pushes one random batch through {cfg.depth} layers of width {cfg.width} with tanh and with ReLU, under "
            "four weight scales, and records the std of the activations after each layer. Healthy training needs "
            "it to stay roughly constant."
        ),
        columns=[
            "activation",
            "init",
            "std after layer 1",
            f"after layer {mid}",
            f"after layer {cfg.depth}",
            "verdict",
        ],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"activation std per layer, {act_name}",
                series=[Series(scheme, stds[(act_name, scheme)], x=layers) for scheme in schemes],
                x_label="layer",
                log_y=True,
            )
            for act_name in acts
        ],
    )
