"""Class imbalance: 95% accuracy can mean the model barely finds the class you care about.

2-D data where 95% of the points are "normal" (class 0, a wide Gaussian) and 5% are the minority
(class 1, a tighter Gaussian overlapping its edge). Predicting class 0 for everything already scores about
95% accuracy, so accuracy says little; precision, recall and F1 of the minority class say more.

The same small MLP is trained twice on the same data: with plain cross-entropy, where the few minority
points barely move the loss, and with class weights inversely proportional to the class frequencies
(n / (2 n_c), "balanced"), so both classes contribute equally, and once with the square root of those
weights. Weighting moves the decision boundary into the majority: recall rises, precision falls, and F1
improves most when the unweighted model almost never predicts the minority.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import Adam, mlp, rand, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_train: int = 1000  # training points
    n_test: int = 2000  # test points
    minority_share: float = 0.05  # share of class 1
    minority_center: float = 1.6  # class 1 mean is (c, c) / sqrt(2): distance c from class 0's mean
    minority_std: float = 0.5  # class 1 spread (class 0 has std 1)
    hidden: int = 16  # MLP 2 -> 16 -> 16 -> 2
    steps: int = 150  # full-batch Adam steps
    lr: float = 0.02  # Adam learning rate


def scores(pred: Tensor, y: Tensor) -> dict[str, float]:
    """Accuracy, and precision / recall / F1 of class 1."""
    tp = float(((pred == 1) & (y == 1)).sum().item())
    fp = float(((pred == 1) & (y == 0)).sum().item())
    fn = float(((pred == 0) & (y == 1)).sum().item())
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    accuracy = float((pred == y).float().mean().item())
    return {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1, "flagged": tp + fp}


@demo(
    "class-imbalance",
    topic="evaluation",
    summary="95/5 data: accuracy vs precision, recall and F1; class weights",
)
def class_imbalance(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: 95% wide class 0 around the origin, 5% tighter class 1 at distance minority_center
    center = torch.full((1, 2), cfg.minority_center / 2**0.5, device=ctx.device)

    def sample(n: int) -> tuple[Tensor, Tensor]:
        y = (rand(gen, n, device=ctx.device) < cfg.minority_share).long()
        x0 = randn(gen, n, 2, device=ctx.device)
        x1 = center + cfg.minority_std * randn(gen, n, 2, device=ctx.device)
        return torch.where(y[:, None] == 1, x1, x0), y

    x, y = sample(cfg.n_train)
    x_test, y_test = sample(cfg.n_test)
    counts = torch.bincount(y, minlength=2).float()
    balanced = counts.sum() / (2 * counts)  # n / (2 n_c): each class carries half the loss

    # 2. model and 3. training: same initial weights, unweighted vs class-weighted cross-entropy
    results: dict[str, dict[str, float]] = {}
    curves: dict[str, list[float]] = {}
    plans = (("unweighted", None), ("class-weighted (sqrt)", balanced.sqrt()), ("class-weighted", balanced))
    for i, (name, weight) in enumerate(plans):
        torch.manual_seed(ctx.seed + 1)
        net = mlp([2, cfg.hidden, cfg.hidden, 2], device=ctx.device)
        opt = Adam(net.parameters(), lr=cfg.lr)
        report = ticker(ctx, f"training, {name}", i / len(plans), (i + 1) / len(plans))
        curves[name] = []
        for step in range(steps):
            loss = F.cross_entropy(net(x), y, weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            curves[name].append(float(loss.item()))
            if (step + 1) % max(1, steps // 5) == 0:
                report((step + 1) / steps)
        # 4. evaluate on the test set
        with torch.no_grad():
            results[name] = scores(net(x_test).argmax(dim=1), y_test)
    results["always class 0"] = scores(torch.zeros_like(y_test), y_test)
    ctx.progress("done", 1.0)

    rows: list[list[object]] = [
        [name, r["accuracy"], r["precision"], r["recall"], r["f1"], int(r["flagged"])] for name, r in results.items()
    ]
    un, wt, base = results["unweighted"], results["class-weighted"], results["always class 0"]
    mid = results["class-weighted (sqrt)"]
    metrics: dict[str, float] = {"minority_share_test": float(y_test.float().mean().item())}
    metrics["class_weight_minority"] = float(balanced[1].item())
    metrics["class_weight_majority"] = float(balanced[0].item())
    for key, r in (("unweighted", un), ("weighted", wt), ("sqrt_weighted", mid), ("always_majority", base)):
        for k, v in r.items():
            metrics[f"{k}_{key}"] = int(v) if k == "flagged" else v
    found = (
        "never predicts the minority (recall 0, F1 0)"
        if un["flagged"] == 0
        else f"finds only {un['recall']:.0%} of the minority (precision {un['precision']:.2f}, F1 {un['f1']:.2f})"
    )
    takeaway = (
        f"Always predicting the majority already scores {base['accuracy']:.1%} accuracy with recall 0. The "
        f"unweighted model reaches {un['accuracy']:.1%} accuracy but {found}. Balanced class weights "
        f"({metrics['class_weight_minority']:.2f} for the minority, {metrics['class_weight_majority']:.2f} for the "
        f"majority) raise recall to {wt['recall']:.0%} and F1 to {wt['f1']:.2f}"
        f" (precision {wt['precision']:.2f}, accuracy {wt['accuracy']:.1%}). "
        + (
            "Accuracy hid the problem; recall and F1 show it, and the weights buy a large gain in recall "
            "with precision. "
            if wt["recall"] > un["recall"] + 0.1 and wt["f1"] > un["f1"]
            else "Here the weights did not improve both recall and F1. "
        )
        + f"The weight is a knob, not a cure: at the square root of the balanced weights recall is "
        f"{mid['recall']:.0%}, precision {mid['precision']:.2f}, F1 {mid['f1']:.2f}."
    )
    return DemoResult(
        header=(
            f"A small MLP on 2-D data with {cfg.minority_share:.0%} minority points, trained with plain, sqrt-weighted "
            "and balanced class-weighted cross-entropy; accuracy vs the minority class's precision, recall and F1 "
            "on a test set."
        ),
        columns=["model", "accuracy", "minority precision", "minority recall", "minority F1", "predicted minority"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="training loss",
                series=[Series(k, thin(v)) for k, v in curves.items()],
            )
        ],
    )
