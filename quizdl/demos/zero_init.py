"""Zero (or any constant) initialization: hidden units that start identical stay identical.

If every hidden unit starts with the same weights, every unit computes the same output, receives the same
gradient and takes the same update: the symmetry is never broken, so a layer of 16 units behaves like one
unit. With all-zero weights it is worse: tanh(0) = 0 and the output weights are 0, so no weight gets any
gradient at all and only the output bias learns. Random initialization breaks the symmetry.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, mlp, rand, seeded, thin, ticker, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_samples: int = 256  # training points in [-1, 1]^2
    width: int = 16  # hidden units
    constant: float = 0.3  # the value of every weight and bias in the "constant" run
    lr: float = 0.04  # Adam learning rate
    steps: int = 120  # full-batch steps


def unit_signature(net: nn.Sequential) -> Tensor:
    """One row per hidden unit: its incoming weights, its bias and its outgoing weight."""
    fc1, out = net[0], net[2]
    return torch.cat([fc1.weight, fc1.bias[:, None], out.weight.T], dim=1).detach()


def distinct_units(net: nn.Sequential, tol: float = 1e-5) -> int:
    """How many hidden units differ from every earlier unit by more than tol (relative)."""
    sig = unit_signature(net)
    scale = 1.0 + float(sig.abs().max().item())
    dist = (sig[:, None, :] - sig[None, :, :]).abs().amax(dim=-1)  # max-abs difference between units
    distinct = 0
    for i in range(sig.shape[0]):
        if i == 0 or float(dist[i, :i].min().item()) > tol * scale:
            distinct += 1
    return distinct


@demo(
    "zero-init",
    topic="initialization",
    summary="zero vs random initialization: identical hidden units stay identical",
)
def zero_init(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    # 1. data: a wavy 2-D target, standardized (a constant prediction has loss 1)
    gen = seeded(ctx)
    x = 2 * rand(gen, cfg.n_samples, 2, device=ctx.device) - 1
    y = torch.sin(3 * x[:, :1]) * torch.cos(2 * x[:, 1:])
    y = (y - y.mean()) / y.std()

    # 2. the same 2-16-1 tanh MLP with three initializations, plus a 1-unit net for reference
    plan = [("zeros", cfg.width), (f"constant {cfg.constant:g}", cfg.width), ("random", cfg.width)]
    plan.append(("random, 1 unit", 1))
    results = []
    for i, (label, width) in enumerate(plan):
        torch.manual_seed(ctx.seed + 1)
        net = mlp([2, width, 1], act=nn.Tanh, device=ctx.device)
        with torch.no_grad():
            for p in net.parameters():
                if label == "zeros":
                    p.zero_()
                elif label.startswith("constant"):
                    p.fill_(cfg.constant)
        before = distinct_units(net)
        # 3. train full batch with Adam
        losses = train(
            net,
            lambda net=net: F.mse_loss(net(x), y),
            steps=steps,
            lr=cfg.lr,
            optimizer="adam",
            progress=ticker(ctx, label, i / len(plan), (i + 1) / len(plan)),
        )
        # 4. measure: distinct hidden units after training, and the spread of the first layer's weights
        spread = float(net[0].weight.detach().std(dim=0).max().item()) if width > 1 else 0.0
        results.append((label, width, before, distinct_units(net), spread, losses))

    # 5. report
    rows = [
        [label, width, before, after, spread, losses[-1]] for label, width, before, after, spread, losses in results
    ]
    zeros, const, rnd, one = results
    metrics = {
        "distinct_units_constant": const[3],
        "distinct_units_zero": zeros[3],
        "distinct_units_random": rnd[3],
        "weight_spread_zero": zeros[4],
        "weight_spread_constant": const[4],
        "weight_spread_random": rnd[4],
        "final_loss_zero": zeros[5][-1],
        "final_loss_constant": const[5][-1],
        "final_loss_random": rnd[5][-1],
        "final_loss_one_unit": one[5][-1],
    }
    symmetric = zeros[3] == 1 and const[3] == 1
    if symmetric:
        sym = (
            f"After {steps} steps the zero- and constant-initialized layers still have {zeros[3]} distinct unit "
            f"out of {cfg.width} (their incoming weights differ across units by a std of at most {fmt(zeros[4])} "
            f"and {fmt(const[4])}), while random init has {rnd[3]} distinct units (std {fmt(rnd[4])})."
        )
    else:
        sym = (
            f"Distinct units after training: zeros {zeros[3]}, constant {const[3]}, random {rnd[3]} "
            f"of {cfg.width}: the symmetry was broken in this run."
        )
    loss = (
        f"Final loss: zeros {fmt(zeros[5][-1])} (only the output bias can learn), constant {fmt(const[5][-1])} "
        f"(a 1-unit net reaches {fmt(one[5][-1])}), random {fmt(rnd[5][-1])}."
    )
    return DemoResult(
        header=(
            f"Trains a 2-{cfg.width}-1 tanh MLP on a wavy 2-D target from three initializations: all zeros, every "
            f"parameter {cfg.constant:g}, and PyTorch's random default; a 1-unit net is trained for reference. "
            "A unit is distinct if its weights differ from every other unit's."
        ),
        columns=["init", "hidden units", "distinct before", "distinct after", "weight spread", "final loss"],
        rows=rows,
        takeaway=f"{sym} {loss}",
        metrics=metrics,
        charts=[
            Chart(
                title="training loss",
                series=[Series(label, thin(losses)) for label, _w, _b, _a, _s, losses in results],
                log_y=True,
            )
        ],
    )
