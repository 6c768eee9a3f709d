"""Bidirectional RNN: when a position's label depends on what comes later, a left-to-right RNN cannot know it.

Sequences of random tokens are tagged position by position with two labels: the token d steps BEFORE (needs
the past) and the token d steps AFTER (needs the future). A unidirectional GRU's state at step t has seen
x_1..x_t only, so the future label is independent of everything it knows: it stays at chance (1/V), however
long it trains. A bidirectional GRU runs a second GRU right to left and concatenates both states at each
step, so position t sees the whole sequence and both labels are learnable. It pays for it with twice the
recurrent parameters and with needing the whole sequence before producing the first output, which is why it
cannot be used to generate text or in streaming.

Both models have the same hidden size per direction, are trained with the same steps, and are scored on
held-out sequences at the positions where both labels exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    vocab: int = 4  # token values V (chance accuracy 1/V)
    length: int = 10  # tokens per sequence
    offset: int = 2  # d: the labels are the tokens d steps before and d steps after
    hidden: int = 16  # GRU hidden size per direction
    n_train: int = 128  # training sequences
    n_test: int = 256  # held-out sequences
    steps: int = 50  # full-batch Adam steps per model
    lr: float = 0.03  # Adam learning rate


def make_data(gen: torch.Generator, n: int, cfg: Config, device: str) -> tuple[Tensor, Tensor, Tensor]:
    """One-hot tokens (n, T, V), the past label x_{t-d} and the future label x_{t+d} at interior positions."""
    tokens = torch.randint(0, cfg.vocab, (n, cfg.length), generator=gen)
    d = cfg.offset
    past = tokens[:, : cfg.length - 2 * d]  # for t = d .. T-d-1
    future = tokens[:, 2 * d :]
    return F.one_hot(tokens, cfg.vocab).float().to(device), past.to(device), future.to(device)


class Tagger(nn.Module):
    """A GRU (one or two directions) with two linear heads: the past label and the future label."""

    def __init__(self, cfg: Config, bidirectional: bool) -> None:
        super().__init__()
        self.rnn = nn.GRU(cfg.vocab, cfg.hidden, batch_first=True, bidirectional=bidirectional)
        width = cfg.hidden * (2 if bidirectional else 1)
        self.past_head = nn.Linear(width, cfg.vocab)
        self.future_head = nn.Linear(width, cfg.vocab)
        self.d = cfg.offset

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.rnn(x)[0][:, self.d : x.shape[1] - self.d]  # interior positions, where both labels exist
        return self.past_head(h), self.future_head(h)


def accuracy(logits: Tensor, labels: Tensor) -> float:
    return float((logits.argmax(-1) == labels).float().mean().item())


@demo(
    "bidirectional-rnn",
    topic="rnn",
    summary="unidirectional vs bidirectional GRU when the label needs the future: accuracy on past/future labels",
)
def bidirectional_rnn(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    # 1. data: random token sequences, labels = the token d before and the token d after each position
    gen = seeded(ctx)
    x, past, future = make_data(gen, cfg.n_train, cfg, ctx.device)
    x_test, past_test, future_test = make_data(gen, cfg.n_test, cfg, ctx.device)

    res: dict[bool, dict[str, float]] = {}
    curves: dict[bool, list[float]] = {}
    for i, bidirectional in enumerate((False, True)):
        # 2. model: the same seed for both, trained full batch on both labels
        torch.manual_seed(ctx.seed + 1)
        net = Tagger(cfg, bidirectional).to(ctx.device)
        opt = Adam(net.parameters(), lr=cfg.lr)
        progress = ticker(ctx, "bidirectional" if bidirectional else "unidirectional", i / 2, (i + 1) / 2)
        losses: list[float] = []
        for step in range(steps):
            p_logits, f_logits = net(x)
            loss = F.cross_entropy(p_logits.reshape(-1, cfg.vocab), past.reshape(-1)) + F.cross_entropy(
                f_logits.reshape(-1, cfg.vocab), future.reshape(-1)
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
            if (step + 1) % max(1, steps // 10) == 0:
                progress((step + 1) / steps)
        curves[bidirectional] = losses
        # 3. measure on held-out sequences
        with torch.no_grad():
            p_logits, f_logits = net(x_test)
        res[bidirectional] = {
            "past": accuracy(p_logits, past_test),
            "future": accuracy(f_logits, future_test),
            "params": sum(p.numel() for p in net.rnn.parameters()),
        }

    uni, bi = res[False], res[True]
    chance = 1 / cfg.vocab
    rows = [
        [name, int(r["params"]), curves[b][-1], r["past"], r["future"]]
        for name, b, r in (("unidirectional GRU", False, uni), ("bidirectional GRU", True, bi))
    ]
    metrics = {
        "uni_future_accuracy": uni["future"],
        "uni_past_accuracy": uni["past"],
        "bi_past_accuracy": bi["past"],
        "bi_future_accuracy": bi["future"],
        "chance_accuracy": chance,
        "uni_recurrent_params": int(uni["params"]),
        "bi_recurrent_params": int(bi["params"]),
    }

    # 4. takeaway from the numbers
    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    d = cfg.offset
    if bi["future"] > uni["future"] + 0.3 and uni["future"] < chance + 0.1:
        verdict = (
            f"For the token {d} steps ahead the left-to-right GRU stays at chance ({pct(uni['future'])}, chance "
            f"{pct(chance)}): it has not seen it yet. The bidirectional GRU gets {pct(bi['future'])}."
        )
    else:
        verdict = (
            f"For the token {d} steps ahead: unidirectional {pct(uni['future'])}, bidirectional "
            f"{pct(bi['future'])} (chance {pct(chance)}); no clear contrast in this run."
        )
    takeaway = (
        f"{verdict} For the token {d} steps back both do well ({pct(uni['past'])} and {pct(bi['past'])}), so it "
        f"is not capacity; the price is {int(bi['params'])} recurrent parameters instead of {int(uni['params'])} "
        "and needing the whole sequence before the first output."
    )
    return DemoResult(
        header=(
            f"Each position of a random {cfg.length}-token sequence is tagged with the token {d} steps before it "
            f"and the token {d} steps after it. A unidirectional and a bidirectional GRU ({cfg.hidden} units per "
            f"direction) are trained {steps} steps and scored on held-out sequences."
        ),
        columns=["model", "recurrent parameters", "final train loss", f"acc: token {d} back", f"acc: token {d} ahead"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="training loss (sum of both labels' cross-entropy)",
                series=[Series("unidirectional", thin(curves[False])), Series("bidirectional", thin(curves[True]))],
            )
        ],
    )
