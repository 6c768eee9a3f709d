"""KV cache: generating with cached keys and values gives the same tokens as recomputing, for far less work.

A decoder generates one token at a time. The plain way runs the whole sequence so far through the model at
every step, recomputing every earlier token's keys and values in every layer. Because of the causal mask an
earlier token's keys and values never change once computed, so a KV cache stores them: each step computes
the projections for the one new token only, appends its key and value to the cache, and attends with that
single query over the cached keys.

The demo generates greedily from the same prompt both ways with the same (untrained, seeded) weights: the
equality holds for any weights, since the cache is an exact rewrite of the same arithmetic. It compares the
logits step by step and the generated tokens, counts the matrix-multiply FLOPs per generated token with a
formula (and checks the formula against the shapes of the matmuls actually called on one step of each), and times both loops.
The recompute cost per token grows with the length t (every projection redone for t tokens, plus a t x t
score matrix); the cached cost is the projections for one token plus a 1 x t score row.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode

from quizdl.demos.common import fmt, seeded, thin
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    vocab: int = 64  # tokens V
    d_model: int = 64  # model width d
    n_heads: int = 4  # attention heads (head size d / n_heads)
    n_layers: int = 2  # decoder blocks
    d_ff: int = 256  # feed-forward hidden size (4 d)
    prompt: int = 16  # prompt tokens
    generate: int = 80  # tokens generated after the prompt
    batch: int = 2  # sequences generated in parallel


Cache = list[tuple[Tensor, Tensor]]  # per layer: keys and values (batch, heads, t, head size)


class Block(nn.Module):
    """Pre-LN decoder block: causal multi-head self-attention and a GELU feed-forward layer."""

    def __init__(self, cfg: Config) -> None:
        super().__init__()
        d = cfg.d_model
        self.heads = cfg.n_heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ff = nn.Sequential(nn.Linear(d, cfg.d_ff), nn.GELU(), nn.Linear(cfg.d_ff, d))

    def split(self, t: Tensor) -> Tensor:
        b, n, d = t.shape
        return t.view(b, n, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, x: Tensor, past: tuple[Tensor, Tensor] | None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """x: the new positions (batch, n, d); past: cached keys/values of the positions before them."""
        q, k, v = (self.split(t) for t in self.qkv(self.ln1(x)).chunk(3, dim=-1))
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        n_new, n_all = q.shape[2], k.shape[2]
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if n_new > 1:  # causal mask: new position i (absolute n_all - n_new + i) sees keys up to itself
            rows = torch.arange(n_all - n_new, n_all, device=x.device).unsqueeze(1)
            scores = scores.masked_fill(torch.arange(n_all, device=x.device) > rows, float("-inf"))
        att = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(x.shape)
        x = x + self.out(att)
        return x + self.ff(self.ln2(x)), (k, v)


class Decoder(nn.Module):
    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.tok = nn.Embedding(cfg.vocab, cfg.d_model)
        self.pos = nn.Embedding(cfg.prompt + cfg.generate, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab)

    def forward(self, tokens: Tensor, cache: Cache | None = None) -> tuple[Tensor, Cache]:
        """Logits for the LAST position only, and the updated cache. tokens: the positions not yet cached."""
        start = 0 if cache is None else cache[0][0].shape[2]
        pos = torch.arange(start, start + tokens.shape[1], device=tokens.device)
        x = self.tok(tokens) + self.pos(pos)
        new_cache: Cache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if cache is None else cache[i])
            new_cache.append(kv)
        return self.head(self.ln(x[:, -1])), new_cache


def step_flops(cfg: Config, t: int, cached: bool) -> int:
    """Matrix-multiply FLOPs (2 per multiply-add) to produce the logits for position t (1-based length t).

    Per layer and processed token: Q, K, V and output projections 4 d^2, feed-forward 2 d d_ff multiply-adds;
    attention scores and the weighted sum of values: 2 d per (query, key) pair. Recomputing processes t
    tokens and t x t pairs; with the cache, 1 token and 1 x t pairs. The LM head runs on the last token only.
    """
    d = cfg.d_model
    per_token = 4 * d * d + 2 * d * cfg.d_ff
    tokens, pairs = (1, t) if cached else (t, t * t)
    return 2 * cfg.batch * (cfg.n_layers * (tokens * per_token + pairs * 2 * d) + d * cfg.vocab)


@torch.no_grad()
def generate(net: Decoder, prompt: Tensor, n: int, cached: bool) -> tuple[Tensor, list[Tensor], float]:
    """Greedy generation of n tokens; returns the sequence, the logits of each step and the wall time."""
    start = time.perf_counter()
    seq, logits_per_step = prompt, []
    logits, cache = net(prompt)  # both ways start by running the prompt (the "prefill")
    for _ in range(n):
        logits_per_step.append(logits)
        nxt = logits.argmax(dim=-1, keepdim=True)
        seq = torch.cat([seq, nxt], dim=1)
        if len(logits_per_step) == n:
            break
        logits, cache = net(nxt, cache) if cached else net(seq)
    if seq.device.type == "cuda":
        torch.cuda.synchronize()
    return seq, logits_per_step, time.perf_counter() - start


class _MatmulFlops(TorchFunctionMode):
    """Counts the FLOPs of every linear layer and matmul actually called, from the operands' shapes.

    (torch.utils.flop_counter does the same at the dispatcher level, but its first use imports about a
    second's worth of modules; a torch-function mode sees the same calls for free.)
    """

    def __init__(self) -> None:
        super().__init__()
        self.flops = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        if func is F.linear:
            x, w = args[0], args[1]
            self.flops += 2 * (x.numel() // x.shape[-1]) * w.shape[0] * w.shape[1]
        elif func in (torch.matmul, Tensor.matmul, Tensor.__matmul__):
            a, b = args[0], args[1]
            self.flops += 2 * (a.numel() // a.shape[-1]) * a.shape[-1] * b.shape[-1]
        return func(*args, **(kwargs or {}))


@torch.no_grad()
def counted_flops(net: Decoder, seq: Tensor, cached: bool) -> int:
    """FLOPs counted from the actual calls producing the logits for the last position of seq (cache: the rest)."""
    cache = net(seq[:, :-1])[1] if cached else None
    with _MatmulFlops() as counter:
        net(seq[:, -1:], cache) if cached else net(seq)
    return counter.flops


@demo(
    "kv-cache",
    topic="attention-transformers",
    summary="generation with a KV cache: the same tokens and logits as recomputing, a fraction of the FLOPs",
)
def kv_cache(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    # 1. a small decoder with seeded random weights, and a random prompt
    gen = seeded(ctx)
    net = Decoder(cfg).to(ctx.device).eval()
    prompt = torch.randint(0, cfg.vocab, (cfg.batch, cfg.prompt), generator=gen).to(ctx.device)
    net(prompt)  # warm-up, so neither timed loop pays first-call costs

    # 2. generate both ways and compare
    ctx.progress("recomputing every step", 0.0)
    seq_full, logits_full, time_full = generate(net, prompt, cfg.generate, cached=False)
    ctx.progress("with the KV cache", 0.5)
    seq_cache, logits_cache, time_cache = generate(net, prompt, cfg.generate, cached=True)
    ctx.progress("counting FLOPs", 0.9)
    same_tokens = bool(torch.equal(seq_full, seq_cache))
    gaps = [float((a - b).abs().max().item()) for a, b in zip(logits_full, logits_cache, strict=True)]
    max_gap = max(gaps)

    # 3. FLOPs per generated token, by formula; the formula checked against the calls actually made
    lengths = list(range(cfg.prompt + 1, cfg.prompt + cfg.generate))  # lengths run by the decode steps
    flops_full = [step_flops(cfg, t, cached=False) for t in lengths]
    flops_cache = [step_flops(cfg, t, cached=True) for t in lengths]
    last = cfg.prompt + cfg.generate - 1
    counter_full = counted_flops(net, seq_full[:, :last], cached=False)
    counter_cache = counted_flops(net, seq_full[:, :last], cached=True)
    formula_ok = counter_full == step_flops(cfg, last, False) and counter_cache == step_flops(cfg, last, True)
    ctx.progress("done", 1.0)
    total_full, total_cache = sum(flops_full), sum(flops_cache)
    flop_ratio = total_full / total_cache
    time_ratio = time_full / time_cache

    rows = [
        [
            "recompute every step",
            flops_full[0],
            flops_full[-1],
            total_full / len(lengths),
            1000 * time_full / cfg.generate,
            counter_full,
        ],
        [
            "KV cache",
            flops_cache[0],
            flops_cache[-1],
            total_cache / len(lengths),
            1000 * time_cache / cfg.generate,
            counter_cache,
        ],
    ]
    metrics = {
        "flop_ratio": flop_ratio,
        "max_logit_gap": max_gap,
        "flops_per_token_recompute": total_full / len(lengths),
        "flops_per_token_cached": total_cache / len(lengths),
        "same_tokens": same_tokens,
        "last_step_flop_ratio": flops_full[-1] / flops_cache[-1],
        "formula_matches_counter": formula_ok,
        "time_recompute_s": time_full,
        "time_cached_s": time_cache,
        "time_ratio": time_ratio,
        "generated_tokens": cfg.generate,
    }

    # 4. takeaway from the numbers
    equal = (
        f"Over {cfg.generate} greedy steps the cache produced "
        + ("the same tokens" if same_tokens else "DIFFERENT tokens")
        + f" and logits within {fmt(max_gap)} of recomputing."
    )
    cost = (
        f"It used {fmt(flop_ratio)}x fewer matmul FLOPs per generated token on average "
        f"({fmt(flops_full[-1] / flops_cache[-1])}x at the last step, and growing with length; formula "
        + ("matches" if formula_ok else "does NOT match")
        + " the FLOPs counted from the actual calls)"
    )
    if time_ratio > 1.2:
        timing = f" and ran {fmt(time_ratio)}x faster ({fmt(time_full, 2)} s vs {fmt(time_cache, 2)} s)."
    else:
        timing = (
            f", but wall time was only {fmt(time_ratio)}x better ({fmt(time_full, 2)} s vs {fmt(time_cache, 2)} s):"
            " at this tiny size per-call overhead, not arithmetic, dominates."
        )
    return DemoResult(
        header=(
            f"A {cfg.n_layers}-layer decoder (d={cfg.d_model}, {cfg.n_heads} heads, random weights) generates "
            f"{cfg.generate} tokens after a {cfg.prompt}-token prompt, for {cfg.batch} sequences, twice: "
            "recomputing the whole sequence at every step, and with a KV cache."
        ),
        columns=[
            "method",
            "FLOPs, first step",
            "FLOPs, last step",
            "FLOPs per token (mean)",
            "ms per token",
            "counted from calls, last step",
        ],
        rows=rows,
        takeaway=f"{equal} {cost}{timing}",
        metrics=metrics,
        charts=[
            Chart(
                title="matmul FLOPs to generate the token at each length",
                series=[
                    Series("recompute", thin([float(f) for f in flops_full]), thin([float(t) for t in lengths])),
                    Series("KV cache", thin([float(f) for f in flops_cache]), thin([float(t) for t in lengths])),
                ],
                x_label="sequence length",
                log_y=True,
            ),
            Chart(title="max |logit gap| per step (cache vs recompute)", series=[Series("gap", thin(gaps))]),
        ],
    )
