"""RNN vs LSTM on the adding problem: can the network carry a number across many time steps?

Each sequence has two channels: a random value in [0, 1) at every step and a marker that is 1 at exactly
two steps (one in the first half, one in the second). The target is the sum of the two marked values, so
the first one must be remembered across up to the whole sequence. Predicting the mean (1.0) scores the
baseline MSE Var(u1 + u2) = 1/6 ~ 0.167; anything clearly below it has learned to remember.

A vanilla tanh RNN and an LSTM of the same width are trained on fresh sequences for the same number of
steps at several lengths. The RNN multiplies its state by the same matrix at every step, so the gradient
from the first marker shrinks geometrically and it stays near the baseline at long lengths. The LSTM's
cell state is updated additively through a forget gate; started with the forget gate open (bias +6) and
the input gate mostly shut (bias -4), a standard initialisation, it learns to write on the markers and
keep the sum. Each cell uses the learning rate that suits it best in a small sweep (0.01 RNN, 0.05 LSTM).
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
    lengths: tuple[int, ...] = (8, 32)  # sequence lengths compared (a short and a long one)
    hidden: int = 16  # hidden units of both the RNN and the LSTM
    batch: int = 48  # fresh training sequences per step
    n_test: int = 512  # held-out sequences per length
    steps: int = 60  # Adam steps per model and length
    lr_rnn: float = 0.01  # best of {0.005, 0.01, 0.02, 0.05} for the RNN
    lr_lstm: float = 0.05  # best of {0.02, 0.03, 0.05} for the LSTM
    forget_bias: float = 6.0  # LSTM forget-gate bias at init: remember by default
    input_bias: float = -4.0  # LSTM input-gate bias at init: write little by default


BASELINE_MSE = 1.0 / 6.0  # MSE of always predicting E[u1 + u2] = 1


def adding_batch(gen: torch.Generator, n: int, length: int, device: str) -> tuple[Tensor, Tensor]:
    """n sequences (n, length, 2) of [value - 0.5, marker] and their targets (n, 1): the marked sum."""
    values = torch.rand(n, length, generator=gen)
    half = length // 2
    first = torch.randint(0, half, (n,), generator=gen)
    second = torch.randint(half, length, (n,), generator=gen)
    marker = torch.zeros(n, length)
    rows = torch.arange(n)
    marker[rows, first] = 1.0
    marker[rows, second] = 1.0
    target = (values * marker).sum(dim=1, keepdim=True)
    x = torch.stack([values - 0.5, marker], dim=-1)  # centred values: distractors average out
    return x.to(device), target.to(device)


class Recurrent(nn.Module):
    """An RNN or LSTM layer read out by a linear head at the last step."""

    def __init__(self, cell: str, cfg: Config) -> None:
        super().__init__()
        h = cfg.hidden
        self.rnn: nn.RNNBase = nn.LSTM(2, h, batch_first=True) if cell == "LSTM" else nn.RNN(2, h, batch_first=True)
        self.head = nn.Linear(h, 1)
        with torch.no_grad():
            self.head.bias.fill_(1.0)  # both start at the baseline prediction
            if cell == "LSTM":  # gate order in PyTorch: input, forget, cell, output
                self.rnn.get_parameter("bias_hh_l0").zero_()
                bias = self.rnn.get_parameter("bias_ih_l0")
                bias[:h].fill_(cfg.input_bias)
                bias[h : 2 * h].fill_(cfg.forget_bias)

    def forward(self, x: Tensor) -> Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def train_one(
    cell: str, length: int, cfg: Config, ctx: DemoContext, gen: torch.Generator, steps: int
) -> tuple[float, list[float]]:
    """Train one model on fresh batches; return its test MSE and its training-loss curve."""
    x_test, y_test = adding_batch(gen, cfg.n_test, length, ctx.device)
    net = Recurrent(cell, cfg).to(ctx.device)
    opt = Adam(net.parameters(), lr=cfg.lr_lstm if cell == "LSTM" else cfg.lr_rnn)
    losses: list[float] = []
    for _ in range(steps):
        x, y = adding_batch(gen, cfg.batch, length, ctx.device)
        loss = F.mse_loss(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    with torch.no_grad():
        test_mse = float(F.mse_loss(net(x_test), y_test).item())
    return test_mse, losses


@demo("rnn-vs-lstm", topic="rnn", summary="vanilla RNN vs LSTM on the adding problem as the sequence grows")
def rnn_vs_lstm(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. train both cells at every length (fresh data each step, a held-out test set per run)
    mse: dict[tuple[str, int], float] = {}
    curves: dict[tuple[str, int], list[float]] = {}
    runs = [(cell, length) for length in cfg.lengths for cell in ("RNN", "LSTM")]
    for i, (cell, length) in enumerate(runs):
        ctx.progress(f"{cell}, length {length}", i / len(runs))
        torch.manual_seed(ctx.seed + i)  # each model's initial weights
        mse[cell, length], curves[cell, length] = train_one(cell, length, cfg, ctx, gen, steps)
    ctx.progress("done", 1.0)

    # 2. table: test MSE and its share of the predict-the-mean baseline
    rows: list[list[object]] = []
    for length in cfg.lengths:
        r, lstm = mse["RNN", length], mse["LSTM", length]
        rows.append([length, r, r / BASELINE_MSE, lstm, lstm / BASELINE_MSE])

    # 3. headline numbers and a takeaway built from them
    short, long = cfg.lengths[0], cfg.lengths[-1]
    rnn_long, lstm_long = mse["RNN", long], mse["LSTM", long]
    metrics: dict[str, float | int] = {"baseline_mse": BASELINE_MSE, "longest_length": long, "shortest_length": short}
    for (cell, length), v in mse.items():
        metrics[f"{cell.lower()}_mse_len{length}"] = v
    metrics["rnn_mse_longest"] = rnn_long
    metrics["lstm_mse_longest"] = lstm_long

    rnn_stuck = rnn_long > 0.7 * BASELINE_MSE
    lstm_learned = lstm_long < 0.5 * BASELINE_MSE
    verdict = (
        "the RNN has not learned to remember across that distance, the LSTM's additive cell state has."
        if rnn_stuck and lstm_learned
        else "the contrast did not clearly appear in this run."
    )
    takeaway = (
        f"Predicting the mean scores MSE {fmt(BASELINE_MSE)}. At length {long} the vanilla RNN reaches "
        f"{fmt(rnn_long)} ({rnn_long / BASELINE_MSE:.0%} of that baseline) and the LSTM {fmt(lstm_long)} "
        f"({lstm_long / BASELINE_MSE:.0%}) after {steps} steps each: {verdict} "
        f"At length {short}: RNN {fmt(mse['RNN', short])}, LSTM {fmt(mse['LSTM', short])}."
    )
    x = [float(n) for n in cfg.lengths]
    return DemoResult(
        header=(
            "The adding problem: sum the two marked values of a random sequence. A vanilla RNN and an LSTM "
            f"(hidden size {cfg.hidden}) are trained for {steps} steps at lengths "
            f"{', '.join(map(str, cfg.lengths))}; the test MSE is compared with predicting the mean "
            f"({fmt(BASELINE_MSE)})."
        ),
        columns=["length", "RNN test MSE", "RNN / baseline", "LSTM test MSE", "LSTM / baseline"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="test MSE vs sequence length",
                series=[
                    Series("RNN", [mse["RNN", n] for n in cfg.lengths], x),
                    Series("LSTM", [mse["LSTM", n] for n in cfg.lengths], x),
                    Series("predict the mean", [BASELINE_MSE] * len(x), x),
                ],
                x_label="sequence length",
            ),
            Chart(
                title=f"training loss at length {long}",
                series=[Series("RNN", thin(curves["RNN", long])), Series("LSTM", thin(curves["LSTM", long]))],
                log_y=True,
            ),
        ],
    )
