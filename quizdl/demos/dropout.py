"""Dropout: zero each activation with probability p in training, scale the survivors by 1 / (1 - p).

This "inverted" scaling keeps the expected activation unchanged, so at evaluation time dropout is simply
switched off (model.eval()) and nothing needs rescaling. Part 1 shows that on a vector of ones. Part 2
trains the same over-sized MLP on 40 noisy points with and without dropout: without it the net memorizes
the noise (train loss near 0, validation loss high); dropout stops it fitting the noise so exactly, which
narrows the train/validation gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, randn, seeded, ticker, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    p: float = 0.5  # dropout probability
    n_ones: int = 10_000  # part 1: length of the vector of ones
    n_in: int = 5  # part 2: input features
    n_train: int = 40  # training points: few, so the net can memorize them
    n_val: int = 500  # validation points
    noise: float = 0.5  # std of the label noise (the best possible MSE is noise^2)
    width: int = 128  # hidden units per layer (two hidden layers)
    lr: float = 6e-3  # Adam learning rate
    steps: int = 120  # full-batch steps
    val_every: int = 10  # record the validation loss every this many steps
    passes: int = 20  # forward passes to measure how much train-mode predictions vary


def make_net(cfg: Config, p: float, device: str) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(cfg.n_in, cfg.width),
        nn.ReLU(),
        nn.Dropout(p),
        nn.Linear(cfg.width, cfg.width),
        nn.ReLU(),
        nn.Dropout(p),
        nn.Linear(cfg.width, 1),
    ).to(device)


@demo(
    "dropout",
    topic="regularization",
    summary="train vs eval outputs, inverted scaling, the train/validation gap it closes",
)
def dropout(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    seeded(ctx)

    # 1. part 1: dropout on a vector of ones, in train and in eval mode (p = 0 for comparison)
    ones = torch.ones(cfg.n_ones, device=ctx.device)
    part1: dict[float, dict[str, float]] = {}
    for p in (0.0, cfg.p):
        layer = nn.Dropout(p).train()
        dropped = layer(ones)
        part1[p] = {
            "zeros": float((dropped == 0).float().mean().item()),
            "survivor": float(dropped[dropped != 0].mean().item()),
            "mean": float(dropped.mean().item()),
            "eval_identity": float(torch.equal(layer.eval()(ones), ones)),
        }

    # 2. part 2 data: a mostly linear target of 5 features plus noise; few training points, many for validation
    gen = seeded(ctx)
    w = randn(gen, cfg.n_in, 1, device=ctx.device)

    def sample(n: int) -> tuple[Tensor, Tensor]:
        x = randn(gen, n, cfg.n_in, device=ctx.device)
        clean = x @ w / math.sqrt(cfg.n_in) + 0.5 * torch.sin(2 * x[:, :1])
        return x, clean + cfg.noise * randn(gen, n, 1, device=ctx.device)

    x_train, y_train = sample(cfg.n_train)
    x_val, y_val = sample(cfg.n_val)
    mean_predictor = float(((y_val - y_train.mean()) ** 2).mean().item())  # the MSE of learning nothing

    # 3. train the same net (same initial weights) without and with dropout, tracking validation loss
    runs: dict[float, dict[str, float]] = {}
    curves: dict[float, list[float]] = {}
    for i, p in enumerate((0.0, cfg.p)):
        torch.manual_seed(ctx.seed + 1)
        net = make_net(cfg, p, ctx.device)
        curves[p] = []

        def track(step: int, _norm: float, net: nn.Sequential = net, curve: list[float] = curves[p]) -> None:
            if step % cfg.val_every:
                return
            net.eval()
            with torch.no_grad():
                curve.append(float(F.mse_loss(net(x_val), y_val).item()))
            net.train()

        net.train()
        train(
            net,
            lambda net=net: F.mse_loss(net(x_train), y_train),
            steps=steps,
            lr=cfg.lr,
            optimizer="adam",
            on_step=track,
            progress=ticker(ctx, f"training, p={p:g}", i / 2, (i + 1) / 2),
        )
        # 4. measure in eval mode (dropout off): train and validation loss; and the train-mode output spread
        with torch.no_grad():
            net.eval()
            train_loss = float(F.mse_loss(net(x_train), y_train).item())
            val_loss = float(F.mse_loss(net(x_val), y_val).item())
            net.train()
            spread = float(torch.stack([net(x_val) for _ in range(cfg.passes)]).std(dim=0).mean().item())
        runs[p] = {"train": train_loss, "val": val_loss, "gap": val_loss - train_loss, "spread": spread}

    # 5. report
    plain, drop = runs[0.0], runs[cfg.p]
    ones_p = part1[cfg.p]
    measured = [
        ("share of a ones vector zeroed (train mode)", "zeros", part1),
        ("value of the surviving entries", "survivor", part1),
        ("mean of the vector after dropout", "mean", part1),
        ("eval mode returns the input unchanged", "eval_identity", part1),
        ("train MSE (eval mode)", "train", runs),
        ("validation MSE (eval mode)", "val", runs),
        ("gap: validation - train", "gap", runs),
        (f"train-mode output std over {cfg.passes} passes", "spread", runs),
    ]
    rows: list[list[object]] = []
    for label, key, table in measured:
        values = [table[p][key] for p in (0.0, cfg.p)]
        rows.append([label, *(bool(v) for v in values)] if key == "eval_identity" else [label, *values])
    metrics = {
        "gap_no_dropout": plain["gap"],
        "gap_dropout": drop["gap"],
        "zero_fraction": ones_p["zeros"],
        "survivor_value": ones_p["survivor"],
        "train_mode_mean": ones_p["mean"],
        "eval_is_identity": bool(ones_p["eval_identity"]),
        "train_loss_no_dropout": plain["train"],
        "val_loss_no_dropout": plain["val"],
        "train_loss_dropout": drop["train"],
        "val_loss_dropout": drop["val"],
        "train_mode_spread_dropout": drop["spread"],
        "val_loss_mean_predictor": mean_predictor,
    }
    scaling = (
        f"In train mode dropout zeroed {100 * ones_p['zeros']:.1f}% of a vector of ones and scaled the rest to "
        f"{fmt(ones_p['survivor'])}, so the mean stayed {fmt(ones_p['mean'])}; in eval mode the output "
        f"{'equals' if ones_p['eval_identity'] else 'does not equal'} the input."
    )
    if drop["gap"] < plain["gap"]:
        gap = (
            f"On {cfg.n_train} noisy points the net without dropout reached train MSE {fmt(plain['train'])} but "
            f"validation {fmt(plain['val'])} (gap {fmt(plain['gap'])}); with p={cfg.p:g} the gap shrank to "
            f"{fmt(drop['gap'])} and validation MSE {'fell' if drop['val'] < plain['val'] else 'rose'} to "
            f"{fmt(drop['val'])} (predicting the mean scores {fmt(mean_predictor)}, the noise floor is "
            f"{fmt(cfg.noise**2)})."
        )
    else:
        gap = (
            f"Here dropout did not narrow the gap: {fmt(plain['gap'])} without vs {fmt(drop['gap'])} with p={cfg.p:g}."
        )
    return DemoResult(
        header=(
            f"Part 1: nn.Dropout(p={cfg.p:g}) on a vector of ones in train and eval mode. Part 2: a "
            f"{cfg.n_in}-{cfg.width}-{cfg.width}-1 MLP trained on {cfg.n_train} noisy points with and without "
            "dropout, losses measured in eval mode."
        ),
        columns=["measurement", "no dropout", f"dropout p={cfg.p:g}"],
        rows=rows,
        takeaway=f"{scaling} {gap}",
        metrics=metrics,
        charts=[
            Chart(
                title="validation MSE during training",
                series=[
                    Series("no dropout", curves[0.0], x=[float(i * cfg.val_every) for i in range(len(curves[0.0]))]),
                    Series(
                        f"dropout p={cfg.p:g}",
                        curves[cfg.p],
                        x=[float(i * cfg.val_every) for i in range(len(curves[cfg.p]))],
                    ),
                ],
                log_y=True,
            )
        ],
    )
