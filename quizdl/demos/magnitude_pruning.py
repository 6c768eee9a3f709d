"""Magnitude pruning: zero the smallest weights of a trained MLP, at rising sparsity, with and without a fine-tune.

An over-parameterized MLP (8 -> 128 -> 128 -> 4, about 18k weights) is trained on a synthetic 4-class task
with a little L2 weight decay, which lets the weights the task does not need shrink. Then, for each
target sparsity, the given share of all weight matrices' entries with the smallest |w| (one global
threshold; biases are kept) is set to zero, and test accuracy is measured:
- one-shot: pruned and evaluated straight away;
- fine-tuned: pruned, then trained a few more steps with the pruned weights held at zero (their gradients
  are masked), which lets the surviving weights compensate;
- random: the same number of weights removed at random, to show that the magnitude is what matters.
Typical picture: flat to a high sparsity, then a cliff once weights the function needs are removed;
a short fine-tune pushes the cliff further out.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import mlp, seeded, teacher_task, ticker, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    dim: int = 8  # input features
    classes: int = 4  # classes of the synthetic task
    teacher_hidden: int = 16  # hidden units of the random network that labels the data
    hidden: int = 128  # width of the MLP's two hidden layers
    n_train: int = 800  # training samples
    n_test: int = 2000  # test samples
    steps: int = 60  # full-batch Adam steps of the dense training
    lr: float = 0.02  # Adam learning rate of the dense training
    weight_decay: float = 0.01  # L2 during dense training: unneeded weights shrink towards zero
    sparsities: tuple[float, ...] = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99)  # share of weights zeroed
    finetune_steps: int = 15  # Adam steps after pruning, pruned weights held at zero
    finetune_lr: float = 0.003  # Adam learning rate of the fine-tune
    tolerance: float = 0.02  # "flat": within 2 accuracy points of the dense network


@torch.no_grad()
def _accuracy(net: nn.Module, x: Tensor, y: Tensor) -> float:
    return float((net(x).argmax(dim=1) == y).float().mean().item())


def _magnitude_masks(weights: list[Tensor], sparsity: float) -> list[Tensor]:
    """Keep-masks zeroing the `sparsity` share of all entries with the smallest |w| (one global threshold)."""
    flat = torch.cat([w.detach().abs().flatten() for w in weights])
    k = round(sparsity * flat.numel())
    if k == 0:
        return [torch.ones_like(w, dtype=torch.bool) for w in weights]
    threshold = flat.kthvalue(k).values
    return [w.detach().abs() > threshold for w in weights]


def _random_masks(weights: list[Tensor], sparsity: float, gen: torch.Generator) -> list[Tensor]:
    """Keep-masks zeroing the same share of entries, chosen at random."""
    sizes = [w.numel() for w in weights]
    k = round(sparsity * sum(sizes))
    keep = torch.ones(sum(sizes), dtype=torch.bool)
    keep[torch.randperm(sum(sizes), generator=gen)[:k]] = False
    return [m.reshape(w.shape).to(w.device) for m, w in zip(keep.split(sizes), weights, strict=True)]


@demo(
    "magnitude-pruning",
    topic="deployment-practice",
    summary="zero the smallest weights: accuracy flat to high sparsity then a cliff; a short fine-tune moves it",
)
def magnitude_pruning(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    steps = ctx.steps_or(cfg.steps)

    # 1. data: labels from a fixed random ReLU network (argmax of its centred outputs)
    task = teacher_task(gen, cfg.dim, cfg.teacher_hidden, cfg.classes, device=ctx.device)

    x_train, y_train = task(cfg.n_train)
    x_test, y_test = task(cfg.n_test)

    # 2. model: train the dense MLP with a little weight decay
    net = mlp([cfg.dim, cfg.hidden, cfg.hidden, cfg.classes], device=ctx.device)

    def loss() -> Tensor:
        return F.cross_entropy(net(x_train), y_train)

    train(
        net,
        loss,
        steps=steps,
        lr=cfg.lr,
        optimizer="adam",
        weight_decay=cfg.weight_decay,
        progress=ticker(ctx, "training the dense MLP", 0.0, 0.3),
    )
    dense_acc = _accuracy(net, x_test, y_test)
    dense_state = {k: v.clone() for k, v in net.state_dict().items()}
    weights = [m.weight for m in net if isinstance(m, nn.Linear)]
    n_weights = sum(w.numel() for w in weights)

    # 3. prune at each sparsity: one-shot, after a masked fine-tune, and at random for comparison
    one_shot: list[float] = []
    tuned: list[float] = []
    rand_acc: list[float] = []
    kept_per_layer: list[list[int]] = []
    sparsity_after_tune: list[float] = []
    report = ticker(ctx, "pruning and fine-tuning", 0.3, 1.0)
    for i, sparsity in enumerate(cfg.sparsities):
        net.load_state_dict(dense_state)
        with torch.no_grad():
            for w, m in zip(weights, _random_masks(weights, sparsity, gen), strict=True):
                w.mul_(m)
        rand_acc.append(_accuracy(net, x_test, y_test))

        net.load_state_dict(dense_state)
        masks = _magnitude_masks(weights, sparsity)
        with torch.no_grad():
            for w, m in zip(weights, masks, strict=True):
                w.mul_(m)
        one_shot.append(_accuracy(net, x_test, y_test))
        kept_per_layer.append([int(m.sum().item()) for m in masks])

        def hold_pruned_at_zero(_step: int, _norm: float, masks: list[Tensor] = masks) -> None:
            for w, m in zip(weights, masks, strict=True):
                w.grad.mul_(m)  # zero gradient, fresh Adam state: a pruned weight's update is exactly 0

        if sparsity > 0:  # nothing pruned, nothing to recover: the dense network is its own "fine-tuned" row
            train(
                net,
                loss,
                steps=cfg.finetune_steps,
                lr=cfg.finetune_lr,
                optimizer="adam",
                weight_decay=cfg.weight_decay,  # a pruned weight is 0, so its decay term is 0 too
                on_step=hold_pruned_at_zero,
            )
        tuned.append(_accuracy(net, x_test, y_test))
        sparsity_after_tune.append(float(sum(int((w == 0).sum().item()) for w in weights)) / n_weights)
        report((i + 1) / len(cfg.sparsities))

    # 4. report: how far accuracy stays flat, and where the cliff is
    def flat_until(accs: list[float]) -> float:
        """Largest sparsity up to which every accuracy is within the tolerance of the dense network."""
        best = 0.0
        for s, a in zip(cfg.sparsities, accs, strict=True):
            if a < dense_acc - cfg.tolerance:
                break
            best = s
        return best

    flat_one, flat_tuned, flat_rand = flat_until(one_shot), flat_until(tuned), flat_until(rand_acc)
    rows: list[list[object]] = [
        [s, n_weights - sum(kept), "/".join(map(str, kept)), one_shot[i], tuned[i], rand_acc[i]]
        for i, (s, kept) in enumerate(zip(cfg.sparsities, kept_per_layer, strict=True))
    ]
    chance = float(torch.bincount(y_test, minlength=cfg.classes).max().item()) / cfg.n_test
    i50 = cfg.sparsities.index(0.5)
    i90 = cfg.sparsities.index(0.9)
    i99 = len(cfg.sparsities) - 1
    metrics = {
        "weights": n_weights,
        "sparsities": list(cfg.sparsities),
        "dense_accuracy": dense_acc,
        "accuracy_one_shot": one_shot,
        "accuracy_finetuned": tuned,
        "accuracy_random": rand_acc,
        "flat_until_one_shot": flat_one,
        "flat_until_finetuned": flat_tuned,
        "flat_until_random": flat_rand,
        "accuracy_one_shot_at_90": one_shot[i90],
        "accuracy_finetuned_at_90": tuned[i90],
        "accuracy_random_at_50": rand_acc[i50],
        "accuracy_finetuned_at_max": tuned[i99],
        "max_sparsity": cfg.sparsities[i99],
        "sparsity_kept_after_finetune": all(
            abs(a - s) < 1e-3 or a >= s for a, s in zip(sparsity_after_tune, cfg.sparsities, strict=True)
        ),
        "chance_accuracy": chance,
    }

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    parts = [
        f"The dense MLP scores {dense_acc:.1%}. Zeroing the smallest weights keeps accuracy within "
        f"{100 * cfg.tolerance:.0f} points up to {pct(flat_one)} sparsity one-shot and up to {pct(flat_tuned)} "
        f"after a {cfg.finetune_steps}-step fine-tune (at 90%: {one_shot[i90]:.1%} one-shot, {tuned[i90]:.1%} "
        f"fine-tuned);",
    ]
    if tuned[i99] < dense_acc - 0.15:
        parts.append(
            f"at {pct(cfg.sparsities[i99])} it falls off a cliff to {tuned[i99]:.1%} even fine-tuned "
            f"({one_shot[i99]:.1%} one-shot; always answering the commonest class scores {chance:.1%}), once "
            "weights the function needs are gone."
        )
    else:
        parts.append(f"even at {pct(cfg.sparsities[i99])} it still reaches {tuned[i99]:.1%} fine-tuned.")
    if flat_rand < flat_one:
        parts.append(
            f"Removing the same share of weights at random instead gives {rand_acc[i50]:.1%} already at 50%: "
            "the magnitude is what picks the weights that do not matter."
        )
    else:
        parts.append(f"Random pruning held up as well here ({rand_acc[i50]:.1%} at 50%).")
    return DemoResult(
        header=(
            f"Trains a {cfg.dim}-{cfg.hidden}-{cfg.hidden}-{cfg.classes} MLP ({n_weights} weights), then zeroes the "
            "given share of weights with the smallest magnitude (one global threshold) and measures test accuracy, "
            f"straight away and after {cfg.finetune_steps} fine-tuning steps with the pruned weights held at zero."
        ),
        columns=[
            "sparsity",
            "weights zeroed",
            "kept per layer",
            "accuracy one-shot",
            "accuracy fine-tuned",
            "accuracy random pruning",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="test accuracy vs sparsity",
                series=[
                    Series("magnitude, one-shot", one_shot, [float(s) for s in cfg.sparsities]),
                    Series("magnitude, fine-tuned", tuned, [float(s) for s in cfg.sparsities]),
                    Series("random", rand_acc, [float(s) for s in cfg.sparsities]),
                ],
                x_label="sparsity",
            )
        ],
    )
