"""Batch size vs speed and generalization, on a small noisy classification task.

The same MLP is trained for the same number of epochs with batches of 8, 64 and 256 (the whole training
set) at the same learning rate, plus a control: the full batch again, given as many updates as batch 8
had. Per epoch, small batches make many cheap updates and large batches few bigger ones. We measure wall
time per epoch, train and test accuracy (the generalization gap), and a sharpness proxy: how much the
training loss rises when the weights are jiggled by 10% noise in random directions (the "large batches
find sharp minima" story of Keskar et al.). On a task this small, the numbers decide which story shows up;
the takeaway only reports what was measured.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from quizdl.demos.common import fmt, mlp, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_train: int = 256  # training samples
    n_test: int = 2000  # held-out samples
    features: int = 10  # input features
    label_noise: float = 0.15  # share of labels flipped at random (train and test alike)
    hidden: int = 64  # hidden width of the MLP
    lr: float = 0.1  # the same SGD learning rate for every batch size
    epochs: int = 10  # the same number of passes over the data for every batch size (--steps sets it)
    batches: tuple[int, ...] = (8, 64, 256)  # batch sizes compared (256 = full batch)
    directions: int = 30  # random directions for the sharpness proxy
    radius: float = 0.1  # perturbation size, relative to each weight tensor's norm
    acc_tol: float = 0.015  # accuracy differences below this are reported as "about the same" (test noise ~0.01)


def sync(device: str) -> None:
    """Wait for queued GPU work so wall-clock timings are real."""
    if device == "cuda":
        torch.cuda.synchronize()
    elif device == "mps":
        torch.mps.synchronize()


def bce(z: Tensor, y: Tensor) -> Tensor:
    """Binary cross-entropy on logits, written as softplus(z) - y z."""
    return (nn.functional.softplus(z) - y * z).mean()


def accuracy(net: nn.Module, x: Tensor, y: Tensor) -> float:
    with torch.no_grad():
        return float(((net(x).squeeze(1) > 0).float() == y).float().mean().item())


def sharpness(net: nn.Module, x: Tensor, y: Tensor, cfg: Config, seed: int) -> float:
    """Mean rise of the training loss when every weight tensor is moved by radius*||w|| in a random direction.

    Every model is probed with the same random directions (the same seed), so the numbers compare.
    """
    gen = torch.Generator().manual_seed(seed)
    params = list(net.parameters())
    with torch.no_grad():
        base = float(bce(net(x).squeeze(1), y).item())
        rises: list[float] = []
        for _ in range(cfg.directions):
            noise = [torch.randn(p.shape, generator=gen).to(p.device) for p in params]
            noise = [
                n * (cfg.radius * p.norm() / n.norm().clamp_min(1e-12)) for n, p in zip(noise, params, strict=True)
            ]
            for p, n in zip(params, noise, strict=True):
                p.add_(n)
            rises.append(float(bce(net(x).squeeze(1), y).item()) - base)
            for p, n in zip(params, noise, strict=True):
                p.sub_(n)
    return statistics.fmean(rises)


@demo("batch-size", topic="optimization", summary="batch size vs generalization and speed")
def run(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    epochs = ctx.steps_or(cfg.epochs)
    gen = seeded(ctx)

    # 1. data: labels from a fixed random teacher network, with some labels flipped
    teacher = mlp([cfg.features, 16, 1], act=nn.Tanh, device=ctx.device)
    x = randn(gen, cfg.n_train, cfg.features, device=ctx.device)
    x_test = randn(gen, cfg.n_test, cfg.features, device=ctx.device)
    with torch.no_grad():
        y, y_test = (teacher(x).squeeze(1) > 0).float(), (teacher(x_test).squeeze(1) > 0).float()
    flip = (torch.rand(cfg.n_train, generator=gen) < cfg.label_noise).to(ctx.device)
    flip_test = (torch.rand(cfg.n_test, generator=gen) < cfg.label_noise).to(ctx.device)
    y, y_test = torch.where(flip, 1 - y, y), torch.where(flip_test, 1 - y_test, y_test)
    init_state = mlp([cfg.features, cfg.hidden, 1], device=ctx.device).state_dict()  # one shared init

    # 2. train with each batch size for the same number of epochs, plain SGD; then the full batch again
    #    for as many updates as the smallest batch made (the control for "it just trained less")
    small, large = cfg.batches[0], cfg.batches[-1]
    eq_epochs = epochs * (cfg.n_train // small) // (cfg.n_train // large)
    equal = f"{large}, {eq_epochs} ep."
    runs = [(str(b), b, epochs) for b in cfg.batches]
    runs.append((equal, large, eq_epochs))
    results: dict[str, dict[str, float]] = {}
    curves: dict[str, list[float]] = {}
    for r, (label, batch, run_epochs) in enumerate(runs):
        net = mlp([cfg.features, cfg.hidden, 1], device=ctx.device)
        net.load_state_dict(init_state)
        params = list(net.parameters())
        steps_per_epoch = cfg.n_train // batch
        epoch_times: list[float] = []
        test_curve: list[float] = [accuracy(net, x_test, y_test)]
        for epoch in range(run_epochs):
            order = torch.randperm(cfg.n_train, generator=gen).to(ctx.device)
            sync(ctx.device)
            start = time.perf_counter()
            for k in range(steps_per_epoch):
                idx = order[k * batch : (k + 1) * batch]
                loss = bce(net(x[idx]).squeeze(1), y[idx])
                grads = torch.autograd.grad(loss, params)
                with torch.no_grad():
                    torch._foreach_add_(params, grads, alpha=-cfg.lr)
            sync(ctx.device)
            epoch_times.append(time.perf_counter() - start)
            if epoch < epochs:  # the chart shows the equal-epoch part only
                test_curve.append(accuracy(net, x_test, y_test))
            if (epoch + 1) % max(1, run_epochs // 4) == 0:
                ctx.progress(f"batch {label}", (r + (epoch + 1) / run_epochs) / len(runs))
        train_acc, test_acc = accuracy(net, x, y), accuracy(net, x_test, y_test)
        with torch.no_grad():
            train_loss = float(bce(net(x).squeeze(1), y).item())
        results[label] = {
            "batch": batch,
            "epochs": run_epochs,
            "updates": steps_per_epoch * run_epochs,
            "ms_per_epoch": 1000 * statistics.median(epoch_times),
            "train_loss": train_loss,
            "train_acc": train_acc,
            "test_acc": test_acc,
            "gap": train_acc - test_acc,
            "sharpness": sharpness(net, x, y, cfg, seed=ctx.seed + 1),
        }
        curves[label] = test_curve

    # 3. report
    rows = [
        [
            label,
            int(res["updates"]),
            res["ms_per_epoch"],
            res["train_acc"],
            res["test_acc"],
            res["gap"],
            res["sharpness"],
        ]
        for label, res in results.items()
    ]
    sm, lg, eq = results[str(small)], results[str(large)], results[equal]
    metrics: dict[str, object] = {"expected_accuracy_ceiling": 1.0 - cfg.label_noise}
    for label, res in results.items():
        suffix = f"b{int(res['batch'])}" + ("_equal_updates" if label == equal else "")
        for key, value in res.items():
            if key not in ("batch", "epochs"):
                metrics[f"{key}_{suffix}"] = int(value) if key == "updates" else value

    def compare(name: str, a: float, b: float, higher: str, lower: str, tol: float) -> str:
        if abs(a - b) <= tol:
            return f"{name} about the same ({fmt(a)} vs {fmt(b)})"
        return f"{name} {higher if a > b else lower} with batch {small} ({fmt(a)} vs {fmt(b)})"

    def contrast(other: dict[str, float]) -> str:
        return "; ".join(
            [
                compare("train accuracy", sm["train_acc"], other["train_acc"], "higher", "lower", cfg.acc_tol),
                compare("test accuracy", sm["test_acc"], other["test_acc"], "higher", "lower", cfg.acc_tol),
                compare("gap", sm["gap"], other["gap"], "larger", "smaller", cfg.acc_tol),
                compare("sharpness", sm["sharpness"], other["sharpness"], "higher", "lower", 0.2 * other["sharpness"]),
            ]
        )

    speed = sm["ms_per_epoch"] / max(lg["ms_per_epoch"], 1e-9)
    if sm["test_acc"] > eq["test_acc"] + cfg.acc_tol and sm["gap"] < eq["gap"] - cfg.acc_tol:
        verdict = (
            f"So with training matched, the small batch generalized better (test {fmt(sm['test_acc'])} vs "
            f"{fmt(eq['test_acc'])}, gap {fmt(sm['gap'])} vs {fmt(eq['gap'])})"
            + (" and sat in a flatter spot." if sm["sharpness"] < 0.8 * eq["sharpness"] else ".")
        )
    elif eq["test_acc"] > sm["test_acc"] + cfg.acc_tol:
        verdict = "So with training matched, the full batch generalized at least as well on this small task."
    else:
        verdict = (
            "So once training is matched, this small task shows no clear generalization advantage for small "
            "batches (the textbook effect is reported for larger models and data)"
            + (
                f", even though batch {small} did end in a flatter spot."
                if sm["sharpness"] < 0.8 * eq["sharpness"]
                else "."
            )
        )
    takeaway = (
        f"Over {epochs} epochs, batch {small} made {int(sm['updates'])} updates and batch {large} only "
        f"{int(lg['updates'])}; an epoch took {fmt(sm['ms_per_epoch'])} ms vs {fmt(lg['ms_per_epoch'])} ms "
        f"({fmt(speed)}x {'slower' if speed > 1 else 'faster'} for batch {small}). At equal epochs: "
        + contrast(lg)
        + (
            f", but the full batch had simply trained less (train loss {fmt(lg['train_loss'])} vs "
            f"{fmt(sm['train_loss'])})"
            if lg["train_loss"] > 1.25 * sm["train_loss"]
            else ""
        )
        + f". At equal updates ({int(eq['updates'])}): "
        + contrast(eq)
        + ". "
        + verdict
    )
    return DemoResult(
        header=(
            f"One MLP, {cfg.n_train} noisy training samples ({cfg.label_noise:.0%} labels flipped), {epochs} epochs "
            f"of SGD at lr {cfg.lr} with batch sizes {', '.join(map(str, cfg.batches))}, plus the full batch for "
            f"{eq_epochs} epochs (as many updates as batch {small}): time per epoch, generalization gap "
            "(train - test accuracy) and sharpness (mean training-loss rise under 10% random weight noise)."
        ),
        columns=["batch", "updates", "ms/epoch", "train acc", "test acc", "gap", "sharpness"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"test accuracy after each epoch (the first {epochs} epochs)",
                series=[Series(f"batch {label}", curves[label]) for label in (str(b) for b in cfg.batches)],
                x_label="epoch",
            )
        ],
    )
