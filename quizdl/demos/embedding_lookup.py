"""An embedding layer is a one-hot vector times a weight matrix, computed as a row lookup.

A table E of V = 5000 rows of size 64 embeds a batch of 256 token ids drawn with Zipf-like frequencies
(as words are), including some padding tokens. Two ways to compute the same thing: build the one-hot
matrix (256 x 5000) and multiply it by E, or index the rows E[ids] as nn.Embedding does. The outputs
are identical to the bit; the gradients of a loss with respect to E agree (up to the order in which
repeated tokens' gradients are summed) and are non-zero only in the rows of tokens that occur in the
batch. The padding row (padding_idx) stays zero and gets no gradient. The difference is cost: the
one-hot product does V multiply-adds per output number and materialises a V-wide matrix per batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    vocab: int = 5000  # rows of the table (V)
    dim: int = 64  # embedding size (d)
    batch: int = 256  # token ids per batch
    pad_share: float = 0.1  # share of padding tokens (id 0) in the batch
    repeats: int = 3  # timing repetitions (the fastest is reported)
    big_vocab: int = 50_000  # for the parameter count of a realistic table
    big_dim: int = 4096  # likewise


def _timed(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


@demo(
    "embedding-lookup",
    topic="embeddings-nlp",
    summary="embedding lookup equals one-hot times the table, bit for bit; only rows in the batch get gradient",
)
def embedding_lookup(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device

    # 1. data: Zipf-distributed token ids with some padding (id 0)
    zipf = 1.0 / torch.arange(1, cfg.vocab, dtype=torch.float32)
    ids = 1 + torch.multinomial(zipf, cfg.batch, replacement=True, generator=gen)
    pad = torch.rand(cfg.batch, generator=gen) < cfg.pad_share
    ids = torch.where(pad, 0, ids).to(dev)
    upstream = randn(gen, cfg.batch, cfg.dim, device=dev)  # dL/d(output): a stand-in for the rest of a model

    # 2. model: one table used both ways (padding row 0 zero, as nn.Embedding(padding_idx=0) keeps it)
    torch.manual_seed(ctx.seed + 1)
    emb = nn.Embedding(cfg.vocab, cfg.dim, padding_idx=0).to(dev)
    with torch.no_grad():
        emb.weight.copy_(randn(gen, cfg.vocab, cfg.dim, device=dev))
        emb.weight[0].zero_()

    # 3. forward and backward, lookup vs one-hot matmul
    emb.zero_grad(set_to_none=True)
    out_lookup = emb(ids)
    (out_lookup * upstream).sum().backward()
    grad_lookup = emb.weight.grad.detach().clone()

    weight = emb.weight.detach().clone().requires_grad_(True)
    onehot = F.one_hot(ids, cfg.vocab).float()
    out_onehot = onehot @ weight
    (out_onehot * upstream).sum().backward()
    grad_onehot = weight.grad.detach().clone()
    grad_onehot[0] = 0.0  # what padding_idx does: the padding row is never updated
    ctx.progress("forward and backward", 0.5)

    # 4. measure: agreement, which rows get gradient, and the cost of each way
    out_diff = float((out_lookup.detach() - out_onehot.detach()).abs().max().item())
    grad_diff = float((grad_lookup - grad_onehot).abs().max().item())
    rows_with_grad = int((grad_lookup.abs().sum(dim=1) > 0).sum().item())
    unique_ids = torch.unique(ids)
    unique_non_pad = int((unique_ids != 0).sum().item())
    pad_row_zero = bool((emb.weight[0] == 0).all().item()) and bool((grad_lookup[0] == 0).all().item())
    pad_tokens = int((ids == 0).sum().item())

    def run_lookup() -> None:
        emb(ids).sum().item()

    def run_onehot() -> None:
        (F.one_hot(ids, cfg.vocab).float() @ weight.detach()).sum().item()

    with torch.no_grad():
        t_lookup = _timed(run_lookup, cfg.repeats)
        t_onehot = _timed(run_onehot, cfg.repeats)
    ctx.progress("timing", 0.9)
    macs_onehot = cfg.batch * cfg.vocab * cfg.dim
    onehot_bytes = cfg.batch * cfg.vocab * 4
    big_params = cfg.big_vocab * cfg.big_dim
    ctx.progress("done", 1.0)

    # 5. report
    rows = [
        ["lookup E[ids]", 0, cfg.batch * cfg.dim * 4, t_lookup * 1e3, 0.0, 0.0],
        ["one-hot @ E", macs_onehot, onehot_bytes, t_onehot * 1e3, out_diff, grad_diff],
    ]
    metrics: dict[str, float | int | bool] = {
        "output_max_diff": out_diff,
        "grad_max_diff": grad_diff,
        "rows_with_grad": rows_with_grad,
        "unique_non_pad_ids": unique_non_pad,
        "vocab": cfg.vocab,
        "share_of_rows_updated": rows_with_grad / cfg.vocab,
        "pad_tokens": pad_tokens,
        "pad_row_zero_and_no_grad": pad_row_zero,
        "onehot_macs": macs_onehot,
        "onehot_bytes": onehot_bytes,
        "time_lookup_ms": t_lookup * 1e3,
        "time_onehot_ms": t_onehot * 1e3,
        "big_table_params": big_params,
    }
    same = "identical to the bit" if out_diff == 0 else f"equal to within {fmt(out_diff)}"
    parts = [
        f"One-hot times the table and the row lookup give outputs {same}, and "
        + (
            "identical gradients."
            if grad_diff == 0
            else f"gradients that differ by at most {fmt(grad_diff)} (summation order)."
        ),
        f"Only {rows_with_grad} of {cfg.vocab} rows ({rows_with_grad / cfg.vocab:.1%}) receive gradient: "
        + (
            f"exactly the {unique_non_pad} distinct non-padding tokens of the batch,"
            if rows_with_grad == unique_non_pad
            else f"the batch has {unique_non_pad} distinct non-padding tokens,"
        )
        + f" and the padding row {'stays zero with zero gradient' if pad_row_zero else 'is NOT kept at zero'} "
        f"although {pad_tokens} tokens are padding.",
        f"The one-hot way spends {macs_onehot / 1e6:.0f}M multiply-adds and a {onehot_bytes / 1e6:.1f} MB matrix on "
        f"this batch ({fmt(t_onehot * 1e3)} ms vs {fmt(t_lookup * 1e3)} ms here). At {cfg.big_vocab:,} x "
        f"{cfg.big_dim} the table alone has {big_params / 1e6:.0f}M parameters.",
    ]
    return DemoResult(
        header=(
            f"A {cfg.vocab} x {cfg.dim} embedding table applied to {cfg.batch} Zipf-distributed token ids (with "
            "padding) as a row lookup and as one-hot times the table: outputs, gradients, rows that get gradient, "
            "and cost."
        ),
        columns=["method", "multiply-adds", "bytes materialised", "time (ms)", "max |output diff|", "max |grad diff|"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="gradient norm per table row (first 200 rows, by token frequency rank)",
                series=[Series("|dL/dE[row]|", [float(v) for v in grad_lookup[:200].norm(dim=1).cpu().tolist()])],
                x_label="token id",
            )
        ],
    )
