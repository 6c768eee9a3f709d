"""Focal loss vs cross-entropy under heavy class imbalance: who the gradient listens to.

The data: 30 positives next to 100 hard negatives that overlap them, and a crowd of 2000 negatives off to
one side that any sensible boundary classifies correctly (easy negatives), so about 1.4% positives. Each
easy negative adds only a little cross-entropy, but there are so many of them that together they steer
the gradient: the boundary is rotated to widen the crowd's margin instead of separating the positives
from the hard negatives. Focal loss, FL = (1 - p_t)^gamma * CE, multiplies an easy example's loss by
(1 - p_t)^gamma ~ 0, so the hard examples drive training.

A logistic-regression classifier is trained with each loss from the same random weights, once with the
default zero output bias and once with the bias set to the log prior odds log(pi / (1 - pi)) (RetinaNet
uses both tricks together). We track average precision (AP) and recall of the positives at threshold 0.5
on fresh test data, and measure which share of each loss (and of its gradient) comes from easy negatives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import Adam, fmt, rand, randn, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_pos: int = 30  # positives (the minority class), around (separation, 0)
    n_hard: int = 100  # hard negatives around (0, 0), overlapping the positives
    n_easy: int = 2000  # easy negatives: a crowd around easy_centre, off to one side
    separation: float = 1.0  # distance between the positive and the hard-negative centres
    spread: float = 0.4  # std of the positive and hard-negative clusters
    easy_centre: tuple[float, float] = (0.5, 2.0)  # centre of the easy crowd
    easy_spread: tuple[float, float] = (0.3, 0.5)  # its std along each axis
    gamma: float = 2.0  # focal loss focusing parameter (gamma = 0 is cross-entropy)
    easy_pt: float = 0.9  # an example is easy when its probability of the true class p_t exceeds this
    steps: int = 300  # full-batch Adam steps per run
    lr: float = 0.05  # Adam learning rate
    eval_every: int = 10  # steps between test-AP measurements


def make_data(cfg: Config, gen: torch.Generator, device: str) -> tuple[Tensor, Tensor]:
    """Positives, hard negatives and the easy crowd; labels 1 / 0."""
    pos = randn(gen, cfg.n_pos, 2, device=device) * cfg.spread + torch.tensor([cfg.separation, 0.0], device=device)
    hard = randn(gen, cfg.n_hard, 2, device=device) * cfg.spread
    easy = randn(gen, cfg.n_easy, 2, device=device) * torch.tensor(cfg.easy_spread, device=device)
    easy = easy + torch.tensor(cfg.easy_centre, device=device)
    y = torch.cat([torch.ones(cfg.n_pos), torch.zeros(cfg.n_hard + cfg.n_easy)]).to(device)
    return torch.cat([pos, hard, easy]), y


def per_example_losses(z: Tensor, y: Tensor, gamma: float) -> Tensor:
    """Focal loss per example from logits (gamma = 0: binary cross-entropy).

    With the signed logit z_t = z for a positive and -z for a negative, p_t = sigmoid(z_t),
    CE = -log p_t = softplus(-z_t) and FL = (1 - p_t)^gamma CE = sigmoid(-z_t)^gamma softplus(-z_t).
    """
    minus_zt = z * (1 - 2 * y)
    ce = torch.nn.functional.softplus(minus_zt)
    return ce if gamma == 0 else torch.sigmoid(minus_zt) ** gamma * ce


def average_precision(scores: Tensor, y: Tensor) -> float:
    """AP = mean over positives of the precision at that positive's rank (scores sorted high to low)."""
    ranked = y[torch.argsort(scores, descending=True)]
    hits = ranked.cumsum(0)
    precision = hits / torch.arange(1, ranked.numel() + 1, device=y.device)
    return float(((precision * ranked).sum() / ranked.sum()).item())


