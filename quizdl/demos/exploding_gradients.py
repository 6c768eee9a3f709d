"""Exploding gradients: through many layers, the gradient is a product of many Jacobians and can blow up.

A 12-layer ReLU MLP is initialized 1.3x too large (weights ~ N(0, (1.3 * sqrt(2 / width))^2), i.e. 1.3x He),
so every layer multiplies the backward signal by about 1.3: the gradient norm starts in the hundreds or
thousands. Plain SGD takes one huge step, the weights grow, the next gradient is larger still, and within a
few steps the loss is inf/NaN. The same run with the total gradient norm clipped to 1 takes bounded steps,
stays finite, and its loss falls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from quizdl.demos.common import fmt, randn, seeded, thin, ticker, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_samples: int = 256  # training points
    width: int = 32  # inputs and hidden units per layer
    depth: int = 12  # hidden layers
    gain: float = 1.3  # init std as a multiple of He's sqrt(2 / width): > 1 makes gradients grow per layer
    lr: float = 0.05  # SGD learning rate, the same for both runs
    clip_norm: float = 1.0  # max total gradient norm in the clipped run
    steps: int = 200  # full-batch SGD steps


def deep_net(cfg: Config, device: str) -> nn.Sequential:
    layers: list[nn.Module] = []
    for _ in range(cfg.depth):
        lin = nn.Linear(cfg.width, cfg.width)
        nn.init.normal_(lin.weight, std=cfg.gain * math.sqrt(2 / cfg.width))
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.ReLU()]
    layers.append(nn.Linear(cfg.width, 1))
    return nn.Sequential(*layers).to(device)


@demo(
    "exploding-gradients",
    topic="optimization",
    summary="gradient norm and loss of a deep net with and without gradient clipping",
)
def exploding_gradients(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    # 1. data: a non-linear target, standardized so a constant prediction has loss 1
    gen = seeded(ctx)
    x = randn(gen, cfg.n_samples, cfg.width, device=ctx.device)
    y = torch.sin(2 * x[:, :1]) + x[:, 1:2] * x[:, 2:3]
    y = (y - y.mean()) / y.std()

    # 2. two runs from identical initial weights: plain SGD, and SGD with the gradient norm clipped
    runs: dict[str, dict[str, list[float]]] = {}
    for i, (label, clip) in enumerate([("no clipping", None), (f"clipped to {cfg.clip_norm:g}", cfg.clip_norm)]):
        torch.manual_seed(ctx.seed + 1)
        net = deep_net(cfg, ctx.device)
        norms: list[float] = []
        losses = train(
            net,
            lambda net=net: F.mse_loss(net(x), y),
            steps=steps,
            lr=cfg.lr,
            clip_norm=clip,
            on_step=lambda _step, norm, norms=norms: norms.append(norm),
            stop_on_nonfinite=True,
            progress=ticker(ctx, label, i / 2, (i + 1) / 2),
        )
        runs[label] = {"losses": losses, "norms": norms}

    # 3. measure: the largest gradient norm seen, when the loss first went non-finite, the loss drop
    (plain_label, plain), (clip_label, clipped) = runs.items()

    def first_bad(values: list[float]) -> int | None:
        return next((i for i, v in enumerate(values) if not math.isfinite(v)), None)

    plain_bad = first_bad(plain["losses"])
    plain_norm_bad = first_bad(plain["norms"])
    finite_plain_norms = [n for n in plain["norms"] if math.isfinite(n)]
    plain_max = max(finite_plain_norms) if plain_norm_bad is None else math.inf
    clipped_finite = all(math.isfinite(v) for v in clipped["losses"] + clipped["norms"])
    initial, final = clipped["losses"][0], clipped["losses"][-1]

    rows = []
    for label, run in runs.items():
        bad = first_bad(run["losses"])
        rows.append(
            [
                label,
                run["norms"][0],
                max(run["norms"]) if all(math.isfinite(n) for n in run["norms"]) else math.inf,
                run["losses"][0],
                run["losses"][-1],
                "never" if bad is None else bad,
            ]
        )

    # 4. report
    metrics = {
        "max_grad_norm_unclipped": plain_max,
        "initial_loss": initial,
        "initial_grad_norm": clipped["norms"][0],
        "unclipped_nonfinite_step": -1 if plain_bad is None else plain_bad,
        "final_loss_unclipped": plain["losses"][-1],
        "final_loss_clipped": final,
        "clipped_finite": clipped_finite,
        "loss_ratio_clipped": final / initial,
    }
    if plain_bad is not None:
        plain_story = (
            f"Without clipping the gradient norm climbed from {fmt(plain['norms'][0])} to "
            f"{fmt(max(finite_plain_norms)) if finite_plain_norms else 'inf'}"
            f"{' and then inf/NaN' if plain_norm_bad is not None else ''}, and the loss was non-finite by step "
            f"{plain_bad}."
        )
    elif plain_max > 100 * plain["norms"][0]:
        plain_story = (
            f"Without clipping the gradient norm grew from {fmt(plain['norms'][0])} to {fmt(plain_max)} in "
            f"{steps} steps (loss {fmt(plain['losses'][-1])}), though it had not overflowed yet."
        )
    else:
        plain_story = (
            f"Without clipping the run stayed finite this time (largest gradient norm {fmt(plain_max)}, "
            f"final loss {fmt(plain['losses'][-1])})."
        )
    if clipped_finite and final < initial:
        clip_story = (
            f"Clipping the norm to {cfg.clip_norm:g} kept every step finite and the loss fell from "
            f"{fmt(initial)} to {fmt(final)} ({fmt(100 * final / initial)}% of its start)."
        )
    else:
        clip_story = f"With clipping the loss went from {fmt(initial)} to {fmt(final)}: clipping did not help here."
    return DemoResult(
        header=(
            f"A {cfg.depth}-layer ReLU MLP initialized {cfg.gain:g}x larger than He init, trained with SGD "
            f"(lr {cfg.lr:g}) from identical weights, with and without clipping the total gradient norm to "
            f"{cfg.clip_norm:g}. Each layer multiplies the backward signal by about {cfg.gain:g}."
        ),
        columns=["run", "grad norm at step 0", "max grad norm", "loss at step 0", "final loss", "non-finite at step"],
        rows=rows,
        takeaway=f"{plain_story} {clip_story}",
        metrics=metrics,
        charts=[
            Chart(
                title="gradient norm before clipping",
                series=[Series(plain_label, thin(plain["norms"])), Series(clip_label, thin(clipped["norms"]))],
                log_y=True,
            ),
            Chart(
                title="training loss",
                series=[Series(plain_label, thin(plain["losses"])), Series(clip_label, thin(clipped["losses"]))],
                log_y=True,
            ),
        ],
    )
