"""Truncated BPTT: a dependency longer than the truncation window gets no gradient, so it is not learned.

The task is a delayed echo on an endless stream of random bits: at every step output the bit that came in L
steps earlier. A vanilla RNN reads the stream in chunks of k steps, as truncated backpropagation through time
does: the hidden state is carried from chunk to chunk (so the forward pass sees the whole past), but it is
detached at every chunk boundary, so gradients never flow back past the start of the current chunk.

The loss at step t depends on the input at t - L. Inside a chunk that starts at c, the path from x_{t-L} to
the loss exists only when t - L >= c, which some targets satisfy when k > L (a share (k - L) / k of them) and
none when k <= L. The demo checks this gradient directly (it is exactly zero when k <= L), then trains one RNN
per window k for the same number of updates and tests it on a fresh stream. The gradient is the only way the
recurrent weights learn to hold a bit for L steps, so the echo is learned only when k > L.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, fmt, seeded, thin
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    lag: int = 6  # L: output the bit seen L steps earlier
    windows: tuple[int, ...] = (3, 6, 9, 12)  # truncation lengths k compared
    hidden: int = 32  # RNN hidden size
    batch: int = 64  # parallel streams
    updates: int = 80  # Adam updates (one per chunk) for every window
    lr: float = 0.02  # Adam learning rate
    test_length: int = 200  # steps of the fresh test stream


def bits(gen: torch.Generator, *shape: int) -> Tensor:
    return (torch.rand(*shape, generator=gen) < 0.5).float()


class Echo(nn.Module):
    """A tanh RNN reading +-1 bits, with a linear readout (logit of the echoed bit) at every step."""

    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.rnn = nn.RNN(1, cfg.hidden, batch_first=True)
        self.head = nn.Linear(cfg.hidden, 1)

    def forward(self, x: Tensor, h: Tensor | None) -> tuple[Tensor, Tensor]:
        out, h = self.rnn((2 * x - 1).unsqueeze(-1), h)
        return self.head(out).squeeze(-1), h


def source_gradient(net: Echo, k: int, cfg: Config, gen: torch.Generator, device: str) -> float:
    """|d loss_t / d x_{t-L}| for t the last step of a k-step chunk, under truncation at the chunk start.

    The L steps before the chunk are run first, and their state is detached, as at a chunk boundary; with
    k <= L the source bit lies before the boundary and the gradient is exactly 0.
    """
    before = max(cfg.lag - k + 1, 0) + 1  # steps run before the chunk (so the source exists either way)
    x = bits(gen, 1, before + k).to(device).requires_grad_(True)
    _, h = net(x[:, :before], None)
    out, _ = net(x[:, before:], h.detach())  # truncation: no gradient into the previous chunk
    t = before + k - 1
    grad = torch.autograd.grad(out[0, -1], x)[0]
    return float(grad[0, t - cfg.lag].abs().item())


def train_window(net: Echo, k: int, cfg: Config, gen: torch.Generator, device: str, updates: int) -> list[float]:
    """Truncated BPTT on a continuing stream: one Adam update per k-step chunk, state detached in between."""
    opt = Adam(net.parameters(), lr=cfg.lr)
    history = bits(gen, cfg.batch, cfg.lag).to(device)  # the L bits before the first chunk
    h: Tensor | None = None
    losses: list[float] = []
    for _ in range(updates):
        new = bits(gen, cfg.batch, k).to(device)
        stream = torch.cat([history, new], dim=1)
        target = stream[:, :k]  # stream[:, i] is the bit L steps before new[:, i]
        logits, h = net(new, h)
        h = h.detach()  # the truncation
        loss = F.binary_cross_entropy_with_logits(logits, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
        history = stream[:, -cfg.lag :]
    return losses


@torch.no_grad()
def test_accuracy(net: Echo, cfg: Config, gen: torch.Generator, device: str) -> float:
    x = bits(gen, 256, cfg.test_length).to(device)
    logits, _ = net(x, None)
    predicted = (logits[:, cfg.lag :] > 0).float()
    return float((predicted == x[:, : -cfg.lag]).float().mean().item())


@demo(
    "truncated-bptt",
    topic="rnn",
    summary="truncated BPTT window k vs an L-step dependency: zero gradient and no learning unless k > L",
)
def truncated_bptt(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    updates = ctx.steps_or(cfg.updates)
    gen = seeded(ctx)
    res: dict[int, dict[str, float]] = {}
    curves: dict[int, list[float]] = {}
    for i, k in enumerate(cfg.windows):
        ctx.progress(f"window {k}", i / len(cfg.windows))
        # 1. model: the same initial weights for every window
        torch.manual_seed(ctx.seed + 1)
        net = Echo(cfg).to(ctx.device)
        # 2. does the loss at t reach the input at t - L through a k-step truncated graph?
        grad = source_gradient(net, k, cfg, gen, ctx.device)
        # 3. train with truncation length k, then test on a fresh stream (run without truncation)
        curves[k] = train_window(net, k, cfg, gen, ctx.device, updates)
        res[k] = {
            "grad": grad,
            "share": max(0, k - cfg.lag) / k,  # targets whose source lies inside their chunk
            "accuracy": test_accuracy(net, cfg, gen, ctx.device),
        }
    ctx.progress("done", 1.0)

    rows = [[k, k > cfg.lag, r["share"], r["grad"], curves[k][-1], r["accuracy"]] for k, r in res.items()]
    learned = [k for k, r in res.items() if r["accuracy"] > 0.9]
    short = [k for k in cfg.windows if k <= cfg.lag]
    long = [k for k in cfg.windows if k > cfg.lag]
    metrics: dict[str, float | int | bool] = {
        "best_accuracy_k_le_lag": max(res[k]["accuracy"] for k in short),
        "lag": cfg.lag,
        "worst_accuracy_k_gt_lag": min(res[k]["accuracy"] for k in long),
        "max_source_gradient_k_le_lag": max(res[k]["grad"] for k in short),
        "min_source_gradient_k_gt_lag": min(res[k]["grad"] for k in long),
        "smallest_window_learned": min(learned) if learned else 0,
    }
    for k, r in res.items():
        metrics[f"accuracy_k{k}"] = r["accuracy"]
        metrics[f"source_gradient_k{k}"] = r["grad"]

    # 4. takeaway from the numbers
    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    first = (
        f"For windows k <= {cfg.lag} the gradient from the loss at t to the bit at t - {cfg.lag} is "
        f"{fmt(metrics['max_source_gradient_k_le_lag'])} (largest over those windows) and the echo stays near chance "
        f"(50%; best {pct(metrics['best_accuracy_k_le_lag'])}); "
    )
    if learned and min(learned) > cfg.lag:
        second = (
            f"from k = {min(learned)} on, the gradient reaches it and the RNN learns the echo "
            f"(worst {pct(metrics['worst_accuracy_k_gt_lag'])} for k > {cfg.lag}): the window must be longer than "
            "the dependency."
        )
    elif learned:
        second = f"yet k = {min(learned)} learned it too, by accident: the state happened to keep the bit."
    else:
        second = (
            f"no window learned it within {updates} updates (best k > L: {pct(max(res[k]['accuracy'] for k in long))})."
        )
    return DemoResult(
        header=(
            f"A vanilla RNN learns to echo the bit it saw {cfg.lag} steps earlier on a stream of random bits, "
            f"trained with truncated BPTT at windows k = {', '.join(map(str, cfg.windows))} "
            f"({updates} updates each; chance is 50%)."
        ),
        columns=[
            "window k",
            "k > L",
            "targets with a gradient path",
            "|d loss_t / d x_(t-L)|",
            "final loss",
            "test accuracy",
        ],
        rows=rows,
        takeaway=first + second,
        metrics=metrics,
        charts=[
            Chart(
                title="test accuracy vs truncation window",
                series=[
                    Series("echo accuracy", [res[k]["accuracy"] for k in cfg.windows], [float(k) for k in cfg.windows]),
                    Series("chance", [0.5] * len(cfg.windows), [float(k) for k in cfg.windows]),
                ],
                x_label=f"truncation window k (dependency L = {cfg.lag})",
            ),
            Chart(
                title="training loss",
                series=[Series(f"k={k}", thin(curves[k])) for k in cfg.windows],
                x_label="update",
            ),
        ],
    )
