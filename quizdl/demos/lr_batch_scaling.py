"""Learning rate vs batch size: the same epochs at batch B and kB, learning rate unscaled, sqrt or linear.

With the number of epochs fixed, a k times larger batch means k times fewer SGD updates. Keeping the
learning rate leaves the model far behind; the linear scaling rule (multiply the rate by k) makes one
large-batch step do roughly the work of k small ones, as long as the gradient changes little over
those k small steps. That holds while the scaled rate stays well inside the stable range: for gradient
descent on a quadratic loss the step must stay below 2 / lambda_max (the largest Hessian eigenvalue),
so pushing k far enough breaks the rule, whatever the warmup.

The model is a linear regression on anisotropic features (least squares, so the Hessian is exact and
lambda_max is computed from the data). Every run starts from the same weights and sees the same data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import SGD, fmt, randn, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_samples: int = 1024  # training points
    features: int = 16  # input features, standard deviations from 1.0 down to 0.3
    min_scale: float = 0.3  # smallest feature standard deviation (the slow direction)
    noise: float = 0.1  # label noise std: the best achievable loss is about noise^2 = 0.01
    epochs: int = 8  # epochs for every run
    batch: int = 16  # the small batch B
    lr: float = 0.02  # learning rate tuned for batch B
    k: int = 8  # the large batch is k * B
    big_k: int = 64  # a much larger batch (here the full data set) with linear scaling, past the limit


def train_run(cfg: Config, x: Tensor, y: Tensor, init: nn.Linear, batch: int, lr: float, epochs: int,
              gen: torch.Generator, seed: int, report: Any) -> dict[str, Any]:  # fmt: skip
    """SGD for `epochs` epochs at this batch and learning rate, from a copy of `init`; loss per epoch."""
    net = nn.Linear(cfg.features, 1).to(x.device)
    net.load_state_dict(init.state_dict())
    opt = SGD(net.parameters(), lr=lr)
    gen.manual_seed(seed)  # the same shuffles for every run (per batch size)
    n = x.shape[0]
    per_epoch = n // batch
    curve = []
    with torch.no_grad():
        curve.append(float(F.mse_loss(net(x), y).item()))
    for e in range(epochs):
        perm = torch.randperm(n, generator=gen).to(x.device)
        for i in range(per_epoch):
            idx = perm[i * batch : (i + 1) * batch]
            loss = F.mse_loss(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            curve.append(float(F.mse_loss(net(x), y).item()))
        report((e + 1) / epochs)
    return {"curve": curve, "final": curve[-1], "updates": epochs * per_epoch}


@demo(
    "lr-batch-scaling",
    topic="training-at-scale",
    summary="same epochs at batch B and kB: lr unscaled vs sqrt vs linear scaling, and where linear breaks",
)
def lr_batch_scaling(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    small_steps = ctx.steps_or(cfg.epochs * cfg.n_samples // cfg.batch)  # updates of the small-batch run
    epochs = max(1, round(small_steps * cfg.batch / cfg.n_samples))

    # 1. data: least squares on features with different scales (so some directions are slow)
    scales = torch.linspace(1.0, cfg.min_scale, cfg.features).to(ctx.device)
    x = randn(gen, cfg.n_samples, cfg.features, device=ctx.device) * scales
    w_true = randn(gen, cfg.features, 1, device=ctx.device)
    y = x @ w_true + cfg.noise * randn(gen, cfg.n_samples, 1, device=ctx.device)
    x_aug = torch.cat([x, torch.ones_like(x[:, :1])], dim=1).cpu().double()  # the bias sees a constant 1
    hessian = 2 * x_aug.T @ x_aug / cfg.n_samples  # Hessian of the mean squared error in (w, b): exact
    lam_max = float(torch.linalg.eigvalsh(hessian).max().item())

    # 2. model: one initial linear layer, copied into every run
    torch.manual_seed(ctx.seed + 1)
    init = nn.Linear(cfg.features, 1).to(ctx.device)

    # 3. runs: batch B at lr; batch kB at lr, sqrt(k) lr and k lr; batch big_k B at big_k lr
    big_batch = min(cfg.big_k * cfg.batch, cfg.n_samples)
    big_k = big_batch // cfg.batch
    plan = [
        (f"B={cfg.batch}", cfg.batch, cfg.lr, "baseline"),
        (f"{cfg.k}B, same lr", cfg.k * cfg.batch, cfg.lr, "unscaled"),
        (f"{cfg.k}B, sqrt({cfg.k}) lr", cfg.k * cfg.batch, cfg.lr * math.sqrt(cfg.k), "sqrt"),
        (f"{cfg.k}B, {cfg.k} lr", cfg.k * cfg.batch, cfg.lr * cfg.k, "linear"),
        (f"{big_k}B, {big_k} lr", big_batch, cfg.lr * big_k, "linear, too far"),
    ]
    runs = []
    for i, (label, batch, lr, rule) in enumerate(plan):
        report = ticker(ctx, label, i / len(plan), (i + 1) / len(plan))
        r = train_run(cfg, x, y, init, batch, lr, epochs, gen, ctx.seed + 100 + batch, report)
        runs.append({"label": label, "batch": batch, "lr": lr, "rule": rule, **r})

    # 4. report
    base, unscaled, sqrt_run, linear, too_far = runs
    limit = 2 / lam_max
    rows = [[r["label"], r["batch"], r["lr"], r["rule"], r["updates"], r["final"], r["lr"] < limit] for r in runs]
    metrics = {
        "final_loss_small_batch": base["final"],
        "final_loss_unscaled": unscaled["final"],
        "final_loss_sqrt": sqrt_run["final"],
        "final_loss_linear": linear["final"],
        "final_loss_too_far": too_far["final"],
        "too_far_diverged": not math.isfinite(too_far["final"]) or too_far["final"] > 10 * base["curve"][0],
        "linear_vs_small_ratio": linear["final"] / base["final"],
        "unscaled_vs_small_ratio": unscaled["final"] / base["final"],
        "lr_limit": limit,
        "lr_too_far": too_far["lr"],
        "initial_loss": base["curve"][0],
        "epochs": epochs,
        "k": cfg.k,
    }
    parts = [
        f"After {epochs} epochs, batch {cfg.batch} at lr {fmt(cfg.lr)} ({base['updates']} updates) reached loss "
        f"{fmt(base['final'])}; batch {cfg.k * cfg.batch} ({unscaled['updates']} updates) reached "
        f"{fmt(unscaled['final'])} at the same lr, {fmt(sqrt_run['final'])} with sqrt scaling and "
        f"{fmt(linear['final'])} with linear scaling (lr {fmt(linear['lr'])}).",
    ]
    if abs(linear["final"] / base["final"] - 1) < 0.25:
        parts.append("Linear scaling matched the small batch's result with k times fewer updates.")
    else:
        parts.append(f"Linear scaling ended at {fmt(linear['final'] / base['final'])}x the small batch's loss.")
    if metrics["too_far_diverged"]:
        parts.append(
            f"At batch {big_batch} the linear rule asks for lr {fmt(too_far['lr'])}, above this problem's "
            f"stability limit 2/lambda_max = {fmt(limit)}, and the run diverged (loss {fmt(too_far['final'])})."
        )
    else:
        parts.append(
            f"At batch {big_batch} with lr {fmt(too_far['lr'])} (limit 2/lambda_max = {fmt(limit)}) the loss "
            f"ended at {fmt(too_far['final'])}."
        )
    finite = [r for r in runs if all(math.isfinite(v) for v in r["curve"])]
    return DemoResult(
        header=(
            f"Least-squares regression trained by SGD for the same {epochs} epochs at batch {cfg.batch} and "
            f"{cfg.k * cfg.batch}, with the learning rate kept, scaled by sqrt(k) or by k; then a much larger "
            "batch with the linear rule. Same data, same initial weights."
        ),
        columns=["run", "batch", "lr", "rule", "updates", "final loss", "lr < 2/lambda_max"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="training loss after each epoch",
                series=[Series(r["label"], r["curve"]) for r in finite],
                x_label="epoch",
                log_y=True,
            )
        ],
    )
