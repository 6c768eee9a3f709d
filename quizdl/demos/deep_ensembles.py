"""Deep ensembles: average the softmax outputs of networks trained from different random initializations.

A 20-dimensional two-class problem whose labels come from a fixed random "teacher" network, with only 256
training points: a 64-unit MLP fits them perfectly and is over-confident on new points. M networks with the
same architecture and data but different initial weights are trained side by side (each its own weights,
batched), then compared on 2000 test points, alone and with their softmax outputs averaged:
  - accuracy, negative log-likelihood (NLL) and expected calibration error (ECE, 10 confidence bins);
  - the ensemble's NLL can never exceed its members' mean NLL (-log of a mean <= mean of -log, Jensen),
    and it is clearly lower: the members make partly independent errors, so averaging removes variance;
  - the cost: M times the parameters and the compute, for training and for every prediction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import Adam, fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    members: int = 6  # networks in the ensemble
    dim: int = 20  # input features
    teacher_hidden: int = 16  # hidden units of the random teacher that labels the data
    n_train: int = 256  # training points
    n_test: int = 2000  # test points
    hidden: int = 64  # hidden ReLU units of each member (one hidden layer)
    steps: int = 80  # full-batch Adam steps (enough to fit every training label)
    lr: float = 0.01  # Adam learning rate
    bins: int = 10  # confidence bins for the ECE


def _teacher_data(gen: torch.Generator, cfg: Config, device: str) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Gaussian inputs labelled by the sign of a fixed random tanh network: (x, y) for training and test."""
    t1 = randn(gen, cfg.dim, cfg.teacher_hidden, device=device) / math.sqrt(cfg.dim)
    t2 = randn(gen, cfg.teacher_hidden, device=device)
    x = randn(gen, cfg.n_train + cfg.n_test, cfg.dim, device=device)
    y = (torch.tanh(x @ t1) @ t2 > 0).long()
    return x[: cfg.n_train], y[: cfg.n_train], x[cfg.n_train :], y[cfg.n_train :]


def _ece(probs: Tensor, y: Tensor, bins: int) -> float:
    conf, pred = probs.max(dim=-1)
    correct = (pred == y).float()
    idx = (conf * bins).long().clamp_max(bins - 1)
    acc = torch.zeros(bins, device=probs.device).scatter_add_(0, idx, correct)
    cf = torch.zeros(bins, device=probs.device).scatter_add_(0, idx, conf)
    return float(((acc - cf).abs().sum() / len(y)).item())


