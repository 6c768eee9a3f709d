"""Attention: softmax(q k^T / sqrt(d)) v, what its weights look like, and why the sqrt(d) is there.

Three small experiments, no training:
1. Matching. Eight random keys; the queries are noisy copies of the same eight vectors in shuffled order.
   Every row of the weight matrix is a softmax, so it sums to 1, and each query puts most of its weight on
   the key it matches.
2. Multi-head. Tokens are [one-hot content | one-hot position]. Two heads see the same input through their
   own (hand-set) projections: head 1's query asks for "the position before me", head 2's for "the next
   content id after mine". They attend to different places at once, which one softmax cannot do.
3. Scaling. For random q and k with unit-variance entries, q.k has variance d. Without dividing by
   sqrt(d) the logits grow with d, the softmax saturates to one-hot (max weight -> 1, entropy -> 0) and the
   gradient through it vanishes; with the scaling the logits keep unit variance at every d.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_keys: int = 8  # experiment 1: keys (and queries)
    d_match: int = 32  # experiment 1: vector size
    query_noise: float = 0.5  # experiment 1: std of the noise added to each query
    seq_len: int = 10  # experiment 2: tokens in the sequence
    vocab: int = 4  # experiment 2: distinct token contents (one-hot)
    head_sharpness: float = 4.0  # experiment 2: scale of the hand-set query/key projections
    dims: tuple[int, ...] = (16, 64, 256, 1024)  # experiment 3: q/k sizes
    n_queries: int = 256  # experiment 3: random queries
    n_random_keys: int = 16  # experiment 3: random keys each query attends over


def attend(q: Tensor, k: Tensor, scale: bool = True) -> Tensor:
    """Attention weights softmax(q k^T / sqrt(d)) (or without the 1/sqrt(d)); rows are queries."""
    scores = q @ k.transpose(-2, -1)
    if scale:
        scores = scores / math.sqrt(q.shape[-1])
    return F.softmax(scores, dim=-1)


def entropy(w: Tensor) -> Tensor:
    """Entropy in nats of each row of attention weights (log of the number of keys when uniform)."""
    return -(w * torch.log(w.clamp_min(1e-30))).sum(dim=-1)


def matching(cfg: Config, gen: torch.Generator, device: str) -> dict[str, float]:
    # 1. data: keys, and queries that are shuffled noisy copies of them
    keys = randn(gen, cfg.n_keys, cfg.d_match, device=device)
    perm = torch.randperm(cfg.n_keys, generator=gen).to(device)
    queries = keys[perm] + cfg.query_noise * randn(gen, cfg.n_keys, cfg.d_match, device=device)
    # 2. attend and measure: does each query's top key equal its source key?
    w = attend(queries, keys)
    rows = torch.arange(cfg.n_keys, device=device)
    return {
        "match_rate": float((w.argmax(dim=-1) == perm).float().mean().item()),
        "match_weight": float(w[rows, perm].mean().item()),
        "row_sum_error": float((w.sum(dim=-1) - 1).abs().max().item()),
        "max_weight": float(w.max(dim=-1).values.mean().item()),
        "entropy": float(entropy(w).mean().item()),
    }


def multi_head(cfg: Config, gen: torch.Generator, device: str) -> tuple[dict[str, float], list[float], list[float]]:
    """Where two hand-set heads look; also the weights of the last query in each head."""
    # 1. data: token t = [one-hot content id | one-hot position]
    n, v = cfg.seq_len, cfg.vocab
    ids = torch.randint(0, v, (n,), generator=gen).to(device)
    x = torch.cat([F.one_hot(ids, v).float(), torch.eye(n, device=device)], dim=1)
    d = v + n
    # 2. two heads, each with its own (hand-set) query and key projections
    s = cfg.head_sharpness
    wq1, wk1 = torch.zeros(d, n, device=device), torch.zeros(d, n, device=device)
    wq1[v + 1 :].copy_(s * torch.eye(n, device=device)[: n - 1])  # position p asks for position p - 1
    wk1[v:].copy_(s * torch.eye(n, device=device))  # keys advertise their position
    wq2, wk2 = torch.zeros(d, v, device=device), torch.zeros(d, v, device=device)
    wq2[:v].copy_(s * torch.eye(v, device=device).roll(1, dims=1))  # content c asks for content c + 1
    wk2[:v].copy_(s * torch.eye(v, device=device))  # keys advertise their content
    w1 = attend(x @ wq1, x @ wk1)
    w2 = attend(x @ wq2, x @ wk2)
    # 3. measure where each head looks (position 0 has no previous token; some contents have no partner)
    top1, top2 = w1.argmax(dim=-1), w2.argmax(dim=-1)
    later = torch.arange(1, n, device=device)
    wanted = (ids + 1) % v
    has_partner = (wanted[:, None] == ids[None, :]).any(dim=1)
    both = has_partner.clone()
    both[0] = False
    stats = {
        "previous_share": float((top1[later] == later - 1).float().mean().item()),
        "partner_share": float((ids[top2] == wanted)[has_partner].float().mean().item()),
        "differ_share": float((top1 != top2)[both].float().mean().item()),
        "max_weight_head1": float(w1[later].max(dim=-1).values.mean().item()),
        "max_weight_head2": float(w2[has_partner].max(dim=-1).values.mean().item()),
        "entropy_head1": float(entropy(w1[later]).mean().item()),
        "entropy_head2": float(entropy(w2[has_partner]).mean().item()),
        "row_sum_error": float(max((w1.sum(-1) - 1).abs().max().item(), (w2.sum(-1) - 1).abs().max().item())),
    }
    return stats, [float(t) for t in w1[n - 1].tolist()], [float(t) for t in w2[n - 1].tolist()]


def scaling(cfg: Config, gen: torch.Generator, device: str, d: int, scale: bool) -> dict[str, float]:
    # 1. data: random queries, keys and values with unit-variance entries
    q = randn(gen, cfg.n_queries, d, device=device)
    k = randn(gen, cfg.n_random_keys, d, device=device)
    v = randn(gen, cfg.n_random_keys, 1, device=device)
    # 2. attention output, and the gradient that reaches the logits through the softmax
    logits = (q @ k.T / (math.sqrt(d) if scale else 1.0)).requires_grad_(True)
    w = F.softmax(logits, dim=-1)
    (w @ v).sum().backward()
    assert logits.grad is not None
    return {
        "logit_std": float(logits.detach().std().item()),
        "max_weight": float(w.detach().max(dim=-1).values.mean().item()),
        "entropy": float(entropy(w.detach()).mean().item()),
        "grad": float(logits.grad.norm(dim=-1).median().item()),  # the typical query
    }


@demo(
    "attention",
    topic="attention-transformers",
    summary="self-attention and multi-head weights on a toy sequence; what 1/sqrt(d) scaling prevents",
)
def attention(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    ctx.progress("matching queries to keys", 0.0)
    m = matching(cfg, gen, ctx.device)
    ctx.progress("multi-head attention", 0.3)
    h, head1_row, head2_row = multi_head(cfg, gen, ctx.device)
    ctx.progress("scaled vs unscaled", 0.6)
    sc = {(d, s): scaling(cfg, gen, ctx.device, d, s) for d in cfg.dims for s in (False, True)}
    ctx.progress("done", 1.0)

    # 4. table: one row per attention computation
    rows: list[list[object]] = [
        [
            "matching, scaled",
            cfg.d_match,
            m["max_weight"],
            m["entropy"],
            f"{m['match_rate']:.0%} of queries put most weight on their own key (mean weight "
            f"{m['match_weight']:.2f}); rows sum to 1 within {m['row_sum_error']:.0e}",
        ],
        [
            "head 1 (position)",
            cfg.vocab + cfg.seq_len,
            h["max_weight_head1"],
            h["entropy_head1"],
            f"{h['previous_share']:.0%} of queries attend most to the previous token",
        ],
        [
            "head 2 (content)",
            cfg.vocab + cfg.seq_len,
            h["max_weight_head2"],
            h["entropy_head2"],
            f"{h['partner_share']:.0%} attend most to a token with the next content id; the heads' top keys "
            f"differ for {h['differ_share']:.0%} of queries",
        ],
    ]
    for d in cfg.dims:
        for s in (False, True):
            r = sc[d, s]
            rows.append(
                [
                    f"random q, k, {'scaled' if s else 'unscaled'}",
                    d,
                    r["max_weight"],
                    r["entropy"],
                    f"logit std {r['logit_std']:.1f}, median gradient at the logits {fmt(r['grad'])}",
                ]
            )

    # 5. headline numbers and a takeaway built from them
    big, small = cfg.dims[-1], cfg.dims[0]
    un, sd = sc[big, False], sc[big, True]
    uniform = math.log(cfg.n_random_keys)
    metrics: dict[str, float | int] = {
        "row_sum_max_error": max(m["row_sum_error"], h["row_sum_error"]),
        "match_rate": m["match_rate"],
        "match_weight": m["match_weight"],
        "head1_previous_token_share": h["previous_share"],
        "head2_partner_content_share": h["partner_share"],
        "heads_differ_share": h["differ_share"],
        "uniform_entropy": uniform,
        "largest_d": big,
    }
    for (d, s), r in sc.items():
        tag = f"{'scaled' if s else 'unscaled'}_d{d}"
        metrics[f"max_weight_{tag}"] = r["max_weight"]
        metrics[f"entropy_{tag}"] = r["entropy"]
        metrics[f"logit_grad_{tag}"] = r["grad"]
    metrics["grad_ratio_scaled_over_unscaled"] = sd["grad"] / max(un["grad"], 1e-30)

    saturated = un["max_weight"] > 0.9 and un["entropy"] < 0.3 * uniform
    takeaway = (
        f"{m['match_rate']:.0%} of the {cfg.n_keys} queries put most weight on their matching key (mean weight "
        f"{m['match_weight']:.2f}), and every row sums to 1. The position head attends to the previous token for "
        f"{h['previous_share']:.0%} of queries while the content head finds a token with the next content id for "
        f"{h['partner_share']:.0%}: their top keys differ for {h['differ_share']:.0%} of queries. "
        f"At d={big} without 1/sqrt(d) the logits have std {un['logit_std']:.0f}, the mean max weight is "
        f"{un['max_weight']:.3f} and the entropy {fmt(un['entropy'])} nats (uniform: {uniform:.2f}); scaled, they "
        f"are {sd['max_weight']:.2f} and {sd['entropy']:.2f} (at d={small}: {sc[small, True]['max_weight']:.2f} and "
        f"{sc[small, True]['entropy']:.2f}). "
        + (
            f"The saturated softmax passes a typical query {sd['grad'] / max(un['grad'], 1e-30):.0f}x less gradient "
            f"({fmt(un['grad'])} vs {fmt(sd['grad'])} at the logits), so it barely learns."
            if saturated and sd["grad"] > un["grad"]
            else "The unscaled softmax did not saturate clearly in this run."
        )
    )
    xs = [float(d) for d in cfg.dims]
    return DemoResult(
        header=(
            "Computes attention weights softmax(q k^T / sqrt(d)) on three toy inputs: queries matching keys, two "
            "heads with different projections over one sequence, and random q, k at growing d with and without "
            "the 1/sqrt(d) scaling. No training: the weights are measured directly."
        ),
        columns=["attention", "d", "mean max weight", "mean entropy (nats)", "what it shows"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="mean max attention weight vs d (random q, k)",
                series=[
                    Series("unscaled", [sc[d, False]["max_weight"] for d in cfg.dims], xs),
                    Series("scaled by 1/sqrt(d)", [sc[d, True]["max_weight"] for d in cfg.dims], xs),
                ],
                x_label="d",
            ),
            Chart(
                title=f"weights of the last query (position {cfg.seq_len - 1}) over key positions, per head",
                series=[Series("head 1 (position)", head1_row), Series("head 2 (content)", head2_row)],
                x_label="key position",
            ),
        ],
    )
