"""Early stopping: stop training when the validation loss stops improving, and keep the best weights.

A big MLP (2 -> 64 -> 64 -> 1) is fit to only 30 noisy samples of y = sin(2 w.x) + noise (x in 2-D,
w a random unit vector). It has far more parameters than samples, so after learning the curve it goes on
to learn the noise: the training loss keeps falling while the loss on 200 held-out validation samples
bottoms out and rises again.

Early stopping with patience P watches the validation loss after every epoch (one full-batch step here),
remembers the best epoch so far, and stops once P epochs pass without a new best, restoring the weights of
the best epoch. We train past that point anyway to show what it avoided.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import Adam, fmt, mlp, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    dim: int = 2  # input features
    n_train: int = 30  # noisy training samples
    n_val: int = 200  # validation samples, same distribution
    noise: float = 0.3  # std of the label noise
    width: int = 64  # hidden units per layer (two hidden layers)
    epochs: int = 200  # full-batch Adam steps in total
    lr: float = 0.02  # Adam learning rate
    patience: int = 30  # epochs without a new best validation loss before stopping


@demo(
    "early-stopping",
    topic="regularization",
    summary="overfitting: train vs validation curves, and where early stopping halts",
)
def early_stopping(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    epochs = ctx.steps_or(cfg.epochs)
    gen = seeded(ctx)

    # 1. data: few noisy training samples, many validation samples, plus the noise-free truth
    direction = randn(gen, cfg.dim, 1, device=ctx.device)
    direction = direction / direction.norm()

    def sample(n: int) -> tuple[Tensor, Tensor]:
        x = randn(gen, n, cfg.dim, device=ctx.device)
        return x, torch.sin(2 * x @ direction) + cfg.noise * randn(gen, n, 1, device=ctx.device)

    x_train, y_train = sample(cfg.n_train)
    x_val, y_val = sample(cfg.n_val)

    # 2. model: far more parameters than samples
    net = mlp([cfg.dim, cfg.width, cfg.width, 1], device=ctx.device)
    n_params = sum(p.numel() for p in net.parameters())
    opt = Adam(net.parameters(), lr=cfg.lr)

    # 3. train for all epochs; early stopping decides, on the fly, where it would have stopped
    train_losses: list[float] = []
    val_losses: list[float] = []
    best_epoch, best_val = 0, float("inf")
    best_state: dict[str, Tensor] | None = None
    stop_epoch: int | None = None
    report = ticker(ctx, "training", 0.0, 1.0)
    for epoch in range(epochs):
        loss = F.mse_loss(net(x_train), y_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            train_losses.append(float(F.mse_loss(net(x_train), y_train).item()))
            val_losses.append(float(F.mse_loss(net(x_val), y_val).item()))
        if stop_epoch is None:
            if val_losses[-1] < best_val:
                best_epoch, best_val = epoch, val_losses[-1]
                best_state = copy.deepcopy(net.state_dict())
            elif epoch - best_epoch >= cfg.patience:
                stop_epoch = epoch  # early stopping halts here and restores best_state
        if (epoch + 1) % max(1, epochs // 10) == 0:
            report((epoch + 1) / epochs)

    # 4. the restored best weights vs the weights after the last epoch
    assert best_state is not None
    final_val = val_losses[-1]
    net.load_state_dict(best_state)
    with torch.no_grad():
        restored_val = float(F.mse_loss(net(x_val), y_val).item())
    stopped = stop_epoch if stop_epoch is not None else epochs - 1
    min_val_epoch = min(range(len(val_losses)), key=val_losses.__getitem__)
    rows: list[list[object]] = [
        ["start (after epoch 1)", 1, train_losses[0], val_losses[0]],
        ["best validation epoch (restored)", best_epoch + 1, train_losses[best_epoch], best_val],
        ["early stopping halts", stopped + 1, train_losses[stopped], val_losses[stopped]],
        ["train to the end", epochs, train_losses[-1], final_val],
    ]
    metrics = {
        "n_params": n_params,
        "best_epoch": best_epoch + 1,
        "stop_epoch": stopped + 1,
        "stopped_early": stop_epoch is not None,
        "epochs": epochs,
        "val_loss_start": val_losses[0],
        "val_loss_best": best_val,
        "val_loss_restored": restored_val,
        "val_loss_end": final_val,
        "val_rise_ratio": final_val / best_val,
        "train_loss_best": train_losses[best_epoch],
        "train_loss_end": train_losses[-1],
        "noise_variance": cfg.noise**2,
        "min_val_epoch_overall": min_val_epoch + 1,
    }
    overfit = final_val > 1.2 * best_val and train_losses[-1] < train_losses[best_epoch]
    takeaway = (
        f"The {n_params}-parameter MLP on {cfg.n_train} samples: validation loss is lowest at epoch {best_epoch + 1} "
        f"({fmt(best_val)}; the label noise alone gives {fmt(cfg.noise**2)}) and, with patience {cfg.patience}, "
        + (f"early stopping halts at epoch {stopped + 1}. " if stop_epoch is not None else "never triggers. ")
        + f"Training on to epoch {epochs} drives the training loss from {fmt(train_losses[best_epoch])} to "
        f"{fmt(train_losses[-1])} while validation loss rises to {fmt(final_val)} ({final_val / best_val:.1f}x its "
        "best): "
        + (
            "the extra epochs fit the noise, and restoring the best weights keeps the better model."
            if overfit
            else "no clear overfitting in this run."
        )
    )
    return DemoResult(
        header=(
            f"A {n_params}-parameter MLP is trained on {cfg.n_train} noisy samples of sin(2 w.x) for {epochs} epochs "
            "while "
            f"a {cfg.n_val}-sample validation loss is tracked; early stopping (patience {cfg.patience}) marks where it "
            "would halt and which weights it keeps."
        ),
        columns=["point", "epoch", "train MSE", "validation MSE"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="train vs validation loss",
                series=[Series("train", thin(train_losses)), Series("validation", thin(val_losses))],
                x_label="epoch",
                log_y=True,
            )
        ],
    )
