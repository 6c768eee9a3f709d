"""Speculative decoding: a cheap draft proposes, the target verifies, and the output is still exactly the target's.

A small draft model with distribution q proposes a token x; the target model (distribution p) accepts it with
probability min(1, p(x) / q(x)), and on a rejection a replacement is drawn from the residual
max(0, p - q) / sum(max(0, p - q)). This rule makes every emitted token distributed exactly as p, whatever q
is; the draft only changes how often a proposal is accepted, which is sum_x min(p(x), q(x)) = 1 - TV(p, q).

Part 1 draws many single tokens from a fixed p and q over a small vocabulary and compares the empirical
distributions: the accept/reject rule against p (its total variation should be at the level of plain sampling
noise), and naive sampling from the draft (whose total variation stays near TV(p, q)).

Part 2 runs real speculative decoding on a bigram "language model" (a target transition table P and a noisier
draft table Q): the draft proposes gamma tokens, one target call scores all gamma + 1 positions, the accepted
prefix plus one corrected (or bonus) token is emitted. It measures tokens per target call for several gamma
against the formula (1 - a^(gamma + 1)) / (1 - a) at the mean acceptance rate a, and checks that the emitted
transitions still follow P.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    vocab: int = 16  # vocabulary size of the toy models
    target_scale: float = 1.5  # spread of the target logits (larger: more peaked p)
    draft_noise: float = 1.0  # std of the noise added to the target logits to make the draft
    draft_flatten: float = 0.6  # the draft's logits are multiplied by this (a smaller model is less sharp)
    samples: int = 200_000  # part 1: single tokens drawn by each method
    batch: int = 256  # part 2: sequences decoded in parallel
    length: int = 48  # part 2: tokens generated per sequence (at least)
    gammas: tuple[int, ...] = (1, 2, 4, 8)  # part 2: draft tokens proposed per target call


def _tv(a: Tensor, b: Tensor) -> float:
    """Total variation distance between two distributions on the same support."""
    return float(0.5 * (a - b).abs().sum().item())


def _empirical(tokens: Tensor, vocab: int) -> Tensor:
    return torch.bincount(tokens, minlength=vocab).float() / tokens.numel()


def _speculative_single(p: Tensor, q: Tensor, n: int, gen: torch.Generator, device: str) -> tuple[Tensor, float]:
    """n independent draws with the accept/reject rule; returns the tokens and the acceptance rate."""
    draft = torch.multinomial(q.cpu(), n, replacement=True, generator=gen).to(device)
    u = torch.rand(n, generator=gen).to(device)
    accept = u < (p[draft] / q[draft]).clamp(max=1.0)
    residual = (p - q).clamp(min=0.0)
    residual = residual / residual.sum()
    n_rej = int((~accept).sum().item())
    fix = torch.multinomial(residual.cpu(), max(n_rej, 1), replacement=True, generator=gen).to(device)[:n_rej]
    out = draft.clone()
    out[~accept] = fix
    return out, float(accept.float().mean().item())


def _sample_rows(probs: Tensor, gen: torch.Generator) -> Tensor:
    """One token per row of probs, drawn on the CPU from gen (same numbers on every device)."""
    return torch.multinomial(probs.cpu(), 1, generator=gen).squeeze(1).to(probs.device)


def _speculative_decode(
    P: Tensor, Q: Tensor, start: Tensor, gamma: int, length: int, gen: torch.Generator
) -> dict[str, float | Tensor]:
    """Speculative decoding of every row of `start` until each has `length` tokens; counts transitions."""
    batch, vocab = start.shape[0], P.shape[0]
    device = P.device
    counts = torch.zeros(vocab, vocab, device=device)
    last = start.clone()
    emitted = torch.zeros(batch, dtype=torch.long, device=device)
    calls = torch.zeros(batch, dtype=torch.long, device=device)
    accepted = proposed = 0.0  # per checked draft token: the acceptance rate a of the formula
    residual = (P - Q).clamp(min=0.0)  # residual for a rejected proposal, per context row
    residual = residual / residual.sum(dim=1, keepdim=True).clamp(min=1e-12)
    rows = torch.arange(batch, device=device)
    while bool((emitted < length).any()):
        active = emitted < length
        # draft gamma tokens autoregressively from Q
        ctx_tokens, drafts = [last], []
        for _ in range(gamma):
            drafts.append(_sample_rows(Q[ctx_tokens[-1]], gen))
            ctx_tokens.append(drafts[-1])
        d = torch.stack(drafts, dim=1)  # (batch, gamma)
        c = torch.stack(ctx_tokens[:-1], dim=1)  # context of each draft token
        # one target call scores all gamma positions (and the bonus position after them)
        p_d, q_d = P[c, d], Q[c, d]
        u = torch.rand(batch, gamma, generator=gen).to(device)
        ok = u < (p_d / q_d).clamp(max=1.0)
        n_acc = torch.cumprod(ok.long(), dim=1).sum(dim=1)  # accepted prefix length, 0..gamma
        # the token after the accepted prefix: residual sample at a rejection, bonus sample from P if all passed
        ctx_at = torch.cat([c, d[:, -1:]], dim=1)[rows, n_acc]
        fix_probs = torch.where((n_acc < gamma).unsqueeze(1), residual[ctx_at], P[ctx_at])
        fix = _sample_rows(fix_probs, gen)
        seq = torch.cat([d, torch.zeros(batch, 1, dtype=torch.long, device=device)], dim=1)
        seq[rows, n_acc] = fix
        prev = torch.cat([last.unsqueeze(1), seq[:, :-1]], dim=1)
        valid = (torch.arange(gamma + 1, device=device).unsqueeze(0) <= n_acc.unsqueeze(1)) & active.unsqueeze(1)
        counts.index_put_(
            (prev[valid], seq[valid]), torch.ones(int(valid.sum().item()), device=device), accumulate=True
        )
        emitted += valid.sum(dim=1)
        calls += active.long()
        accepted += float((n_acc * active).sum().item())
        proposed += float(((n_acc + (n_acc < gamma).long()) * active).sum().item())  # drafts actually checked
        last = torch.where(active, fix, last)
    return {
        "tokens_per_call": float(emitted.sum().item() / calls.sum().item()),
        "accept_rate": accepted / proposed,
        "counts": counts,
    }


def _direct_decode(P: Tensor, start: Tensor, length: int, gen: torch.Generator) -> Tensor:
    """Plain ancestral sampling from the table P, one model call per token; returns transition counts."""
    vocab = P.shape[0]
    counts = torch.zeros(vocab, vocab, device=P.device)
    last = start.clone()
    for _ in range(length):
        nxt = _sample_rows(P[last], gen)
        counts.index_put_((last, nxt), torch.ones_like(nxt, dtype=counts.dtype), accumulate=True)
        last = nxt
    return counts


def _transition_tv(counts: Tensor, P: Tensor) -> float:
    """Visit-weighted mean total variation between the empirical transition rows and the true rows of P."""
    visits = counts.sum(dim=1)
    seen = visits > 0
    rows = counts[seen] / visits[seen].unsqueeze(1)
    tv_rows = 0.5 * (rows - P[seen]).abs().sum(dim=1)
    return float((tv_rows * visits[seen]).sum().item() / visits.sum().item())


@demo(
    "speculative-decoding",
    topic="large-language-models",
    summary="the accept/reject rule samples exactly the target's distribution; acceptance = sum min(p, q)",
)
def speculative_decoding(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device
    progress = ticker(ctx, "speculative decoding")

    # 1. models: a peaked target p and a flatter, noisy draft q over the same vocabulary
    logits = cfg.target_scale * randn(gen, cfg.vocab, device=dev)
    p = torch.softmax(logits, dim=0)
    q = torch.softmax(cfg.draft_flatten * (logits + cfg.draft_noise * randn(gen, cfg.vocab, device=dev)), dim=0)
    tv_pq = _tv(p, q)
    overlap = float(torch.minimum(p, q).sum().item())  # predicted acceptance rate

    # 2. part 1: many single draws: accept/reject vs naive draft sampling vs the target itself (noise floor)
    spec_tokens, accept_rate = _speculative_single(p, q, cfg.samples, gen, dev)
    naive = torch.multinomial(q.cpu(), cfg.samples, replacement=True, generator=gen).to(dev)
    direct = torch.multinomial(p.cpu(), cfg.samples, replacement=True, generator=gen).to(dev)
    tv_spec = _tv(_empirical(spec_tokens, cfg.vocab), p)
    tv_naive = _tv(_empirical(naive, cfg.vocab), p)
    tv_noise = _tv(_empirical(direct, cfg.vocab), p)
    progress(0.2)

    # 3. part 2: a bigram target P and draft Q (each row built like p and q), decoded speculatively
    tlog = cfg.target_scale * randn(gen, cfg.vocab, cfg.vocab, device=dev)
    P = torch.softmax(tlog, dim=1)
    Q = torch.softmax(cfg.draft_flatten * (tlog + cfg.draft_noise * randn(gen, cfg.vocab, cfg.vocab, device=dev)), 1)
    row_alpha = torch.minimum(P, Q).sum(dim=1)
    start = torch.randint(0, cfg.vocab, (cfg.batch,), generator=gen).to(dev)
    direct_counts = _direct_decode(P, start, cfg.length, gen)
    tv_direct_seq = _transition_tv(direct_counts, P)
    tv_draft_seq = _transition_tv(_direct_decode(Q, start, cfg.length, gen), P)  # draft alone, judged against P
    runs = []
    for i, gamma in enumerate(cfg.gammas):
        r = _speculative_decode(P, Q, start, gamma, cfg.length, gen)
        a = float(r["accept_rate"])
        predicted = (1 - a ** (gamma + 1)) / (1 - a)
        runs.append({"gamma": gamma, **r, "predicted": predicted, "tv": _transition_tv(r["counts"], P)})
        progress(0.2 + 0.8 * (i + 1) / len(cfg.gammas))

    # 4. report
    rows: list[list[object]] = [
        ["single token: target p (noise floor)", "-", tv_noise, "-", "-", "-"],
        ["single token: naive draft q", "-", tv_naive, "-", "-", "-"],
        ["single token: accept/reject", "-", tv_spec, accept_rate, overlap, "-"],
        ["bigram: target only", 0, tv_direct_seq, "-", "-", 1.0],
        ["bigram: draft only", 0, tv_draft_seq, "-", "-", "-"],
    ]
    for r in runs:
        rows.append(
            [
                f"bigram: speculative, gamma={r['gamma']}",
                r["gamma"],
                r["tv"],
                r["accept_rate"],
                "-",
                r["tokens_per_call"],
            ]
        )
    best = max(runs, key=lambda r: r["tokens_per_call"])
    metrics = {
        "tv_p_q": tv_pq,
        "tv_speculative": tv_spec,
        "tv_naive_draft": tv_naive,
        "tv_sampling_noise": tv_noise,
        "accept_rate": accept_rate,
        "sum_min_p_q": overlap,
        "tv_transitions_direct": tv_direct_seq,
        "tv_transitions_draft_only": tv_draft_seq,
        "tv_transitions_speculative": [float(r["tv"]) for r in runs],
        "mean_row_acceptance": float(row_alpha.mean().item()),
        "gammas": list(cfg.gammas),
        "tokens_per_call": [float(r["tokens_per_call"]) for r in runs],
        "tokens_per_call_predicted": [float(r["predicted"]) for r in runs],
        "accept_rate_bigram": [float(r["accept_rate"]) for r in runs],
    }

    parts = [
        f"Over {cfg.samples} draws the accept/reject rule is {fmt(tv_spec)} in total variation from the target p"
        f" (plain sampling from p itself: {fmt(tv_noise)}), while sampling the draft naively stays {fmt(tv_naive)}"
        f" away (TV(p, q) = {fmt(tv_pq)}).",
    ]
    if tv_spec < 3 * tv_noise + 1e-3 and tv_naive > 5 * tv_spec:
        parts.append("So the rule outputs the target's distribution, not the draft's.")
    else:
        parts.append("Here the difference is not clear-cut; more samples would separate them.")
    agree = "matches" if abs(accept_rate - overlap) < 0.01 else "differs from"
    parts.append(
        f"Its acceptance rate {fmt(accept_rate)} {agree} sum min(p, q) = {fmt(overlap)}."
        f" On the bigram model, gamma={best['gamma']} gives {fmt(best['tokens_per_call'])} tokens per target call"
        f" (formula at the measured acceptance {fmt(best['accept_rate'])}: {fmt(best['predicted'])}),"
        f" and the emitted transitions are {fmt(best['tv'])} from P in TV vs {fmt(tv_direct_seq)} for plain decoding"
        f" from P and {fmt(tv_draft_seq)} for decoding with the draft alone."
    )
    gammas_x = [float(g) for g in cfg.gammas]
    return DemoResult(
        header=(
            "A draft distribution q proposes tokens; the target p accepts each with probability min(1, p/q) and "
            "resamples rejections from max(0, p - q). Part 1 compares empirical distributions of single draws; "
            "part 2 decodes a bigram model speculatively with gamma draft tokens per target call."
        ),
        columns=["method", "gamma", "TV to target", "acceptance rate", "sum min(p, q)", "tokens per target call"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="tokens per target call vs draft length",
                series=[
                    Series("measured", [float(r["tokens_per_call"]) for r in runs], x=gammas_x),
                    Series("(1 - a^(g+1)) / (1 - a)", [float(r["predicted"]) for r in runs], x=gammas_x),
                ],
                x_label="gamma (draft tokens per call)",
            ),
            Chart(
                title="single-token distribution: target p vs accept/reject vs naive draft",
                series=[
                    Series("target p", [float(v) for v in p.cpu().tolist()]),
                    Series("accept/reject", [float(v) for v in _empirical(spec_tokens, cfg.vocab).cpu().tolist()]),
                    Series("naive draft", [float(v) for v in _empirical(naive, cfg.vocab).cpu().tolist()]),
                ],
                x_label="token id",
            ),
        ],
    )
