"""Softmax temperature: entropy and samples of softmax(logits / T) at several temperatures.

Dividing the logits by T before the softmax sharpens the distribution (T < 1, towards argmax) or
flattens it (T > 1, towards uniform) without changing the ranking. We take one fixed set of ten logits,
measure the entropy and the top probability at each temperature, and draw samples to see how often the
top class comes out and how many different classes appear at all.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch

from quizdl.demos.common import fmt, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    logits: tuple[float, ...] = (4.0, 3.0, 2.5, 2.0, 1.0, 0.5, 0.0, -0.5, -1.0, -2.0)  # class 0 is the top
    temperatures: tuple[float, ...] = (0.1, 0.5, 1.0, 2.0, 5.0, 20.0)  # T values to compare
    samples: int = 2000  # draws per temperature
    shown: int = 8  # how many draws to print per temperature


@demo(
    "softmax-temperature",
    topic="activations",
    summary="entropy and samples of softmax at several temperatures",
)
def run(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    torch.manual_seed(ctx.seed)
    gen = torch.Generator(device=ctx.device)
    gen.manual_seed(ctx.seed)

    # 1. one fixed set of logits
    logits = torch.tensor(cfg.logits, device=ctx.device)
    k = len(cfg.logits)
    max_entropy = math.log2(k)

    # 2. for each temperature: probabilities, entropy in bits, and samples
    rows: list[list[object]] = []
    entropies: list[float] = []
    top_probs: list[float] = []
    top_shares: list[float] = []
    distinct: list[int] = []
    dists: dict[float, list[float]] = {}
    rankings: set[tuple[int, ...]] = set()
    for i, t in enumerate(cfg.temperatures):
        ctx.progress(f"T = {t:g}", i / len(cfg.temperatures))
        probs = torch.softmax(logits / t, dim=0)
        entropy = float(-(probs * torch.log2(probs.clamp_min(1e-30))).sum().item())
        draws = torch.multinomial(probs, cfg.samples, replacement=True, generator=gen)
        share = float((draws == 0).float().mean().item())
        seen = int(torch.unique(draws).numel())
        entropies.append(entropy)
        top_probs.append(float(probs[0].item()))
        top_shares.append(share)
        distinct.append(seen)
        dists[t] = to_floats(probs)
        rankings.add(tuple(torch.argsort(probs, descending=True, stable=True).tolist()))
        shown = " ".join(str(d) for d in draws[: cfg.shown].tolist())
        rows.append([t, float(probs[0].item()), entropy, share, seen, shown])
    ctx.progress("done", 1.0)

    # 3. report
    rising = all(b > a for a, b in itertools.pairwise(entropies))
    falling = all(b <= a + 0.02 for a, b in itertools.pairwise(top_shares))
    lo, hi = cfg.temperatures[0], cfg.temperatures[-1]
    metrics = {
        "temperatures": list(cfg.temperatures),
        "entropy_bits": entropies,
        "top1_prob": top_probs,
        "top1_sample_share": top_shares,
        "distinct_classes_sampled": distinct,
        "max_entropy_bits": max_entropy,
        "entropy_low_t": entropies[0],
        "entropy_high_t": entropies[-1],
        "top1_share_low_t": top_shares[0],
        "top1_share_high_t": top_shares[-1],
        "entropy_rises_with_t": rising,
        "same_ranking_at_every_t": len(rankings) == 1,
    }
    takeaway = (
        f"From T = {lo:g} to T = {hi:g} the entropy went from {fmt(entropies[0])} to {fmt(entropies[-1])} bits "
        f"(uniform over {k} classes: {fmt(max_entropy)})"
        + (", rising at every step" if rising else ", though not at every step")
        + f", and the top class's share of {cfg.samples} samples fell from {top_shares[0]:.1%} to "
        f"{top_shares[-1]:.1%}"
        + ("" if falling else " (not monotonically)")
        + f" while the number of distinct classes drawn went from {distinct[0]} to {distinct[-1]}"
        + (
            ": low T is near-greedy, high T near-uniform"
            if top_shares[0] > 0.9 and entropies[-1] > 0.9 * max_entropy
            else ""
        )
        + (
            ", and the ranking of the classes never changed."
            if len(rankings) == 1
            else f", and the class ranking changed ({len(rankings)} different orders, float rounding ties)."
        )
    )
    return DemoResult(
        header=(
            f"softmax(logits / T) for ten fixed logits {list(cfg.logits)} at T = "
            f"{', '.join(f'{t:g}' for t in cfg.temperatures)}: entropy, top probability and {cfg.samples} "
            "samples each."
        ),
        columns=["T", "p(top class)", "entropy (bits)", "top-class share of samples", "classes seen", "first draws"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="class probabilities at each temperature",
                series=[Series(f"T = {t:g}", dists[t]) for t in cfg.temperatures],
                x_label="class",
            ),
            Chart(
                title="entropy (bits) vs temperature",
                series=[Series("entropy", entropies, x=list(cfg.temperatures))],
                x_label="T",
            ),
        ],
    )
