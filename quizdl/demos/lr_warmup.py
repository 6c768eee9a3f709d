"""Learning-rate warmup: a large Adam learning rate blows up the first steps; a linear ramp avoids it.

Adam's first updates are about lr in size for EVERY weight, whatever the gradient's scale: m_hat / sqrt(v_hat)
is about +-1 when both moments are built from one or two gradients. For a freshly initialised network whose
weights are ~0.1, a peak rate of 0.1 rewrites every weight in the first step, the output explodes and the
loss spikes far above its starting value; the run then spends its budget recovering (if it does). Warmup
raises the rate linearly from lr / warmup to lr over the first steps, so the early updates are small while
the moment estimates and the weights settle, and the same peak rate is then safe.

The same MLP, from the same initial weights, regresses the outputs of a random teacher network with full-batch
Adam and a cosine decay to zero (the usual recipe): at the peak rate without warmup, at the peak rate with
linear warmup, and at a 10x smaller peak rate without warmup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from quizdl.demos.common import Adam, fmt, mlp, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_samples: int = 512  # training points
    n_in: int = 16  # input features
    n_out: int = 8  # regression outputs
    width: int = 48  # hidden units (two hidden layers)
    teacher_width: int = 32  # hidden units of the random teacher that makes the targets
    lr: float = 0.1  # peak learning rate
    small_lr: float = 0.01  # a "safe" peak rate for comparison (no warmup)
    warmup: int = 40  # steps of linear warmup from lr / warmup to lr
    steps: int = 150  # full-batch Adam steps per run
    early: int = 50  # the "start" over which the spike is measured
    tail: int = 10  # final loss = mean over the last `tail` steps


def lr_factor(step: int, steps: int, warmup: int) -> float:
    """Multiplier of the peak rate: linear warmup (step + 1) / warmup, then cosine decay from 1 to 0."""
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))


@demo(
    "lr-warmup",
    topic="optimization",
    summary="Adam at a large learning rate: the loss spikes early without warmup and trains smoothly with it",
)
def lr_warmup(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: inputs and the outputs of a random teacher network
    x = randn(gen, cfg.n_samples, cfg.n_in, device=ctx.device)
    torch.manual_seed(ctx.seed + 100)
    teacher = mlp([cfg.n_in, cfg.teacher_width, cfg.n_out], device=ctx.device)
    with torch.no_grad():
        y = teacher(x) * 3

    # 2. model: the same initial weights for every run
    torch.manual_seed(ctx.seed + 1)
    init_state = {
        k: v.clone()
        for k, v in mlp([cfg.n_in, cfg.width, cfg.width, cfg.n_out], device=ctx.device).state_dict().items()
    }

    plan = [
        (f"lr {cfg.lr:g}, no warmup", cfg.lr, 0),
        (f"lr {cfg.lr:g}, {cfg.warmup}-step warmup", cfg.lr, cfg.warmup),
        (f"lr {cfg.small_lr:g}, no warmup", cfg.small_lr, 0),
    ]
    runs = {}
    for i, (label, lr, warmup) in enumerate(plan):
        net: nn.Sequential = mlp([cfg.n_in, cfg.width, cfg.width, cfg.n_out], device=ctx.device)
        net.load_state_dict(init_state)
        opt = Adam(net.parameters(), lr=lr)
        progress = ticker(ctx, label, i / len(plan), (i + 1) / len(plan))
        w_norm = torch.cat([p.detach().reshape(-1) for p in net.parameters()]).norm()
        losses: list[float] = []
        first_update = 0.0
        # 3. train: linear warmup (if any), then cosine decay
        for step in range(steps):
            opt.lr = lr * lr_factor(step, steps, warmup)
            before = [p.detach().clone() for p in net.parameters()] if step == 0 else None
            opt.zero_grad()
            loss = F.mse_loss(net(x), y)
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
            if before is not None:
                delta = torch.cat([(p.detach() - b).reshape(-1) for p, b in zip(net.parameters(), before, strict=True)])
                first_update = float((delta.norm() / w_norm).item())
            if (step + 1) % max(1, steps // 10) == 0:
                progress((step + 1) / steps)
        # 4. measure: spike over the first steps, final loss
        early = losses[: min(cfg.early, len(losses))]
        tail = losses[-min(cfg.tail, len(losses)) :]
        runs[label] = {
            "losses": losses,
            "initial": losses[0],
            "peak": max(early),
            "spike": max(early) / losses[0],
            "final": sum(tail) / len(tail),
            "first_update": first_update,
        }

    # 5. report
    no_wu, wu, small = (runs[label] for label, _, _ in plan)
    rows = [[label, r["first_update"], r["initial"], r["peak"], r["spike"], r["final"]] for label, r in runs.items()]
    metrics = {
        "spike_no_warmup": no_wu["spike"],
        "spike_warmup": wu["spike"],
        "spike_small_lr": small["spike"],
        "peak_loss_no_warmup": no_wu["peak"],
        "final_loss_no_warmup": no_wu["final"],
        "final_loss_warmup": wu["final"],
        "final_loss_small_lr": small["final"],
        "first_update_no_warmup": no_wu["first_update"],
        "first_update_warmup": wu["first_update"],
        "initial_loss": no_wu["initial"],
        "warmup_steps": cfg.warmup,
    }
    parts = []
    if no_wu["spike"] > 2:
        parts.append(
            f"Without warmup, the first Adam step at lr {cfg.lr:g} changed the weights by {100 * no_wu['first_update']:.0f}% "
            f"of their norm and the loss shot from {fmt(no_wu['initial'])} to {fmt(no_wu['peak'])} "
            f"({fmt(no_wu['spike'])}x) within {cfg.early} steps;"
        )
    else:
        parts.append(f"Without warmup the loss rose at most {fmt(no_wu['spike'])}x its initial value, no real spike;")
    rise = "never rose above its starting value" if wu["spike"] <= 1 + 1e-9 else f"rose at most {fmt(wu['spike'])}x"
    parts.append(
        f"with a {cfg.warmup}-step linear warmup the first step was {fmt(100 * wu['first_update'], 2)}% and the loss {rise}."
    )
    if wu["final"] < no_wu["final"]:
        parts.append(
            f"After {steps} steps the warmed-up run reached {fmt(wu['final'])} against {fmt(no_wu['final'])} without "
            f"warmup ({fmt(no_wu['final'] / wu['final'])}x higher)"
        )
    else:
        parts.append(
            f"After {steps} steps the run without warmup recovered to {fmt(no_wu['final'])} (warmup {fmt(wu['final'])})"
        )
    parts.append(
        f"and the safe peak rate {cfg.small_lr:g} (no warmup) to {fmt(small['final'])}"
        + (": warmup made the higher peak rate usable." if wu["final"] < small["final"] else ".")
    )
    return DemoResult(
        header=(
            f"Trains one MLP from the same initial weights with full-batch Adam at peak rate {cfg.lr:g} without and "
            f"with {cfg.warmup} steps of linear warmup, and at peak rate {cfg.small_lr:g} without warmup, all with cosine "
            "decay; the size of the first update, the early loss spike and the final loss."
        ),
        columns=[
            "run",
            "first update / |w|",
            "initial loss",
            f"max loss, first {cfg.early} steps",
            "spike (x initial)",
            "final loss",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="training loss",
                series=[Series(label, thin(r["losses"])) for label, r in runs.items()],
                log_y=True,
            )
        ],
    )