def easy_negative_shares(z: Tensor, x: Tensor, y: Tensor, cfg: Config) -> dict[str, float]:
    """At logits z: share of easy negatives, and their share of the CE / focal loss and of its gradient."""
    p_t = torch.sigmoid(z * (2 * y - 1))
    easy = (y == 0) & (p_t > cfg.easy_pt)
    out = {"easy_fraction": float(easy.float().mean().item())}
    row_norm = torch.sqrt((x**2).sum(1) + 1)  # |d z_i / d(w, b)|
    for name, gamma in (("ce", 0.0), ("focal", cfg.gamma)):
        zz = z.detach().clone().requires_grad_(True)
        losses = per_example_losses(zz, y, gamma)
        (dz,) = torch.autograd.grad(losses.sum(), zz)
        grad_size = dz.abs() * row_norm
        out[f"loss_share_{name}"] = float((losses[easy].sum() / losses.sum()).item())
        out[f"grad_share_{name}"] = float((grad_size[easy].sum() / grad_size.sum()).item())
    return out


def train(cfg: Config, x, y, x_test, y_test, w0: Tensor, b0: float, gamma: float, steps: int, progress) -> dict:
    """Full-batch Adam on a logistic regression; test AP every eval_every steps, recall at 0.5 at the end."""
    w = w0.clone().requires_grad_(True)
    b = torch.tensor(b0, device=x.device, requires_grad=True)
    opt = Adam([w, b], lr=cfg.lr)
    aps = [average_precision(x_test @ w.detach() + b.detach(), y_test)]
    for step in range(steps):
        opt.zero_grad()
        per_example_losses(x @ w + b, y, gamma).mean().backward()
        opt.step()
        if (step + 1) % cfg.eval_every == 0 or step + 1 == steps:
            with torch.no_grad():
                aps.append(average_precision(x_test @ w + b, y_test))
            progress((step + 1) / steps)
    with torch.no_grad():
        z_test = x_test @ w + b
        predicted = torch.sigmoid(z_test) > 0.5
        positives = y_test > 0
        recall = float((predicted & positives).sum().item() / positives.sum().item())
        precision = float((predicted & positives).sum().item() / max(int(predicted.sum().item()), 1))
    return {"aps": aps, "ap": aps[-1], "recall": recall, "precision": precision, "w": w.detach(), "b": b.detach()}


