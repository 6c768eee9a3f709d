"""LoRA vs full fine-tuning: a rank-r update trains r * (d_in + d_out) parameters per matrix and can match full
fine-tuning when the change the task needs is low-rank.

A small "pretrained" MLP (two weight matrices, frozen) is adapted to a shifted task: the new task's true weights
are the pretrained ones plus a rank-4 change in each matrix, and its targets carry some noise. Full fine-tuning
trains every weight and bias; LoRA freezes them and learns W = W0 + (alpha / r) * B A for each matrix, with A
(r x d_in) random and B (d_out x r) zero at the start, so training starts exactly at the pretrained model. A rank
sweep shows the loss reached on training and held-out data against the trainable parameter count: ranks below
the true rank of the shift cannot fit it; ranks at or above it get close to the noise floor with a small
fraction of the parameters. Merging B A into W0 afterwards gives the same outputs, so inference costs nothing
extra.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, fmt, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    d_in: int = 32  # input features
    hidden: int = 64  # hidden units of the MLP
    d_out: int = 16  # outputs
    shift_rank: int = 4  # rank of the true change of each weight matrix in the new task
    shift_scale: float = 0.6  # size of that change relative to the pretrained weights
    noise: float = 0.1  # std of the noise on the new task's targets (noise floor: noise**2)
    n_train: int = 384  # training examples of the new task
    n_test: int = 2048  # held-out examples of the new task
    ranks: tuple[int, ...] = (1, 2, 4, 8, 16)  # LoRA ranks swept
    alpha: float = 8.0  # LoRA scaling: the update is (alpha / r) * B A
    steps: int = 120  # full-batch Adam steps per run
    lr: float = 0.03  # Adam learning rate (same for every run)


class LoRAMLP(nn.Module):
    """Frozen pretrained MLP; rank r > 0 adds trainable B A to both weight matrices, rank 0 trains all weights."""

    def __init__(self, base: list[Tensor], rank: int, alpha: float, gen: torch.Generator, device: str) -> None:
        super().__init__()
        w1, b1, w2, b2 = base
        self.rank = rank
        full = rank == 0
        self.w1, self.b1, self.w2, self.b2 = (nn.Parameter(t.clone(), requires_grad=full) for t in (w1, b1, w2, b2))
        self.scale = alpha / rank if rank else 0.0
        if rank:
            # A random (scaled like a Kaiming init), B zero: the product B A starts at exactly zero
            self.a1 = nn.Parameter(randn(gen, rank, w1.shape[1], device=device) / w1.shape[1] ** 0.5)
            self.bb1 = nn.Parameter(torch.zeros(w1.shape[0], rank, device=device))
            self.a2 = nn.Parameter(randn(gen, rank, w2.shape[1], device=device) / w2.shape[1] ** 0.5)
            self.bb2 = nn.Parameter(torch.zeros(w2.shape[0], rank, device=device))

    def weights(self) -> tuple[Tensor, Tensor]:
        """The merged weight matrices W0 + (alpha / r) * B A (what is deployed: no extra inference cost)."""
        if not self.rank:
            return self.w1, self.w2
        return self.w1 + self.scale * self.bb1 @ self.a1, self.w2 + self.scale * self.bb2 @ self.a2

    def forward(self, x: Tensor) -> Tensor:
        """As LoRA trains: the frozen path W0 x plus the adapter path (alpha / r) * B (A x), never merged."""
        if not self.rank:
            return _mlp(x, self.w1, self.b1, self.w2, self.b2)
        h = torch.tanh(F.linear(x, self.w1, self.b1) + self.scale * F.linear(F.linear(x, self.a1), self.bb1))
        return F.linear(h, self.w2, self.b2) + self.scale * F.linear(F.linear(h, self.a2), self.bb2)


def _mlp(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:
    return F.linear(torch.tanh(F.linear(x, w1, b1)), w2, b2)


def _low_rank(gen: torch.Generator, rows: int, cols: int, rank: int, scale: float, device: str) -> Tensor:
    """A random rank-`rank` matrix with entries of about the size of a 1/sqrt(cols) init, times scale."""
    u = randn(gen, rows, rank, device=device)
    v = randn(gen, rank, cols, device=device)
    return scale * (u @ v) / (rank * cols) ** 0.5


@demo(
    "lora-finetuning",
    topic="large-language-models",
    summary="LoRA rank sweep vs full fine-tuning: r*(d_in+d_out) trainable parameters per matrix, loss reached",
)
def lora_finetuning(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    dev = ctx.device

    # 1. the pretrained model (frozen) and the shifted task: each weight matrix changes by a rank-4 matrix
    w1 = randn(gen, cfg.hidden, cfg.d_in, device=dev) * (2.0 / cfg.d_in) ** 0.5
    b1 = 0.1 * randn(gen, cfg.hidden, device=dev)
    w2 = randn(gen, cfg.d_out, cfg.hidden, device=dev) / cfg.hidden**0.5
    b2 = 0.1 * randn(gen, cfg.d_out, device=dev)
    base = [w1, b1, w2, b2]
    w1_new = w1 + _low_rank(gen, cfg.hidden, cfg.d_in, cfg.shift_rank, cfg.shift_scale * 2**0.5, dev)
    w2_new = w2 + _low_rank(gen, cfg.d_out, cfg.hidden, cfg.shift_rank, cfg.shift_scale, dev)

    # 2. data of the new task
    x_train = randn(gen, cfg.n_train, cfg.d_in, device=dev)
    x_test = randn(gen, cfg.n_test, cfg.d_in, device=dev)
    y_train = _mlp(x_train, w1_new, b1, w2_new, b2) + cfg.noise * randn(gen, cfg.n_train, cfg.d_out, device=dev)
    y_test = _mlp(x_test, w1_new, b1, w2_new, b2) + cfg.noise * randn(gen, cfg.n_test, cfg.d_out, device=dev)
    with torch.no_grad():
        base_test = float(F.mse_loss(_mlp(x_test, *base), y_test).item())

    # 3. one model per setting: full fine-tuning (rank 0) and each LoRA rank. They share no parameters and
    # Adam is elementwise, so training them on the sum of their losses is exactly training each on its own.
    settings = [0, *cfg.ranks]
    models = [LoRAMLP(base, r, cfg.alpha, gen, dev) for r in settings]
    with torch.no_grad():
        start_gap = max(float((m(x_test) - _mlp(x_test, *base)).abs().max().item()) for m in models)
    params = [p for m in models for p in m.parameters() if p.requires_grad]
    opt = Adam(params, lr=cfg.lr)
    curves: list[list[float]] = [[] for _ in models]
    progress = ticker(ctx, "fine-tuning")
    for step in range(steps):
        opt.zero_grad()
        losses = [F.mse_loss(m(x_train), y_train) for m in models]
        torch.stack(losses).sum().backward()
        opt.step()
        for c, v in zip(curves, torch.stack(losses).detach().cpu().tolist(), strict=True):
            c.append(float(v))
        if (step + 1) % max(1, steps // 10) == 0:
            progress((step + 1) / steps)

    # 4. measure: trainable parameters, train and test loss, and merged weights give the same outputs
    runs = []
    with torch.no_grad():
        for r, m, c in zip(settings, models, curves, strict=True):
            trainable = sum(p.numel() for p in m.parameters() if p.requires_grad)
            merged_w1, merged_w2 = (w.detach().clone() for w in m.weights())
            merge_gap = float((_mlp(x_test, merged_w1, m.b1, merged_w2, m.b2) - m(x_test)).abs().max().item())
            runs.append(
                {
                    "rank": r,
                    "trainable": trainable,
                    "formula": r * (cfg.d_in + cfg.hidden) + r * (cfg.hidden + cfg.d_out) if r else trainable,
                    "train": float(F.mse_loss(m(x_train), y_train).item()),
                    "test": float(F.mse_loss(m(x_test), y_test).item()),
                    "merge_gap": merge_gap,
                    "curve": c,
                }
            )
    full, loras = runs[0], runs[1:]
    floor = cfg.noise**2
    n_weights = full["trainable"]

    # 5. report
    rows = [
        [
            "full fine-tuning" if r["rank"] == 0 else f"LoRA r={r['rank']}",
            r["trainable"],
            r["trainable"] / n_weights,
            r["train"],
            r["test"],
        ]
        for r in runs
    ]
    at_rank = next(r for r in loras if r["rank"] == cfg.shift_rank)
    below = [r for r in loras if r["rank"] < cfg.shift_rank]
    best_lora = min(loras, key=lambda r: r["test"])
    metrics = {
        "base_test_loss": base_test,
        "noise_floor": floor,
        "full_trainable": n_weights,
        "full_train_loss": full["train"],
        "full_test_loss": full["test"],
        "ranks": list(cfg.ranks),
        "lora_trainable": [r["trainable"] for r in loras],
        "lora_trainable_formula": [r["formula"] for r in loras],
        "lora_train_loss": [r["train"] for r in loras],
        "lora_test_loss": [r["test"] for r in loras],
        "start_gap": start_gap,
        "max_merge_gap": max(r["merge_gap"] for r in loras),
    }

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%" if v >= 0.1 else f"{100 * v:.1f}%"

    parts = [
        f"Before fine-tuning the pretrained model's test loss on the new task is {fmt(base_test)} (noise floor"
        f" {fmt(floor)}). Full fine-tuning trains {n_weights} parameters and reaches {fmt(full['train'])} on the"
        f" training set and {fmt(full['test'])} on held-out data.",
        f"LoRA r={cfg.shift_rank} trains {at_rank['trainable']} ({cfg.shift_rank} x ({cfg.d_in}+{cfg.hidden}) +"
        f" {cfg.shift_rank} x ({cfg.hidden}+{cfg.d_out}), {pct(at_rank['trainable'] / n_weights)} of them) and"
        f" reaches {fmt(at_rank['test'])} held-out;",
    ]
    below_text = ", ".join(f"r={r['rank']}: {fmt(r['test'])}" for r in below)
    if below and all(r["test"] > 2 * at_rank["test"] for r in below):
        parts.append(f"ranks below the shift's true rank {cfg.shift_rank} cannot express it ({below_text}),")
    else:
        parts.append(f"lower ranks reach {below_text}, not clearly worse,")
    if best_lora["test"] <= 1.05 * full["test"]:
        verb = "beats" if best_lora["test"] < 0.95 * full["test"] else "matches"
        parts.append(
            f"and the best LoRA (r={best_lora['rank']}, {fmt(best_lora['test'])}) {verb} full fine-tuning"
            f" on held-out data with {pct(best_lora['trainable'] / n_weights)} of the parameters."
        )
    else:
        parts.append(
            f"while full fine-tuning stays ahead on held-out data ({fmt(full['test'])} vs the best LoRA's"
            f" {fmt(best_lora['test'])} at r={best_lora['rank']})."
        )
    above = [r for r in loras if r["rank"] >= cfg.shift_rank] + [full]
    if all(b["test"] > a["test"] for a, b in itertools.pairwise(above)):
        parts.append(
            f"Past rank {cfg.shift_rank} the extra capacity only fits noise: training loss keeps falling"
            f" ({fmt(at_rank['train'])} at r={cfg.shift_rank}, {fmt(full['train'])} full) while held-out loss rises"
            f" ({', '.join(fmt(r['test']) for r in above)})."
        )
    parts.append(
        f"LoRA starts exactly at the pretrained model (largest output difference {fmt(start_gap)}), and merging"
        f" B A into W0 changes outputs by at most {fmt(metrics['max_merge_gap'])}."
    )
    rank_x = [float(r) for r in cfg.ranks]
    return DemoResult(
        header=(
            f"A frozen pretrained MLP ({cfg.d_in}-{cfg.hidden}-{cfg.d_out}) adapted to a task whose weights differ by"
            f" a rank-{cfg.shift_rank} change per matrix, with {cfg.n_train} noisy examples: full fine-tuning vs LoRA"
            f" on both weight matrices at several ranks, {steps} Adam steps each."
        ),
        columns=["method", "trainable params", "share of full", "train loss", "test loss"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="held-out loss vs LoRA rank (full fine-tuning and the noise floor for reference)",
                series=[
                    Series("LoRA test loss", [r["test"] for r in loras], x=rank_x),
                    Series("full fine-tuning", [full["test"]] * len(loras), x=rank_x),
                    Series("noise floor", [floor] * len(loras), x=rank_x),
                ],
                x_label="LoRA rank r",
                log_y=True,
            ),
            Chart(
                title="training loss",
                series=[Series("full fine-tuning", thin(full["curve"]))]
                + [Series(f"LoRA r={r['rank']}", thin(r["curve"])) for r in loras if r["rank"] in (1, cfg.shift_rank)],
                log_y=True,
            ),
        ],
    )
