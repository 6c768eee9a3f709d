"""Label smoothing: hard one-hot targets keep inflating the logits; smoothed targets have a finite optimum.

With hard targets, cross-entropy on a training example keeps falling as the gap between the true class's
logit and the others grows, so after the example is classified correctly training still pushes that gap
(and the confidence) up. With label smoothing eps over K classes, the target puts 1 - eps + eps/K on the
true class and eps/K on each other one, and the loss for one example is minimised at a FINITE gap,
log((1 - eps + eps/K) / (eps/K)). The same MLP, from the same initial weights, is trained on overlapping
Gaussian classes with and without smoothing; we track the mean top-1 minus top-2 logit gap on the training
data, and measure confidence, accuracy, negative log-likelihood and expected calibration error (ECE) on
fresh test data. ECE bins test predictions by confidence and averages |accuracy - confidence| over bins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import Adam, fmt, mlp, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    classes: int = 5  # K
    features: int = 10  # input dimension
    separation: float = 0.7  # std of the class means around the origin (each class has unit-variance noise)
    n_train: int = 800  # training examples
    n_test: int = 2000  # test examples
    hidden: int = 32  # MLP hidden width (one hidden layer)
    eps: float = 0.1  # label smoothing
    steps: int = 200  # full-batch Adam steps per run
    lr: float = 0.015  # Adam learning rate
    bins: int = 10  # confidence bins for ECE
    gap_every: int = 5  # steps between recorded training logit gaps


def expected_calibration_error(probs: Tensor, y: Tensor, bins: int) -> float:
    """Sum over confidence bins of (share of examples in bin) * |accuracy in bin - mean confidence in bin|."""
    conf, pred = probs.max(dim=1)
    correct = (pred == y).float()
    idx = torch.clamp((conf * bins).long(), max=bins - 1)  # bin of each example, [0, 1/bins) ... [.., 1]
    acc_sum = torch.zeros(bins, device=y.device).index_add_(0, idx, correct)
    conf_sum = torch.zeros(bins, device=y.device).index_add_(0, idx, conf)
    return float(((acc_sum - conf_sum).abs().sum() / y.numel()).item())


def top_gap(z: Tensor) -> Tensor:
    """Per example: largest logit minus the second largest."""
    top = z.topk(2, dim=1).values
    return top[:, 0] - top[:, 1]


@demo(
    "label-smoothing",
    topic="loss-functions",
    summary="hard targets keep growing the logit gap and over-confidence; smoothing caps it and lowers ECE",
)
def label_smoothing(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: K overlapping Gaussian classes, a training and a test set
    means = randn(gen, cfg.classes, cfg.features, device=ctx.device) * cfg.separation

    def sample(n: int) -> tuple[Tensor, Tensor]:
        y = torch.randint(0, cfg.classes, (n,), generator=gen).to(ctx.device)
        return means[y] + randn(gen, n, cfg.features, device=ctx.device), y

    x, y = sample(cfg.n_train)
    x_test, y_test = sample(cfg.n_test)

    # 2. model: one MLP, the same initial weights for both runs
    torch.manual_seed(ctx.seed + 1)
    init = mlp([cfg.features, cfg.hidden, cfg.classes], device=ctx.device)
    initial_state = {k: v.clone() for k, v in init.state_dict().items()}

    # 3. train with hard targets and with smoothed ones
    runs = {}
    for i, eps in enumerate((0.0, cfg.eps)):
        net = mlp([cfg.features, cfg.hidden, cfg.classes], device=ctx.device)
        net.load_state_dict(initial_state)
        opt = Adam(net.parameters(), lr=cfg.lr)
        progress = ticker(ctx, "hard targets" if eps == 0 else f"label smoothing {eps:g}", i / 2, (i + 1) / 2)
        gaps: list[Tensor] = []
        for step in range(steps):
            opt.zero_grad()
            z = net(x)
            F.cross_entropy(z, y, label_smoothing=eps).backward()
            opt.step()
            if step % cfg.gap_every == 0:
                gaps.append(top_gap(z.detach()).mean())
            if (step + 1) % max(1, steps // 10) == 0:
                progress((step + 1) / steps)

        # 4. measure: training logits and confidence, test accuracy, NLL and calibration
        with torch.no_grad():
            z = net(x)
            z_test = net(x_test)
            p_test = z_test.softmax(dim=1)
            runs[eps] = {
                "gaps": [float(g) for g in torch.stack(gaps).tolist()] if gaps else [],
                "train_gap": float(top_gap(z).mean().item()),
                "train_logit_max": float(z.abs().max().item()),
                "train_conf": float(z.softmax(dim=1).max(dim=1).values.mean().item()),
                "train_acc": float((z.argmax(1) == y).float().mean().item()),
                "test_acc": float((z_test.argmax(1) == y_test).float().mean().item()),
                "test_conf": float(p_test.max(dim=1).values.mean().item()),
                "test_nll": float(F.cross_entropy(z_test, y_test).item()),
                "ece": expected_calibration_error(p_test, y_test, cfg.bins),
            }

    # 5. report
    hard, smooth = runs[0.0], runs[cfg.eps]
    k, eps = cfg.classes, cfg.eps
    optimum_gap = math.log((1 - eps + eps / k) / (eps / k))
    rows = [
        [
            name,
            r["train_gap"],
            r["train_logit_max"],
            r["train_conf"],
            r["test_acc"],
            r["test_conf"],
            r["ece"],
            r["test_nll"],
        ]
        for name, r in (("hard", hard), (f"smoothed {eps:g}", smooth))
    ]
    metrics = {
        "train_gap_hard": hard["train_gap"],
        "train_gap_smooth": smooth["train_gap"],
        "smoothed_optimum_gap": optimum_gap,
        "train_logit_max_hard": hard["train_logit_max"],
        "train_logit_max_smooth": smooth["train_logit_max"],
        "train_confidence_hard": hard["train_conf"],
        "train_confidence_smooth": smooth["train_conf"],
        "test_accuracy_hard": hard["test_acc"],
        "test_accuracy_smooth": smooth["test_acc"],
        "test_confidence_hard": hard["test_conf"],
        "test_confidence_smooth": smooth["test_conf"],
        "ece_hard": hard["ece"],
        "ece_smooth": smooth["ece"],
        "test_nll_hard": hard["test_nll"],
        "test_nll_smooth": smooth["test_nll"],
        "gap_hard_at_half_training": hard["gaps"][len(hard["gaps"]) // 2] if hard["gaps"] else 0.0,
    }
    parts = [
        f"On the training data the mean top-1 minus top-2 logit gap reached {fmt(hard['train_gap'])} with hard "
        f"targets (mean confidence {fmt(hard['train_conf'])}) against {fmt(smooth['train_gap'])} with smoothing "
        f"{eps:g} (confidence {fmt(smooth['train_conf'])}; one example's smoothed optimum is a gap of "
        f"{fmt(optimum_gap)})."
    ]
    if hard["test_conf"] > hard["test_acc"] + 0.05:
        parts.append(
            f"Hard targets left the model over-confident on test data (confidence {fmt(hard['test_conf'])} vs "
            f"accuracy {fmt(hard['test_acc'])}, ECE {fmt(hard['ece'])});"
        )
    else:
        parts.append(f"Hard targets were not markedly over-confident here (ECE {fmt(hard['ece'])});")
    if smooth["ece"] < hard["ece"]:
        parts.append(
            f"smoothing brought ECE down to {fmt(smooth['ece'])} and test NLL from {fmt(hard['test_nll'])} "
            f"to {fmt(smooth['test_nll'])},"
        )
    else:
        parts.append(f"smoothing did not improve calibration (ECE {fmt(smooth['ece'])}),")
    diff = smooth["test_acc"] - hard["test_acc"]
    if abs(diff) < 0.015:
        parts.append(f"with test accuracy about the same ({fmt(hard['test_acc'])} vs {fmt(smooth['test_acc'])}).")
    else:
        parts.append(
            f"and test accuracy went from {fmt(hard['test_acc'])} to {fmt(smooth['test_acc'])} "
            f"({'better' if diff > 0 else 'worse'})."
        )
    x_gaps = [float(i * cfg.gap_every) for i in range(len(hard["gaps"]))]
    return DemoResult(
        header=(
            f"Trains one MLP on {cfg.classes} overlapping Gaussian classes with hard one-hot targets and with label "
            f"smoothing {eps:g}, same initial weights, full-batch Adam; logit gaps (top-1 minus top-2), max |logit| and "
            "confidence on the training data, accuracy, confidence, calibration error (ECE) and NLL on fresh test data."
        ),
        columns=[
            "targets",
            "train gap",
            "train max|z|",
            "train conf",
            "test acc",
            "test conf",
            "ECE",
            "NLL",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="mean top-1 minus top-2 logit gap on the training data",
                series=[
                    Series("hard targets", thin(hard["gaps"]), x=thin(x_gaps)),
                    Series(f"label smoothing {eps:g}", thin(smooth["gaps"]), x=thin(x_gaps)),
                    Series("smoothed optimum (one example)", [optimum_gap] * len(thin(x_gaps)), x=thin(x_gaps)),
                ],
            )
        ],
    )
