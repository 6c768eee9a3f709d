"""Decoding a language model: greedy and beam search repeat themselves; temperature, top-k, top-p and min-p trade
diversity against staying in the likely part of the distribution.

The "language model" is a fixed, generated bigram table over a small vocabulary whose next-token
distributions are peaked, like a real LM's. The same model is decoded from the same start tokens in several
ways. For each we measure the entropy of the distribution actually sampled from at each step, how much of the
model's probability mass the truncation keeps, how often generated text repeats itself (the share of
trigrams that already occurred earlier in the same sequence) and how varied it is (distinct bigrams over all
sequences), the model's own negative log-likelihood of the text (low = bland, high-probability text), and
the share of tokens drawn from the model's unreliable tail (outside its 0.95 nucleus).

Greedy decoding of a bigram model is a deterministic map from token to token, so it must fall into a cycle:
the extreme form of the repetition loops that greedy and beam search show on real models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    vocab: int = 120  # tokens in the toy vocabulary
    logit_scale: float = 2.5  # std of the bigram logits (larger: more peaked next-token distributions)
    batch: int = 128  # sequences decoded in parallel, each from its own start token
    length: int = 40  # tokens generated per sequence
    beam: int = 4  # beam width for beam search
    top_k: int = 10  # k for top-k sampling
    top_p: float = 0.9  # p for nucleus sampling
    min_p: float = 0.1  # min-p: keep tokens with prob >= min_p * (top token's prob)
    repetition_penalty: float = 2.0  # CTRL-style penalty theta on tokens already in the sequence (greedy)
    tail_p: float = 0.95  # a token outside the model's own top-0.95 nucleus counts as a "tail" token
    sweep: tuple[float, ...] = (0.3, 0.5, 0.7, 1.0, 1.3, 1.6, 2.0)  # temperatures for the chart


# A rule turns the model's next-token probabilities (batch, vocab) into the distribution to sample from.
Rule = Callable[[Tensor], Tensor]


def _temperature(t: float) -> Rule:
    def rule(probs: Tensor) -> Tensor:
        return torch.softmax(torch.log(probs) / t, dim=-1)

    return rule


def _top_k(k: int) -> Rule:
    def rule(probs: Tensor) -> Tensor:
        kth = probs.topk(k, dim=-1).values[:, -1:]
        kept = torch.where(probs >= kth, probs, torch.zeros_like(probs))
        return kept / kept.sum(dim=-1, keepdim=True)

    return rule


def _top_p(p: float) -> Rule:
    def rule(probs: Tensor) -> Tensor:
        sorted_p, order = probs.sort(dim=-1, descending=True)
        before = sorted_p.cumsum(dim=-1) - sorted_p  # mass of the strictly more likely tokens
        keep_sorted = before < p  # the smallest prefix whose mass reaches p (the top token is always kept)
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        kept = torch.where(keep, probs, torch.zeros_like(probs))
        return kept / kept.sum(dim=-1, keepdim=True)

    return rule


def _min_p(m: float) -> Rule:
    def rule(probs: Tensor) -> Tensor:
        kept = torch.where(probs >= m * probs.amax(dim=-1, keepdim=True), probs, torch.zeros_like(probs))
        return kept / kept.sum(dim=-1, keepdim=True)

    return rule


def _greedy() -> Rule:
    def rule(probs: Tensor) -> Tensor:
        return torch.nn.functional.one_hot(probs.argmax(dim=-1), probs.shape[-1]).to(probs.dtype)

    return rule


def _entropy(probs: Tensor) -> Tensor:
    return -(probs * torch.log(probs.clamp(min=1e-30))).sum(dim=-1)


def _stats(P: Tensor, S: Tensor, prev: Tensor, tokens: Tensor, tail: Tensor) -> dict:
    """Per-step statistics of decoding P through the sampling table S, averaged over rows and steps."""
    kept = S > 0
    return {
        "tokens": tokens,
        "entropy": float(_entropy(S)[prev].mean().item()),
        "mass": float((P * kept).sum(dim=-1)[prev].mean().item()),
        "size": float(kept.sum(dim=-1).float()[prev].mean().item()),
        "sizes_row0": [float(v) for v in kept.sum(dim=-1)[prev[0]].cpu().tolist()],
        "nll": float(-torch.log(P[prev, tokens]).mean().item()),
        "tail": float(tail[prev, tokens].float().mean().item()),
    }


def _sample(P: Tensor, start: Tensor, length: int, rule: Rule, tail: Tensor, gen: torch.Generator) -> dict:
    """Decode every row from `start`, sampling each token from rule(P[previous token]).

    A bigram model's next-token distribution depends only on the previous token, so the rule is applied to
    the whole table once; each step then draws by inverting the cumulative distribution with one uniform.
    """
    S = rule(P)
    cdf = S.cumsum(dim=-1)
    total = cdf[:, -1:]  # 1 up to round-off
    last, tokens = start, []
    u = torch.rand(start.shape[0], length, generator=gen).to(P.device)
    for t in range(length):
        # first index whose cumulative mass exceeds u * total: a zero-probability token is never picked
        last = torch.searchsorted(cdf[last], u[:, t : t + 1] * total[last], right=True).squeeze(1)
        last = last.clamp(max=P.shape[0] - 1)
        tokens.append(last)
    toks = torch.stack(tokens, dim=1)
    prev = torch.cat([start.unsqueeze(1), toks[:, :-1]], dim=1)
    return _stats(P, S, prev, toks, tail)


def _greedy_penalized(P: Tensor, start: Tensor, length: int, theta: float, tail: Tensor) -> dict:
    """Greedy decoding with a CTRL-style repetition penalty: the logit of every token already in the sequence
    is divided by theta if positive and multiplied by theta if negative. The logits here are the model's
    log-probabilities (all negative), so a seen token's logit is multiplied by theta."""
    batch, vocab = start.shape[0], P.shape[0]
    logP = torch.log(P)
    seen = torch.zeros(batch, vocab, dtype=torch.bool, device=P.device)
    seen[torch.arange(batch, device=P.device), start] = True
    last, tokens = start, []
    for _ in range(length):
        logits = logP[last]
        logits = torch.where(seen, torch.where(logits > 0, logits / theta, logits * theta), logits)
        last = logits.argmax(dim=-1)
        seen[torch.arange(batch, device=P.device), last] = True
        tokens.append(last)
    toks = torch.stack(tokens, dim=1)
    prev = torch.cat([start.unsqueeze(1), toks[:, :-1]], dim=1)
    stats = _stats(P, _greedy()(P), prev, toks, tail)
    stats["mass"] = float(P[prev, toks].mean().item())
    return stats


