"""Forgetting model.eval(): BatchNorm left in train mode at inference.

In train mode BatchNorm normalises with the CURRENT batch's mean and variance, and updates its running
statistics from that batch (running = 0.9 running + 0.1 batch). At inference that has two effects:

1. Predictions depend on the batch. One example's output changes with its batchmates, accuracy falls on
   small batches, and collapses on batches that are not a random sample (here: requests that arrive
   grouped by class, so each batch's mean is one class's mean and normalising removes exactly the signal
   the classifier needs). A batch of one is an error for BatchNorm1d on (N, C) inputs.
2. The damage persists: every train-mode forward pass overwrote the running statistics with those of the
   test batches, so even after switching to model.eval() the network is worse than it was.

A small MLP with BatchNorm is trained properly (train mode, shuffled mini-batches), then used at
inference in eval mode (correct) and in train mode, on a copy, and evaluated again in eval mode afterwards.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, fmt, randn, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    classes: int = 4  # Gaussian classes
    features: int = 8  # input dimension
    separation: float = 1.5  # std of the class means
    offset: float = 3.0  # a common offset of all inputs (BatchNorm's running mean has to learn it)
    n_train: int = 1024  # training examples
    n_test: int = 512  # test examples (a multiple of every inference batch size below)
    hidden: int = 64  # hidden units, followed by BatchNorm1d and ReLU
    batch: int = 64  # training mini-batch size
    epochs: int = 6  # passes over the training data
    lr: float = 0.01  # Adam learning rate
    small_batch: int = 2  # a small inference batch
    grouped_batch: int = 8  # inference batches of one class each (requests grouped by class)
    probes: int = 16  # test examples each scored inside several batches of random batchmates
    batchmates: int = 7  # batch = the probed example + this many random other test examples
    trials: int = 10  # batches (sets of batchmates) per probed example


def make_model(cfg: Config, device: str) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(cfg.features, cfg.hidden), nn.BatchNorm1d(cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, cfg.classes)
    ).to(device)


def batched_accuracy(model: nn.Module, x: Tensor, y: Tensor, batch: int) -> float:
    """Accuracy when x is fed in consecutive batches of `batch` (in whatever mode the model is in)."""
    with torch.no_grad():
        pred = torch.cat([model(x[i : i + batch]).argmax(1) for i in range(0, len(x), batch)])
    return float((pred == y).float().mean().item())


@demo(
    "batchnorm-train-mode-inference",
    topic="normalization",
    summary="BatchNorm left in train mode at inference: batch-dependent outputs, and running stats overwritten",
)
def batchnorm_train_mode_inference(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)

    # 1. data: Gaussian classes around a common offset
    means = randn(gen, cfg.classes, cfg.features, device=ctx.device) * cfg.separation + cfg.offset

    def sample(n: int) -> tuple[Tensor, Tensor]:
        y = torch.randint(0, cfg.classes, (n,), generator=gen).to(ctx.device)
        return means[y] + randn(gen, n, cfg.features, device=ctx.device), y

    x, y = sample(cfg.n_train)
    x_test, y_test = sample(cfg.n_test)

    # 2. model and proper training: train mode, shuffled mini-batches
    torch.manual_seed(ctx.seed + 1)
    model = make_model(cfg, ctx.device)
    opt = Adam(model.parameters(), lr=cfg.lr)
    progress = ticker(ctx, "training", 0.0, 0.7)
    model.train()
    for epoch in range(ctx.steps_or(cfg.epochs)):
        order = torch.randperm(cfg.n_train, generator=gen).to(ctx.device)
        for i in range(0, cfg.n_train, cfg.batch):
            idx = order[i : i + cfg.batch]
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        progress((epoch + 1) / ctx.steps_or(cfg.epochs))
    model.eval()
    ctx.progress("inference", 0.7)

    # 3. correct inference (eval mode): batch size does not matter, outputs do not depend on batchmates
    acc_eval = batched_accuracy(model, x_test, y_test, cfg.n_test)
    acc_eval_b1 = batched_accuracy(model, x_test, y_test, 1)
    by_class = torch.argsort(y_test, stable=True)  # requests grouped by class
    x_grouped, y_grouped = x_test[by_class], y_test[by_class]

    def probe_outputs(m: nn.Module) -> Tensor:
        """(probes, trials, classes): probabilities of test examples 0..probes-1, each inside `trials` batches
        with different random batchmates."""
        g = torch.Generator().manual_seed(ctx.seed + 2)
        outs = []
        with torch.no_grad():
            for j in range(cfg.probes):
                for _ in range(cfg.trials):
                    mates = torch.randperm(cfg.n_test - cfg.probes, generator=g)[: cfg.batchmates] + cfg.probes
                    outs.append(m(torch.cat([x_test[j : j + 1], x_test[mates.to(ctx.device)]]))[0].softmax(0))
        return torch.stack(outs).view(cfg.probes, cfg.trials, cfg.classes)

    def spreads(outs: Tensor) -> Tensor:
        """Per probed example: the largest change of any class probability across its batches."""
        return (outs.max(1).values - outs.min(1).values).max(1).values

    eval_outs = probe_outputs(model)
    eval_spread = float(spreads(eval_outs).max().item())

    # 4. forgetting model.eval(): a copy in train mode scores the same test data
    forgot = copy.deepcopy(model).train()
    train_outs = probe_outputs(forgot)
    train_spreads = spreads(train_outs)
    train_spread_mean = float(train_spreads.mean().item())
    train_spread_max = float(train_spreads.max().item())
    preds = train_outs.argmax(2)  # (probes, trials)
    flipped = float((preds != preds[:, :1]).any(1).float().mean().item())  # share of probes whose class changes
    worst = int(train_spreads.argmax().item())
    try:
        with torch.no_grad():
            forgot(x_test[:1])
        batch_of_one = "works"
    except ValueError:
        batch_of_one = "ValueError"
    bn_before = model[1]
    mean_before = bn_before.running_mean.clone()
    forgot.load_state_dict(model.state_dict())  # fresh running stats before each measurement
    acc_train_full = batched_accuracy(forgot, x_test, y_test, cfg.n_test)
    forgot.load_state_dict(model.state_dict())
    acc_train_small = batched_accuracy(forgot, x_test, y_test, cfg.small_batch)
    forgot.load_state_dict(model.state_dict())
    acc_train_grouped = batched_accuracy(forgot, x_grouped, y_grouped, cfg.grouped_batch)
    ctx.progress("after switching to eval", 0.9)

    # 5. the damage persists: the grouped train-mode pass overwrote the running statistics
    drift = float(((forgot[1].running_mean - mean_before).norm() / mean_before.norm()).item())
    forgot.eval()
    acc_eval_after = batched_accuracy(forgot, x_test, y_test, cfg.n_test)
    ctx.progress("done", 1.0)

    # 6. report
    cls = int(eval_outs[worst, 0].argmax().item())
    rows = [
        ["eval (correct)", f"all {cfg.n_test} at once", acc_eval],
        ["eval (correct)", "one at a time", acc_eval_b1],
        ["train mode (forgot eval)", f"all {cfg.n_test} at once", acc_train_full],
        ["train mode (forgot eval)", f"batches of {cfg.small_batch}", acc_train_small],
        ["train mode (forgot eval)", f"batches of {cfg.grouped_batch}, grouped by class", acc_train_grouped],
        ["eval, after the grouped train-mode pass", f"all {cfg.n_test} at once", acc_eval_after],
    ]
    metrics = {
        "acc_eval": acc_eval,
        "acc_eval_batch_of_one": acc_eval_b1,
        "acc_train_mode_full_batch": acc_train_full,
        "acc_train_mode_small_batches": acc_train_small,
        "acc_train_mode_grouped_batches": acc_train_grouped,
        "acc_eval_after_train_mode_pass": acc_eval_after,
        "prob_spread_eval_max": eval_spread,
        "prob_spread_train_mode_mean": train_spread_mean,
        "prob_spread_train_mode_max": train_spread_max,
        "share_of_examples_whose_class_flips": flipped,
        "running_mean_relative_change": drift,
        "train_mode_batch_of_one": batch_of_one,
    }
    parts = [
        f"In eval mode test accuracy is {fmt(acc_eval)} whether examples come all at once or one at a time "
        f"({fmt(acc_eval_b1)}), and the class probabilities of {cfg.probes} probed examples moved by at most "
        f"{fmt(eval_spread)} across {cfg.trials} sets of batchmates each.",
        f"Left in train mode, they moved by {fmt(train_spread_mean)} on average (up to {fmt(train_spread_max)}), "
        f"and {100 * flipped:.0f}% of the probed examples changed predicted class with their batchmates;",
        f"accuracy was {fmt(acc_train_full)} on one big batch, {fmt(acc_train_small)} in batches of "
        f"{cfg.small_batch} and {fmt(acc_train_grouped)} on batches grouped by class, and a batch of one gives "
        f"{'a ValueError' if batch_of_one == 'ValueError' else 'no error'}.",
    ]
    if acc_eval_after < acc_eval - 0.05:
        parts.append(
            f"The grouped pass also moved the running mean by {100 * drift:.0f}% of its norm, so after switching "
            f"back to eval() accuracy stays down at {fmt(acc_eval_after)} (from {fmt(acc_eval)}): the damage "
            "persists until the running statistics are restored."
        )
    else:
        parts.append(
            f"The grouped pass moved the running mean by {100 * drift:.0f}% of its norm, but eval accuracy "
            f"afterwards was {fmt(acc_eval_after)} (from {fmt(acc_eval)}), so no lasting damage here."
        )
    return DemoResult(
        header=(
            "Trains an MLP with BatchNorm properly, then runs inference in eval mode and, on a copy, in train mode "
            "(as when model.eval() is forgotten): examples scored with different batchmates, accuracy for "
            "several inference batchings, and eval accuracy after the train-mode pass."
        ),
        columns=["BatchNorm mode at inference", "test batches", "accuracy"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title=f"the most affected of {cfg.probes} probed examples: probability of its eval-mode class",
                series=[
                    Series("eval mode", [float(v) for v in eval_outs[worst, :, cls].tolist()]),
                    Series("train mode", [float(v) for v in train_outs[worst, :, cls].tolist()]),
                ],
                x_label="batch",
            )
        ],
    )
