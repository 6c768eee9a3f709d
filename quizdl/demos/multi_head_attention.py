"""Multi-head attention: one softmax gives one weighting per query, so one head cannot fetch two things at once.

Each sequence holds a random content vector x_j (k numbers) at every position; one position carries marker A,
another marker B, and a query token at the end must output x_A - x_B. That needs two separate look-ups from
the same query: "find A" and "find B". A single head has one softmax: its output is one weighted average
a x_A + b x_B (+ a little of the others), with a + b <= 1. For independent random vectors the best linear
guess of x_A - x_B from such an average explains (2a - 1)^2 / (2 (a^2 + b^2)) of the variance: nothing for an
even split, and at most half (a = 1: it knows x_A and must guess x_B). Its weights may depend on the contents
too, but that leaks only one number per query, not the k needed. Several narrower heads (the same total width
and parameter count) can look at A and at B separately, and the output projection subtracts them.

The same one-layer model is trained with 1 and with 4 heads (with 2 heads it usually works too, but now and
then both heads settle on the same marker). Reported: the share of the target's variance
explained on held-out sequences (R^2), and where each head's query puts its weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    k: int = 4  # size of each position's content vector (and of the answer x_A - x_B)
    length: int = 8  # content positions (the query token comes after them)
    d_model: int = 16  # total width, split evenly across heads
    head_counts: tuple[int, ...] = (1, 4)  # compared numbers of heads (4 heads of width 4 = k)
    n_train: int = 256  # training sequences
    n_test: int = 512  # held-out sequences
    steps: int = 100  # full-batch Adam steps per model
    lr: float = 0.02  # Adam learning rate


NONE, MARK_A, MARK_B, QUERY = 0, 1, 2, 3  # marker ids (the query token has its own id)


def make_data(gen: torch.Generator, n: int, cfg: Config, device: str) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Contents (n, L+1, k), markers (n, L+1), targets x_A - x_B (n, k), and the A/B positions (n, 2)."""
    content = randn(gen, n, cfg.length + 1, cfg.k, device="cpu")
    content[:, -1] = 0.0  # the query token carries no content
    slots = torch.rand(n, cfg.length, generator=gen).argsort(dim=1)[:, :2]
    markers = torch.full((n, cfg.length + 1), NONE)
    rows = torch.arange(n)
    markers[rows, slots[:, 0]] = MARK_A
    markers[rows, slots[:, 1]] = MARK_B
    markers[:, -1] = QUERY
    target = content[rows, slots[:, 0]] - content[rows, slots[:, 1]]
    return content.to(device), markers.to(device), target.to(device), slots.to(device)


class Reader(nn.Module):
    """Content projection + marker embedding, one multi-head attention read by the query, a linear output."""

    def __init__(self, cfg: Config, heads: int) -> None:
        super().__init__()
        d = cfg.d_model
        self.heads = heads
        self.content = nn.Linear(cfg.k, d)
        self.marker = nn.Embedding(4, d)
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.out = nn.Linear(d, d)  # W_O: mixes the concatenated heads
        self.head = nn.Linear(d, cfg.k)

    def forward(self, content: Tensor, markers: Tensor) -> tuple[Tensor, Tensor]:
        """Prediction (n, k) at the query position and the query's attention weights (n, heads, L+1)."""
        h = self.content(content) + self.marker(markers)
        n, length, d = h.shape
        dh = d // self.heads
        q = self.q(h[:, -1:]).view(n, 1, self.heads, dh).transpose(1, 2)  # only the query position is read out
        k = self.k(h).view(n, length, self.heads, dh).transpose(1, 2)
        v = self.v(h).view(n, length, self.heads, dh).transpose(1, 2)
        weights = (q @ k.transpose(-2, -1) / math.sqrt(dh)).softmax(dim=-1)  # (n, heads, 1, L+1)
        att = (weights @ v).transpose(1, 2).reshape(n, d)
        return self.head(h[:, -1] + self.out(att)), weights.squeeze(2)


def r_squared(pred: Tensor, target: Tensor) -> float:
    """Share of the target's variance explained: 1 - MSE / Var(target)."""
    return float((1 - F.mse_loss(pred, target) / target.var(dim=0, unbiased=False).mean()).item())