def _beam(P: Tensor, start: Tensor, length: int, width: int, tail: Tensor) -> dict:
    """Beam search for the most likely continuation of each start token; returns the best beam's tokens."""
    batch, vocab = start.shape[0], P.shape[0]
    logP = torch.log(P)
    scores = torch.full((batch, width), float("-inf"), device=P.device)
    scores[:, 0] = 0.0
    last = start.unsqueeze(1).expand(batch, width).clone()
    hist = torch.zeros(batch, width, 0, dtype=torch.long, device=P.device)
    for _ in range(length):
        cand = scores.unsqueeze(2) + logP[last]  # (batch, width, vocab)
        scores, idx = cand.reshape(batch, -1).topk(width, dim=-1)
        src, tok = idx // vocab, idx % vocab
        hist = torch.cat([torch.gather(hist, 1, src.unsqueeze(2).expand(-1, -1, hist.shape[2])), tok.unsqueeze(2)], 2)
        last = tok
    tokens = hist[:, 0]  # the highest-scoring beam
    prev = torch.cat([start.unsqueeze(1), tokens[:, :-1]], dim=1)
    stats = _stats(P, _greedy()(P), prev, tokens, tail)
    stats["mass"] = float(P[prev, tokens].mean().item())  # it keeps one token per step: the one it emits
    return stats


def _repeat_rate(tokens: Tensor, vocab: int, n: int = 3) -> float:
    """Share of n-grams in each sequence that already occurred earlier in the same sequence."""
    grams = torch.zeros(tokens.shape[0], tokens.shape[1] - n + 1, dtype=torch.long, device=tokens.device)
    for i in range(n):
        grams = grams * vocab + tokens[:, i : tokens.shape[1] - n + 1 + i]
    same = grams.unsqueeze(2) == grams.unsqueeze(1)  # (batch, position, earlier position)
    earlier = torch.ones(grams.shape[1], grams.shape[1], dtype=torch.bool, device=tokens.device).tril(-1)
    return float((same & earlier).any(dim=2).float().mean().item())


def _distinct(tokens: Tensor, vocab: int) -> float:
    """Distinct-2: unique bigrams over all sequences / all bigrams."""
    grams = (tokens[:, :-1] * vocab + tokens[:, 1:]).reshape(-1)
    return float(torch.unique(grams).numel() / grams.numel())