@demo(
    "deep-ensembles",
    topic="fundamentals",
    summary="6 nets from different inits: the averaged softmax beats its members in NLL and calibration, at 6x cost",
)
def deep_ensembles(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device
    m, h = cfg.members, cfg.hidden

    # 1. data: a random teacher network labels Gaussian inputs
    x, y, xt, yt = _teacher_data(gen, cfg, dev)

    # 2. M networks with different random initial weights (He-style scaling), batched as (M, ...) tensors
    def init(n_in: int, n_out: int) -> tuple[Tensor, Tensor]:
        w = (randn(gen, m, n_in, n_out, device=dev) * math.sqrt(2.0 / n_in)).requires_grad_()
        return w, torch.zeros(m, 1, n_out, device=dev, requires_grad=True)

    (w1, b1), (w2, b2) = init(cfg.dim, h), init(h, 2)
    params = [w1, b1, w2, b2]

    def logits(inp: Tensor) -> Tensor:  # inp (n, dim) -> (M, n, 2)
        z = torch.relu(inp @ w1 + b1)
        return z @ w2 + b2

    # 3. train every member on the same data (the summed loss keeps their updates independent)
    opt = Adam(params, lr=cfg.lr)
    steps = ctx.steps_or(cfg.steps)
    for step in range(steps):
        out = logits(x)
        loss = F.cross_entropy(out.reshape(-1, 2), y.repeat(m), reduction="sum") / cfg.n_train
        opt.zero_grad()
        loss.backward()
        opt.step()
        if (step + 1) % max(1, steps // 10) == 0:
            ctx.progress("training", (step + 1) / steps)

    # 4. evaluate every member and the ensembles of the first k members
    def evaluate(inp: Tensor, target: Tensor) -> dict[str, list[float]]:
        probs = torch.softmax(logits(inp), dim=-1)  # (M, n, 2)
        out: dict[str, list[float]] = {"nll": [], "acc": [], "ece": [], "ens_nll": [], "ens_acc": [], "ens_ece": []}
        for i in range(m):
            out["nll"].append(float(F.nll_loss(probs[i].clamp_min(1e-12).log(), target).item()))
            out["acc"].append(float((probs[i].argmax(-1) == target).float().mean().item()))
            out["ece"].append(_ece(probs[i], target, cfg.bins))
            p = probs[: i + 1].mean(dim=0)  # ensemble of the first i + 1 members
            out["ens_nll"].append(float(F.nll_loss(p.clamp_min(1e-12).log(), target).item()))
            out["ens_acc"].append(float((p.argmax(-1) == target).float().mean().item()))
            out["ens_ece"].append(_ece(p, target, cfg.bins))
        votes = probs.argmax(-1)
        out["disagree"] = [float((votes != votes[0]).any(dim=0).float().mean().item())]
        return out

    with torch.no_grad():
        ind = evaluate(xt, yt)
        train_acc = float((logits(x).argmax(-1) == y).float().mean().item())  # all members' mean
    member_nll, member_acc, member_ece = ind["nll"], ind["acc"], ind["ece"]
    ens_nll, ens_acc, ens_ece = ind["ens_nll"], ind["ens_acc"], ind["ens_ece"]
    disagree = ind["disagree"][0]
    n_params = sum(p[0].numel() for p in params)

    # 5. report
    mean_nll, mean_acc, mean_ece = (sum(v) / m for v in (member_nll, member_acc, member_ece))
    rows = [[f"member {i + 1}", member_acc[i], member_nll[i], member_ece[i], n_params] for i in range(m)]
    rows += [
        [f"ensemble of {k}", ens_acc[k - 1], ens_nll[k - 1], ens_ece[k - 1], k * n_params] for k in range(2, m + 1)
    ]
    metrics = {
        "member_nll": member_nll,
        "member_mean_nll": mean_nll,
        "member_mean_accuracy": mean_acc,
        "member_mean_ece": mean_ece,
        "ensemble_nll": ens_nll,
        "ensemble_accuracy": ens_acc,
        "ensemble_ece": ens_ece,
        "disagreement": disagree,
        "train_accuracy": train_acc,
        "params_per_member": n_params,
        "members": m,
    }
    nll_gain = 1 - ens_nll[-1] / mean_nll
    takeaway = (
        f"The members fit {train_acc:.0%} of the training labels and disagree on "
        f"{disagree:.0%} of the test points. Averaging their softmax outputs gives test NLL {fmt(ens_nll[-1])} "
        f"against {fmt(mean_nll)} for the average member ({nll_gain:.0%} lower; Jensen guarantees it cannot be "
        f"higher), ECE {fmt(ens_ece[-1])} vs {fmt(mean_ece)}"
        + (" (better calibrated)" if ens_ece[-1] < mean_ece else "")
        + f", and accuracy {ens_acc[-1]:.1%} vs {mean_acc:.1%}. The price: {m} x {n_params:,} parameters "
        f"and {m} forward passes per prediction."
    )
    kx = [float(k) for k in range(1, m + 1)]
    return DemoResult(
        header=(
            f"{m} MLPs trained from different random initializations on the same {cfg.n_train} points of a "
            f"{cfg.dim}-D two-class problem, evaluated alone and with their softmax outputs averaged: test accuracy, negative "
            "log-likelihood and expected calibration error."
        ),
        columns=["model", "test accuracy", "test NLL", "ECE", "parameters"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="test NLL vs ensemble size",
                series=[
                    Series("ensemble of the first k", ens_nll, x=kx),
                    Series("mean single member", [mean_nll] * m, x=kx),
                ],
                x_label="members averaged",
            )
        ],
    )