@demo(
    "multi-head-attention",
    topic="attention-transformers",
    summary="one head vs four on a task needing two look-ups at once: variance explained and where heads attend",
)
def multi_head_attention(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    # 1. data: (contents, markers) -> x_A - x_B, a training set and a held-out set
    gen = seeded(ctx)
    content, markers, target, _ = make_data(gen, cfg.n_train, cfg, ctx.device)
    t_content, t_markers, t_target, t_slots = make_data(gen, cfg.n_test, cfg, ctx.device)
    rows_idx = torch.arange(cfg.n_test, device=ctx.device)

    # 2. the same model with 1 and with 2 heads (equal total width), trained full batch
    res: dict[int, dict[str, float]] = {}
    per_head: dict[int, list[tuple[float, float]]] = {}
    curves: dict[int, list[float]] = {}
    for i, heads in enumerate(cfg.head_counts):
        torch.manual_seed(ctx.seed + 1)
        net = Reader(cfg, heads).to(ctx.device)
        opt = Adam(net.parameters(), lr=cfg.lr)
        progress = ticker(ctx, f"{heads} head(s)", i / len(cfg.head_counts), (i + 1) / len(cfg.head_counts))
        losses: list[float] = []
        for step in range(steps):
            loss = F.mse_loss(net(content, markers)[0], target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
            if (step + 1) % max(1, steps // 10) == 0:
                progress((step + 1) / steps)
        curves[heads] = losses
        # 3. measure: variance explained on held-out data, each head's weight on the A and B positions
        with torch.no_grad():
            pred, weights = net(t_content, t_markers)
            on_a = weights[rows_idx, :, t_slots[:, 0]].mean(dim=0)  # (heads,)
            on_b = weights[rows_idx, :, t_slots[:, 1]].mean(dim=0)
        per_head[heads] = list(zip(on_a.tolist(), on_b.tolist(), strict=True))
        res[heads] = {
            "r2": r_squared(pred, t_target),
            "mse": float(F.mse_loss(pred, t_target).item()),
            "best_on_a": float(on_a.max().item()),  # the most A-focused head's share on A
            "best_on_b": float(on_b.max().item()),  # the most B-focused head's share on B
            "params": sum(p.numel() for p in net.parameters()),
            "final_loss": losses[-1],
        }

    one, many = cfg.head_counts[0], cfg.head_counts[-1]
    r1, rn = res[one], res[many]
    rows = [
        [
            h,
            r["params"],
            r["final_loss"],
            r["mse"],
            r["r2"],
            ", ".join(f"{a:.2f}/{b:.2f}" for a, b in per_head[h]),
        ]
        for h, r in res.items()
    ]
    metrics = {
        "one_head_r2": r1["r2"],
        "multi_head_r2": rn["r2"],
        "multi_heads": many,
        "one_head_mse": r1["mse"],
        "multi_head_mse": rn["mse"],
        "one_head_weight_on_a": r1["best_on_a"],
        "one_head_weight_on_b": r1["best_on_b"],
        "multi_head_best_weight_on_a": rn["best_on_a"],
        "multi_head_best_weight_on_b": rn["best_on_b"],
        "one_head_params": r1["params"],
        "multi_head_params": rn["params"],
    }

    # 4. takeaway from the numbers
    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    if rn["r2"] > r1["r2"] + 0.2:
        verdict = (
            f"{many} heads explain {pct(rn['r2'])} of the variance of x_A - x_B on held-out data, one head only "
            f"{pct(r1['r2'])} (one weighted average explains at most about half, by looking at one marker), with "
            f"the same parameter count ({rn['params']} vs {r1['params']})."
        )
    else:
        verdict = (
            f"{many} heads explain {pct(rn['r2'])} of the variance and one head {pct(r1['r2'])}: "
            "no clear advantage in this run."
        )
    split = "another" if rn["best_on_a"] + rn["best_on_b"] > 1 else "the most B-focused head"  # weights sum to 1
    where = (
        f"The single head puts {pct(r1['best_on_a'])} of its weight on A and {pct(r1['best_on_b'])} on B; with "
        f"{many} heads one head puts {pct(rn['best_on_a'])} on A and {split} {pct(rn['best_on_b'])} on B."
    )
    return DemoResult(
        header=(
            f"A query token must output x_A - x_B, the difference of the {cfg.k}-number contents at markers A and "
            f"B, which needs two look-ups at once. One attention layer of width {cfg.d_model} is trained {steps} "
            f"steps with {' and with '.join(str(h) for h in cfg.head_counts)} heads (same total width)."
        ),
        columns=[
            "heads",
            "parameters",
            "final train MSE",
            "test MSE",
            "variance explained",
            "weight on A / B per head",
        ],
        rows=rows,
        takeaway=f"{verdict} {where}",
        metrics=metrics,
        charts=[
            Chart(
                title="training loss (MSE)",
                series=[Series(f"{h} head(s)", thin(curves[h])) for h in cfg.head_counts],
                log_y=True,
            )
        ],
    )
