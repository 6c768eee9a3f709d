"""Calibration and temperature scaling: an over-trained net is over-confident; one scalar T fixes most of it.

Four overlapping Gaussian classes in 10-D and only 100 training points: an MLP trained for many full-batch
Adam steps drives its training loss to about zero by inflating its logits, so on new data it claims ~100%
confidence while being right far less often. The Expected Calibration Error
ECE = sum_b (n_b / N) |acc(b) - conf(b)| (15 equal-width confidence bins) measures the mismatch.

Temperature scaling divides every logit by one scalar T > 0, chosen to minimize the negative
log-likelihood on a held-out validation set (a 1-D search over log T). Dividing by a positive constant
keeps each row's ordering, so the argmax and hence the accuracy are exactly unchanged; only the confidence
moves. ECE and NLL are measured on a separate test set, never on the data T was fitted on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import Adam, fmt, mlp, randn, seeded, ticker, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    dim: int = 10  # input features
    classes: int = 4  # Gaussian classes, means drawn with std `separation`
    separation: float = 0.6  # std of the class means (small: the classes overlap)
    n_train: int = 100  # training points (little data)
    n_val: int = 500  # validation points, used only to fit T
    n_test: int = 2000  # test points for accuracy, ECE and NLL
    width: int = 64  # MLP 10 -> 64 -> 64 -> 4
    steps: int = 150  # full-batch Adam steps (long enough to memorize)
    lr: float = 0.01  # Adam learning rate
    bins: int = 15  # equal-width confidence bins for ECE
    log_t_range: tuple[float, float] = (-1.0, 3.0)  # search range of log T
    grid: int = 401  # grid points over log T
    eval_every: int = 10  # steps between test-ECE measurements for the chart


def expected_calibration_error(logits: Tensor, y: Tensor, bins: int) -> tuple[float, Tensor, Tensor, Tensor]:
    """ECE of the top-class confidence in `bins` equal-width bins, and per bin (count, accuracy, confidence)."""
    prob = logits.softmax(dim=1)
    conf, pred = prob.max(dim=1)
    correct = (pred == y).float()
    b = (conf * bins).long().clamp(max=bins - 1)  # confidence 1.0 goes to the last bin
    count = torch.zeros(bins, device=logits.device).index_add_(0, b, torch.ones_like(conf))
    acc_sum = torch.zeros(bins, device=logits.device).index_add_(0, b, correct)
    conf_sum = torch.zeros(bins, device=logits.device).index_add_(0, b, conf)
    ece = (acc_sum - conf_sum).abs().sum() / y.shape[0]  # sum_b (n_b/N) |acc_b - conf_b|
    safe = count.clamp_min(1)
    return float(ece.item()), count, acc_sum / safe, conf_sum / safe


def fit_temperature(logits: Tensor, y: Tensor, cfg: Config) -> float:
    """T minimizing the validation NLL of softmax(logits / T), by a dense grid over log T (one batched pass)."""
    log_t = torch.linspace(*cfg.log_t_range, cfg.grid, device=logits.device)
    scaled = logits[None] / log_t.exp()[:, None, None]  # (grid, n, C)
    nll = -(scaled.log_softmax(dim=2).gather(2, y[None, :, None].expand(cfg.grid, -1, 1))).mean(dim=(1, 2))
    return float(log_t[nll.argmin()].exp().item())


@demo(
    "calibration-temperature",
    topic="evaluation",
    summary="an over-trained net is over-confident (high ECE); temperature scaling lowers ECE, accuracy unchanged",
)
def calibration_temperature(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: overlapping Gaussian classes; little training data, separate validation and test sets
    means = cfg.separation * randn(gen, cfg.classes, cfg.dim, device=ctx.device)

    def sample(n: int) -> tuple[Tensor, Tensor]:
        y = (torch.arange(n) % cfg.classes)[torch.randperm(n, generator=gen)].to(ctx.device)
        return means[y] + randn(gen, n, cfg.dim, device=ctx.device), y

    x_train, y_train = sample(cfg.n_train)
    x_val, y_val = sample(cfg.n_val)
    x_test, y_test = sample(cfg.n_test)

    # 2. model and 3. training: long full-batch Adam on 100 points, tracking test ECE as it goes
    net = mlp([cfg.dim, cfg.width, cfg.width, cfg.classes], device=ctx.device)
    opt = Adam(net.parameters(), lr=cfg.lr)
    report = ticker(ctx, "training", 0.0, 0.9)
    ece_curve: list[float] = []
    ece_steps: list[float] = []
    losses: list[float] = []
    for step in range(steps):
        loss = F.cross_entropy(net(x_train), y_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
        if (step + 1) % cfg.eval_every == 0 or step + 1 == steps:
            with torch.no_grad():
                ece_curve.append(expected_calibration_error(net(x_test), y_test, cfg.bins)[0])
            ece_steps.append(float(step + 1))
            report((step + 1) / steps)

    # 4. temperature scaling: fit T on the validation logits, evaluate on the test logits
    with torch.no_grad():
        val_logits, test_logits = net(x_val), net(x_test)
    t = fit_temperature(val_logits, y_val, cfg)
    scaled = test_logits / t
    pred_before, pred_after = test_logits.argmax(dim=1), scaled.argmax(dim=1)
    acc_before = float((pred_before == y_test).float().mean().item())
    acc_after = float((pred_after == y_test).float().mean().item())
    ece_before, count_b, acc_b, _ = expected_calibration_error(test_logits, y_test, cfg.bins)
    ece_after, count_a, acc_a, _ = expected_calibration_error(scaled, y_test, cfg.bins)
    nll_before = float(F.cross_entropy(test_logits, y_test).item())
    nll_after = float(F.cross_entropy(scaled, y_test).item())
    mean_conf_before = float(test_logits.softmax(1).max(1).values.mean().item())
    mean_conf_after = float(scaled.softmax(1).max(1).values.mean().item())
    ctx.progress("done", 1.0)

    # 5. report
    with torch.no_grad():
        train_acc = float((net(x_train).argmax(1) == y_train).float().mean().item())
    rows: list[list[object]] = [
        ["raw logits (T = 1)", 1.0, acc_before, mean_conf_before, ece_before, nll_before],
        [f"temperature scaled (T = {fmt(t)})", t, acc_after, mean_conf_after, ece_after, nll_after],
    ]
    metrics = {
        "temperature": t,
        "train_accuracy": train_acc,
        "final_train_loss": losses[-1],
        "test_accuracy_before": acc_before,
        "test_accuracy_after": acc_after,
        "argmax_unchanged": bool(torch.equal(pred_before, pred_after)),
        "ece_before": ece_before,
        "ece_after": ece_after,
        "nll_before": nll_before,
        "nll_after": nll_after,
        "mean_confidence_before": mean_conf_before,
        "mean_confidence_after": mean_conf_after,
        "ece_first_checkpoint": ece_curve[0],
    }
    if ece_after < ece_before:
        verdict = (
            f"Dividing the logits by T = {fmt(t)} (fitted on the validation set) cuts test ECE to "
            f"{fmt(ece_after)} and NLL to {fmt(nll_after)}"
        )
    else:
        verdict = f"Temperature T = {fmt(t)} did not lower ECE here ({fmt(ece_after)})"
    same = (
        "exactly the same as before, because T > 0 never changes the argmax"
        if acc_after == acc_before
        else f"not the same as before ({acc_before:.2%})"
    )
    growth = (
        f" Over-confidence grew with training: test ECE was {fmt(ece_curve[0])} after {int(ece_steps[0])} steps."
        if ece_curve[0] < ece_before
        else ""
    )
    takeaway = (
        f"After {steps} steps on {cfg.n_train} points (training loss {fmt(losses[-1])}), the net is "
        f"{mean_conf_before:.0%} confident on average but {acc_before:.0%} accurate on the test set: ECE "
        f"{fmt(ece_before)}, NLL {fmt(nll_before)}. {verdict}, with mean confidence {mean_conf_after:.0%} and "
        f"accuracy {acc_after:.0%}, {same}.{growth}"
    )

    # reliability chart: only bins that can be reached (top-class confidence >= 1 / classes) and that hold
    # at least 1% of the test points, so a handful of points does not draw a spike
    first = int(cfg.bins / cfg.classes)
    centres = [(i + 0.5) / cfg.bins for i in range(first, cfg.bins)]

    def reliability(acc: Tensor, count: Tensor) -> list[float]:
        pairs = list(zip(to_floats(acc), to_floats(count), strict=True))[first:]
        return [a if c >= 0.01 * cfg.n_test else math.nan for a, c in pairs]

    return DemoResult(
        header=(
            f"An MLP trained {steps} full-batch Adam steps on {cfg.n_train} points of 4 overlapping classes, then "
            "temperature scaling fitted on a validation set: accuracy, confidence, ECE and NLL on a test set."
        ),
        columns=["logits", "T", "test accuracy", "mean confidence", "ECE", "NLL"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="reliability: test accuracy per confidence bin holding >= 1% of points (perfect = diagonal)",
                series=[
                    Series("perfect calibration", centres, x=centres),
                    Series("T = 1", reliability(acc_b, count_b), x=centres),
                    Series(f"T = {fmt(t)}", reliability(acc_a, count_a), x=centres),
                ],
                x_label="confidence",
            ),
            Chart(
                title="test ECE during training (T = 1)",
                series=[Series("ECE", ece_curve, x=ece_steps)],
            ),
        ],
    )
