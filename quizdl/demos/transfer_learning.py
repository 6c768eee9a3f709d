"""Transfer learning: features learned on a big related task beat learning from scratch on a small one.

A hidden "world" turns a 20-D input into 4 non-linear features (a fixed random ReLU layer). The source task
(8 classes, plenty of data) and the target task (3 classes, only 50 labelled samples) are both decided by
those same 4 features, through different random linear read-outs: related tasks, different labels.

We pretrain an MLP on the source task, then solve the target task three ways with the same 50 samples:
from scratch (the whole network trained on 50 samples), frozen (pretrained body kept fixed, only a new
linear head trained), and fine-tuned (pretrained body and new head trained together, smaller learning
rate). Test accuracy on 2000 fresh target samples, averaged over several draws of the 50 samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, mlp, randn, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    dim: int = 20  # input features
    world_features: int = 4  # hidden features that decide both tasks
    source_classes: int = 8  # classes in the source task (enough to need every feature)
    target_classes: int = 3  # classes in the target task
    n_source: int = 1000  # labelled source samples
    n_target: int = 50  # labelled target samples (the small data set)
    n_test: int = 2000  # target test samples
    draws: int = 3  # independent draws of the small target set
    hidden: int = 64  # width of the MLP body (20 -> 64 -> 32)
    steps_pretrain: int = 100  # full-batch Adam steps on the source task
    steps_target: int = 100  # full-batch Adam steps on the target task
    lr: float = 0.01  # Adam learning rate (pretraining, heads, scratch)
    lr_finetune: float = 0.002  # Adam learning rate when fine-tuning the pretrained body


def fit(net: nn.Module, params: list[Tensor], x: Tensor, y: Tensor, steps: int, lr: float) -> None:
    """Full-batch Adam on cross-entropy over `params` (the others stay as they are)."""
    opt = Adam(params, lr=lr)
    for _ in range(steps):
        net.zero_grad(set_to_none=True)  # also drops gradients of parameters outside `params`
        F.cross_entropy(net(x), y).backward()
        opt.step()


@torch.no_grad()
def accuracy(net: nn.Module, x: Tensor, y: Tensor) -> float:
    return float((net(x).argmax(dim=1) == y).float().mean().item())


@demo(
    "transfer-learning",
    topic="deployment-practice",
    summary="frozen pretrained features vs training from scratch on little data",
)
def transfer_learning(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    steps = ctx.steps_or(cfg.steps_target)

    # 1. data: one hidden feature map, two tasks reading it out differently
    w_world = randn(gen, cfg.dim, cfg.world_features, device=ctx.device) / cfg.dim**0.5
    read_source = randn(gen, cfg.world_features, cfg.source_classes, device=ctx.device)
    read_target = randn(gen, cfg.world_features, cfg.target_classes, device=ctx.device)

    def task(n: int, readout: Tensor) -> tuple[Tensor, Tensor]:
        x = randn(gen, n, cfg.dim, device=ctx.device)
        feats = torch.relu(x @ w_world)
        feats = feats - feats.mean(dim=0)  # centred so every class occurs
        return x, (feats @ readout).argmax(dim=1)

    x_src, y_src = task(cfg.n_source, read_source)
    x_test, y_test = task(cfg.n_test, read_target)

    # 2. pretrain body + source head on the big source task
    ctx.progress("pretraining on the source task", 0.0)
    body = mlp([cfg.dim, cfg.hidden, cfg.hidden // 2], device=ctx.device, final_act=True)
    source_net = nn.Sequential(body, nn.Linear(cfg.hidden // 2, cfg.source_classes)).to(ctx.device)
    fit(source_net, list(source_net.parameters()), x_src, y_src, cfg.steps_pretrain, cfg.lr)
    source_acc = accuracy(source_net, *task(cfg.n_test, read_source))
    pretrained = {k: v.clone() for k, v in body.state_dict().items()}

    # 3. the small target task, three ways, over several draws of its 50 samples
    accs: dict[str, list[float]] = {"from scratch": [], "frozen pretrained features": [], "fine-tuned": []}
    train_accs: dict[str, list[float]] = {k: [] for k in accs}
    report = ticker(ctx, "training on 50 target samples", 0.4, 1.0)
    for draw in range(cfg.draws):
        x_t, y_t = task(cfg.n_target, read_target)
        for method in accs:
            fresh_body = mlp([cfg.dim, cfg.hidden, cfg.hidden // 2], device=ctx.device, final_act=True)
            if method != "from scratch":
                fresh_body.load_state_dict(pretrained)
            head = nn.Linear(cfg.hidden // 2, cfg.target_classes).to(ctx.device)
            net = nn.Sequential(fresh_body, head)
            if method == "frozen pretrained features":
                fresh_body.requires_grad_(False)  # freeze: no gradients for the body at all
                fit(net, list(head.parameters()), x_t, y_t, steps, cfg.lr)
            elif method == "fine-tuned":
                fit(net, list(head.parameters()), x_t, y_t, steps // 2, cfg.lr)  # head first, then everything
                fit(net, list(net.parameters()), x_t, y_t, steps // 2, cfg.lr_finetune)
            else:
                fit(net, list(net.parameters()), x_t, y_t, steps, cfg.lr)
            accs[method].append(accuracy(net, x_test, y_test))
            train_accs[method].append(accuracy(net, x_t, y_t))
        report((draw + 1) / cfg.draws)
    ctx.progress("done", 1.0)

    # 4. report the mean and spread over the draws
    def mean(v: list[float]) -> float:
        return sum(v) / len(v)

    rows: list[list[object]] = [
        [method, mean(train_accs[method]), mean(a), min(a), max(a)] for method, a in accs.items()
    ]
    scratch, frozen, tuned = (mean(accs[k]) for k in accs)
    wins = sum(f > s for f, s in zip(accs["frozen pretrained features"], accs["from scratch"], strict=True))
    metrics = {
        "source_test_accuracy": source_acc,
        "test_accuracy_scratch": scratch,
        "test_accuracy_frozen": frozen,
        "test_accuracy_finetuned": tuned,
        "frozen_minus_scratch": frozen - scratch,
        "frozen_wins": wins,
        "draws": cfg.draws,
        "chance_accuracy": float(torch.bincount(y_test, minlength=cfg.target_classes).max().item()) / cfg.n_test,
    }
    takeaway = (
        f"With {cfg.n_target} target samples, a new linear head on frozen features pretrained on "
        f"{cfg.n_source} source samples (source accuracy {source_acc:.0%}) reaches {frozen:.1%} test accuracy vs "
        f"{scratch:.1%} for the same network trained from scratch ({100 * (frozen - scratch):+.1f} points; "
        f"better in {wins} of "
        f"{cfg.draws} draws); fine-tuning everything gets {tuned:.1%}. "
        + (
            "The pretrained body already computes what the target task needs, so the labels only have to fit a "
            f"small head; from scratch they must also learn the features, and the network fits its "
            f"{cfg.n_target} samples ({mean(train_accs['from scratch']):.0%} train accuracy) without generalizing."
            if frozen > scratch + 0.03
            else "Pretraining did not clearly help in this run."
        )
    )
    return DemoResult(
        header=(
            f"An MLP pretrained on a related {cfg.source_classes}-class task ({cfg.n_source} samples) vs the same MLP "
            f"from scratch on a {cfg.target_classes}-class target task with {cfg.n_target} samples; test accuracy "
            f"on {cfg.n_test} target samples, over {cfg.draws} draws of the small set."
        ),
        columns=["target model", "train accuracy", "mean test accuracy", "min", "max"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="test accuracy per draw of the 50 target samples",
                series=[Series(k, v) for k, v in accs.items()],
                x_label="draw",
            )
        ],
    )