@demo(
    "sampling-decoding",
    topic="large-language-models",
    summary="greedy/beam search loop; repetition penalty, temperature, top-k, top-p, min-p: entropy, repeats, tail",
)
def sampling_decoding(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device
    progress = ticker(ctx, "decoding")

    # 1. the model: a bigram table P[prev, next] with peaked rows, and one start token per sequence
    P = torch.softmax(cfg.logit_scale * randn(gen, cfg.vocab, cfg.vocab, device=dev), dim=-1)
    start = torch.randint(0, cfg.vocab, (cfg.batch,), generator=gen).to(dev)
    model_entropy = float(_entropy(P).mean().item())
    tail = _top_p(cfg.tail_p)(P) == 0  # tail[prev, next]: next lies outside the model's own 0.95 nucleus

    # 2. decode the same model from the same starts with each method
    plan: list[tuple[str, Rule]] = [
        ("greedy", _greedy()),
        ("temperature 0.7", _temperature(0.7)),
        ("temperature 1.0 (pure sampling)", _temperature(1.0)),
        ("temperature 1.6", _temperature(1.6)),
        (f"top-k, k={cfg.top_k}", _top_k(cfg.top_k)),
        (f"top-p, p={cfg.top_p:g}", _top_p(cfg.top_p)),
        (f"min-p, {cfg.min_p:g}", _min_p(cfg.min_p)),
    ]
    res: dict[str, dict] = {}
    res[f"beam search, width {cfg.beam}"] = _beam(P, start, cfg.length, cfg.beam, tail)
    pen_name = f"greedy + repetition penalty {cfg.repetition_penalty:g}"
    res[pen_name] = _greedy_penalized(P, start, cfg.length, cfg.repetition_penalty, tail)
    for i, (name, rule) in enumerate(plan):
        res[name] = _sample(P, start, cfg.length, rule, tail, gen)
        progress(0.6 * (i + 1) / len(plan))
    for r in res.values():
        r["repeat3"] = _repeat_rate(r["tokens"], cfg.vocab)
        r["distinct2"] = _distinct(r["tokens"], cfg.vocab)

    # 3. a temperature sweep for the chart
    sweep = [_sample(P, start, cfg.length, _temperature(t), tail, gen) for t in cfg.sweep]
    progress(1.0)
    sweep_repeat = [_repeat_rate(r["tokens"], cfg.vocab) for r in sweep]
    sweep_distinct = [_distinct(r["tokens"], cfg.vocab) for r in sweep]

    # 4. report
    order = ["greedy", f"beam search, width {cfg.beam}", pen_name] + [name for name, _ in plan[1:]]
    rows = [
        [
            name,
            res[name]["entropy"],
            res[name]["size"],
            res[name]["mass"],
            res[name]["repeat3"],
            res[name]["distinct2"],
            res[name]["nll"],
            res[name]["tail"],
        ]
        for name in order
    ]
    g, b, gp = res["greedy"], res[f"beam search, width {cfg.beam}"], res[pen_name]
    t07, t1, t16 = res["temperature 0.7"], res["temperature 1.0 (pure sampling)"], res["temperature 1.6"]
    tk, tp, mp = res[f"top-k, k={cfg.top_k}"], res[f"top-p, p={cfg.top_p:g}"], res[f"min-p, {cfg.min_p:g}"]
    nucleus = tp["sizes_row0"]
    metrics = {
        "model_entropy": model_entropy,
        "repeat3_greedy": g["repeat3"],
        "repeat3_beam": b["repeat3"],
        "repeat3_penalized": gp["repeat3"],
        "nll_penalized": gp["nll"],
        "tail_penalized": gp["tail"],
        "distinct2_penalized": gp["distinct2"],
        "repeat3_t07": t07["repeat3"],
        "repeat3_t1": t1["repeat3"],
        "repeat3_top_p": tp["repeat3"],
        "distinct2_greedy": g["distinct2"],
        "distinct2_t1": t1["distinct2"],
        "distinct2_top_p": tp["distinct2"],
        "entropy_t07": t07["entropy"],
        "entropy_t1": t1["entropy"],
        "entropy_t16": t16["entropy"],
        "entropy_top_k": tk["entropy"],
        "entropy_top_p": tp["entropy"],
        "entropy_min_p": mp["entropy"],
        "nll_greedy": g["nll"],
        "nll_beam": b["nll"],
        "nll_t1": t1["nll"],
        "tail_t1": t1["tail"],
        "tail_t16": t16["tail"],
        "tail_top_k": tk["tail"],
        "tail_top_p": tp["tail"],
        "tail_min_p": mp["tail"],
        "mass_top_p": tp["mass"],
        "mass_top_k": tk["mass"],
        "mass_min_p": mp["mass"],
        "nucleus_size_mean": tp["size"],
        "nucleus_size_min": min(nucleus),
        "nucleus_size_max": max(nucleus),
        "sweep_temperatures": list(cfg.sweep),
        "sweep_repeat3": sweep_repeat,
        "sweep_distinct2": sweep_distinct,
        "sweep_entropy": [r["entropy"] for r in sweep],
    }

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    def pct1(v: float) -> str:
        return f"{100 * v:.1f}%"

    parts = [
        f"Greedy decoding repeats itself: {pct(g['repeat3'])} of its trigrams already occurred earlier in the same"
        f" sequence (beam search {pct(b['repeat3'])}) against {pct(t1['repeat3'])} for pure sampling, with"
        f" distinct-2 {fmt(g['distinct2'])} vs {fmt(t1['distinct2'])}.",
    ]
    if max(g["nll"], b["nll"]) < t1["nll"]:
        parts.append(
            f"Both pick unusually likely text (bland): {fmt(g['nll'])} (greedy) and {fmt(b['nll'])} (beam) nats per"
            f" token under the model, vs {fmt(t1['nll'])} for pure samples (whose expected value is the per-step"
            f" entropy, {fmt(t1['entropy'])})."
        )
    else:
        parts.append(
            f"Their text is not more likely than samples here: {fmt(g['nll'])} (greedy), {fmt(b['nll'])} (beam)"
            f" vs {fmt(t1['nll'])} nats per token."
        )
    if gp["repeat3"] < 0.5 * g["repeat3"]:
        parts.append(
            f"A repetition penalty of {cfg.repetition_penalty:g} cuts greedy's repeat-3 rate to {pct(gp['repeat3'])}"
            f" (NLL {fmt(gp['nll'])} nats per token), but the output is still one deterministic path per start:"
            f" distinct-2 across sequences is {fmt(gp['distinct2'])}, against {fmt(t1['distinct2'])} for sampling."
        )
    else:
        parts.append(
            f"A repetition penalty of {cfg.repetition_penalty:g} left greedy's repeat-3 rate at {pct(gp['repeat3'])}."
        )
    if t07["entropy"] < t1["entropy"] < t16["entropy"]:
        parts.append(
            f"Temperature moves the per-step entropy from {fmt(t07['entropy'])} (T=0.7) to {fmt(t1['entropy'])}"
            f" (T=1) to {fmt(t16['entropy'])} nats (T=1.6),"
        )
    else:
        parts.append(
            f"Per-step entropy was {fmt(t07['entropy'])}, {fmt(t1['entropy'])} and {fmt(t16['entropy'])} nats at"
            " T=0.7, 1 and 1.6, not in order here,"
        )
    parts.append(
        f"and at T=1.6 {pct1(t16['tail'])} of tokens come from outside the model's {cfg.tail_p:g} nucleus"
        f" ({pct1(t1['tail'])} at T=1)."
    )
    if tp["tail"] < t1["tail"] and tk["tail"] <= t1["tail"]:
        parts.append(
            f"Truncation removes the tail: top-p={cfg.top_p:g} keeps {pct(tp['mass'])} of the mass with a nucleus of"
            f" {min(nucleus):.0f} to {max(nucleus):.0f} tokens depending on the step (top-k always keeps"
            f" {cfg.top_k}, {pct(tk['mass'])} of the mass), and tail tokens fall to {pct1(tp['tail'])} (top-p),"
            f" {pct1(tk['tail'])} (top-k) and {pct1(mp['tail'])} (min-p)."
        )
    else:
        parts.append(
            f"Truncation did not reduce tail tokens here: {pct1(tp['tail'])} (top-p), {pct1(tk['tail'])} (top-k)"
            f" vs {pct1(t1['tail'])} for pure sampling."
        )
    return DemoResult(
        header=(
            f"One fixed bigram language model over {cfg.vocab} tokens (mean next-token entropy"
            f" {fmt(model_entropy)} nats) decoded {cfg.batch} times for {cfg.length} tokens from the same start"
            " tokens with each method. Repeat-3 is the share of trigrams seen earlier in the same sequence."
        ),
        columns=[
            "method",
            "entropy/step (nats)",
            "tokens kept",
            "model mass kept",
            "repeat-3",
            "distinct-2",
            "NLL/token",
            "tail tokens",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="temperature sweep: repetition and diversity",
                series=[
                    Series("repeat-3 rate", sweep_repeat, x=list(cfg.sweep)),
                    Series("distinct-2", sweep_distinct, x=list(cfg.sweep)),
                ],
                x_label="temperature",
            ),
            Chart(
                title="temperature sweep: entropy of the sampled distribution per step (nats)",
                series=[Series("entropy/step", [r["entropy"] for r in sweep], x=list(cfg.sweep))],
                x_label="temperature",
            ),
            Chart(
                title=f"tokens kept per step for one sequence: top-p={cfg.top_p:g} adapts, top-k={cfg.top_k} is fixed",
                series=[Series("top-p nucleus size", nucleus), Series("top-k", [float(cfg.top_k)] * len(nucleus))],
            ),
        ],
    )