@demo(
    "focal-loss",
    topic="loss-functions",
    summary="1.4% positives among a crowd of easy negatives: focal loss vs cross-entropy, zero vs prior bias",
)
def focal_loss(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: training and test sets from the same three clusters
    x, y = make_data(cfg, gen, ctx.device)
    x_test, y_test = make_data(cfg, gen, ctx.device)
    prior = cfg.n_pos / y.numel()
    prior_bias = math.log(prior / (1 - prior))

    # 2. model: logistic regression, the same random initial weights for every run
    w0 = (rand(gen, 2, device=ctx.device) * 2 - 1) * 0.7

    # 3. train: {cross-entropy, focal} x {zero bias, prior bias}
    plan = [
        ("cross-entropy", 0.0, "zero", 0.0),
        ("focal", cfg.gamma, "zero", 0.0),
        ("cross-entropy", 0.0, "prior", prior_bias),
        ("focal", cfg.gamma, "prior", prior_bias),
    ]
    runs = {}
    for i, (loss_name, gamma, bias_name, b0) in enumerate(plan):
        label = f"{loss_name}, {bias_name} bias"
        runs[(loss_name, bias_name)] = train(
            cfg, x, y, x_test, y_test, w0, b0, gamma, steps, ticker(ctx, label, i / 4, (i + 1) / 4)
        )
        with torch.no_grad():
            z0 = x @ w0 + b0
            runs[(loss_name, bias_name)]["initial_loss"] = float(per_example_losses(z0, y, gamma).mean().item())

    # 4. who the loss listens to: at the weights cross-entropy reached (zero bias), easy negatives' shares
    ce_run = runs[("cross-entropy", "zero")]
    with torch.no_grad():
        z_ce = x @ ce_run["w"] + ce_run["b"]
    shares = easy_negative_shares(z_ce, x, y, cfg)

    # 5. report
    rows = [
        [
            loss_name,
            bias_name,
            r["initial_loss"],
            r["aps"][min(5, len(r["aps"]) - 1)],
            r["ap"],
            r["recall"],
            r["precision"],
        ]
        for (loss_name, bias_name), r in runs.items()
    ]
    ce_z, fl_z = runs[("cross-entropy", "zero")], runs[("focal", "zero")]
    ce_p, fl_p = runs[("cross-entropy", "prior")], runs[("focal", "prior")]
    metrics = {
        "positive_share": prior,
        "ap_ce_zero_bias": ce_z["ap"],
        "ap_focal_zero_bias": fl_z["ap"],
        "ap_ce_prior_bias": ce_p["ap"],
        "ap_focal_prior_bias": fl_p["ap"],
        "recall_ce_zero_bias": ce_z["recall"],
        "recall_focal_zero_bias": fl_z["recall"],
        "recall_ce_prior_bias": ce_p["recall"],
        "recall_focal_prior_bias": fl_p["recall"],
        "initial_ce_loss_zero_bias": ce_z["initial_loss"],
        "initial_ce_loss_prior_bias": ce_p["initial_loss"],
        "easy_negative_fraction": shares["easy_fraction"],
        "easy_negative_loss_share_ce": shares["loss_share_ce"],
        "easy_negative_loss_share_focal": shares["loss_share_focal"],
        "easy_negative_grad_share_ce": shares["grad_share_ce"],
        "easy_negative_grad_share_focal": shares["grad_share_focal"],
    }

    def pct(v: float) -> str:
        return f"{fmt(100 * v, 2)}%"

    parts = [
        f"At the weights cross-entropy reached, {pct(shares['easy_fraction'])} of the examples are easy negatives "
        f"(p_t > {cfg.easy_pt:g}); they make up {pct(shares['loss_share_ce'])} of the cross-entropy and "
        f"{pct(shares['grad_share_ce'])} of its gradient, but {pct(shares['loss_share_focal'])} of the focal loss "
        f"and {pct(shares['grad_share_focal'])} of its gradient."
    ]
    if fl_z["ap"] > ce_z["ap"] + 0.05:
        parts.append(
            f"With a zero initial bias, after {steps} steps focal loss reached AP {fmt(fl_z['ap'])} and recall "
            f"{pct(fl_z['recall'])} against cross-entropy's AP {fmt(ce_z['ap'])} and recall {pct(ce_z['recall'])}."
        )
    else:
        parts.append(
            f"With a zero initial bias, after {steps} steps the two ended close (AP {fmt(fl_z['ap'])} focal, "
            f"{fmt(ce_z['ap'])} cross-entropy), so focusing bought nothing here."
        )
    if ce_p["ap"] > ce_z["ap"] + 0.05:
        parts.append(
            f"Starting the bias at the log prior odds ({fmt(prior_bias)}) cut the initial cross-entropy from "
            f"{fmt(ce_z['initial_loss'])} to {fmt(ce_p['initial_loss'])} and alone lifted cross-entropy to AP "
            f"{fmt(ce_p['ap'])} (focal {fmt(fl_p['ap'])}): much of the gain is in getting past the base rate."
        )
    else:
        parts.append(
            f"The prior-odds bias ({fmt(prior_bias)}) changed cross-entropy's AP only to {fmt(ce_p['ap'])} "
            f"(focal {fmt(fl_p['ap'])})."
        )
    return DemoResult(
        header=(
            f"Logistic regression on {pct(prior)} positives beside {cfg.n_hard} hard negatives and a crowd of "
            f"{cfg.n_easy} easy ones, trained with cross-entropy and with focal loss (gamma {cfg.gamma:g}), from a "
            "zero output bias and from the log prior odds; AP and recall (threshold 0.5) on fresh test data."
        ),
        columns=[
            "loss",
            "initial bias",
            "initial loss",
            f"AP at step {min(5 * cfg.eval_every, steps)}",
            f"AP at step {steps}",
            "recall",
            "precision",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="test average precision during training",
                series=[
                    Series(
                        f"{loss_name}, {bias_name} bias",
                        r["aps"],
                        x=[float(min(i * cfg.eval_every, steps)) for i in range(len(r["aps"]))],
                    )
                    for (loss_name, bias_name), r in runs.items()
                ],
            )
        ],
    )
