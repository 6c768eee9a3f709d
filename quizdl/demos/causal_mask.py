"""Causal mask: a next-token model that may look ahead learns to copy the answer, and cannot generate.

The data are token chains with a simple rule: each token is a fixed permutation of the one before it, except
that with probability p it is replaced by a random token. So the best any honest next-token predictor can do
is (1 - p) + p / V: follow the rule, and be surprised by the noise.

The same one-layer Transformer is trained twice with teacher forcing (all positions at once): once without a
causal mask, so position t attends to every position including t + 1, the token it is asked to predict; and
once with the mask, so position t sees only positions <= t. Each is then scored two ways on held-out chains:
with teacher forcing (the whole sequence fed in, as in training) and as a generator does it, predicting each
token from the prefix before it only. Without the mask the model's training accuracy beats the honest ceiling
by reading the future, and collapses once the future is not there. With the mask the two scores agree, and
the teacher-forced logits equal the prefix-only logits exactly (to float error), which is why a decoder can be
trained on all positions in parallel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, fmt, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    vocab: int = 16  # distinct tokens V
    length: int = 12  # tokens per chain
    noise: float = 0.3  # probability p that a token is random instead of following the rule
    d_model: int = 32  # width of the one-layer Transformer (one head)
    n_train: int = 2048  # chains in the training pool
    n_test: int = 256  # held-out chains
    batch: int = 64  # chains per Adam step
    steps: int = 60  # Adam steps per model
    lr: float = 0.02  # Adam learning rate


def make_chains(gen: torch.Generator, n: int, cfg: Config, rule: Tensor) -> Tensor:
    """n chains (n, length): x_0 random, then x_t = rule[x_{t-1}], or a random token with probability p."""
    x = torch.empty(n, cfg.length, dtype=torch.long)
    x[:, 0] = torch.randint(0, cfg.vocab, (n,), generator=gen)
    for t in range(1, cfg.length):
        random_token = torch.randint(0, cfg.vocab, (n,), generator=gen)
        is_noise = torch.rand(n, generator=gen) < cfg.noise
        x[:, t] = torch.where(is_noise, random_token, rule[x[:, t - 1]])
    return x


class TinyLM(nn.Module):
    """Token + learned position embeddings, one single-head self-attention layer, a feed-forward layer."""

    def __init__(self, cfg: Config, causal: bool) -> None:
        super().__init__()
        d = cfg.d_model
        self.tok = nn.Embedding(cfg.vocab, d)
        self.pos = nn.Embedding(cfg.length, d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))
        self.head = nn.Linear(d, cfg.vocab)
        self.causal = causal

    def forward(self, x: Tensor) -> Tensor:
        n = x.shape[1]
        h = self.tok(x) + self.pos(torch.arange(n, device=x.device))
        q, k, v = self.qkv(h).chunk(3, dim=-1)
        scores = q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])
        if self.causal:  # position t may not attend to positions after t
            future = torch.ones(n, n, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        h = h + self.out(scores.softmax(dim=-1) @ v)
        h = h + self.ff(h)
        return self.head(h)


@torch.no_grad()
def evaluate(net: TinyLM, x: Tensor, rule: Tensor) -> dict[str, float]:
    """Teacher-forced vs prefix-only accuracy, their largest logit gap, and a free-running generation test."""
    targets = x[:, 1:]
    forced = net(x[:, :-1])  # every position at once, as in training
    forced_acc = int((forced.argmax(-1) == targets).sum().item()) / targets.numel()
    # as a generator: the prediction for token t sees tokens 0..t-1 only
    hits, gap = 0, 0.0
    for t in range(1, x.shape[1]):
        last = net(x[:, :t])[:, -1]
        hits += int((last.argmax(-1) == x[:, t]).sum().item())
        gap = max(gap, float((last - forced[:, t - 1]).abs().max().item()))
    prefix_acc = hits / targets.numel()
    # free-running greedy generation from each chain's first token: does it follow the rule?
    seq = x[:, :1]
    for _ in range(1, x.shape[1]):
        seq = torch.cat([seq, net(seq)[:, -1].argmax(-1, keepdim=True)], dim=1)
    follows = float((seq[:, 1:] == rule[seq[:, :-1]]).float().mean().item())
    return {"forced_acc": forced_acc, "prefix_acc": prefix_acc, "logit_gap": gap, "follows_rule": follows}


def train_one(
    cfg: Config, ctx: DemoContext, causal: bool, pool: Tensor, steps: int, span: tuple[float, float]
) -> tuple[TinyLM, list[float]]:
    torch.manual_seed(ctx.seed + 1)  # the same initial weights for both models
    net = TinyLM(cfg, causal).to(ctx.device)
    opt = Adam(net.parameters(), lr=cfg.lr)
    gen = torch.Generator().manual_seed(ctx.seed + 2)  # the same batches for both models
    progress = ticker(ctx, "with causal mask" if causal else "without causal mask", *span)
    losses: list[float] = []
    for step in range(steps):
        x = pool[torch.randint(0, pool.shape[0], (cfg.batch,), generator=gen).to(ctx.device)]
        logits = net(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, cfg.vocab), x[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
        if (step + 1) % max(1, steps // 10) == 0:
            progress((step + 1) / steps)
    return net, losses


@demo(
    "causal-mask",
    topic="attention-transformers",
    summary="without a causal mask a next-token model reads the answer in training and fails at generation",
)
def causal_mask(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    # 1. data: a hidden rule (a permutation of the vocabulary), a training pool and held-out chains
    gen = seeded(ctx)
    rule = torch.randperm(cfg.vocab, generator=gen)
    pool = make_chains(gen, cfg.n_train, cfg, rule).to(ctx.device)
    test = make_chains(gen, cfg.n_test, cfg, rule).to(ctx.device)
    rule = rule.to(ctx.device)
    ceiling = (1 - cfg.noise) + cfg.noise / cfg.vocab  # best accuracy of any predictor that sees only the past

    # 2. train the same model without and with the causal mask (same init, same batches)
    open_net, open_losses = train_one(cfg, ctx, False, pool, steps, (0.0, 0.5))
    masked_net, masked_losses = train_one(cfg, ctx, True, pool, steps, (0.5, 1.0))

    # 3. score each with teacher forcing and as a generator (prefix only)
    o, m = evaluate(open_net, test, rule), evaluate(masked_net, test, rule)
    rows = [
        [name, losses[-1], r["forced_acc"], r["prefix_acc"], r["follows_rule"], r["logit_gap"]]
        for name, losses, r in (("no mask", open_losses, o), ("causal mask", masked_losses, m))
    ]
    metrics = {
        "unmasked_teacher_forced_accuracy": o["forced_acc"],
        "unmasked_generation_accuracy": o["prefix_acc"],
        "unmasked_follows_rule": o["follows_rule"],
        "ceiling_accuracy": ceiling,
        "masked_teacher_forced_accuracy": m["forced_acc"],
        "masked_generation_accuracy": m["prefix_acc"],
        "masked_follows_rule": m["follows_rule"],
        "masked_max_logit_gap": m["logit_gap"],
        "unmasked_max_logit_gap": o["logit_gap"],
        "unmasked_final_loss": open_losses[-1],
        "masked_final_loss": masked_losses[-1],
    }

    # 4. takeaway from the numbers
    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    if o["forced_acc"] > ceiling + 0.05 and o["prefix_acc"] < o["forced_acc"] - 0.2:
        unmasked = (
            f"Without the mask the model scores {pct(o['forced_acc'])} with teacher forcing, above the "
            f"{pct(ceiling)} that any predictor seeing only the past can reach, because it reads the next token; "
            f"predicting from the prefix alone, as in generation, it drops to {pct(o['prefix_acc'])}."
        )
    else:
        unmasked = (
            f"Without the mask the model scores {pct(o['forced_acc'])} with teacher forcing and "
            f"{pct(o['prefix_acc'])} from the prefix alone (ceiling {pct(ceiling)}): no clear look-ahead gap here."
        )
    same = "identical" if m["forced_acc"] == m["prefix_acc"] else "not identical"
    masked = (
        f"With the mask teacher forcing scores {pct(m['forced_acc'])} and the prefix alone {pct(m['prefix_acc'])}, "
        f"{same} (largest logit difference {fmt(m['logit_gap'])}), and greedy "
        f"generation follows the hidden rule {pct(m['follows_rule'])} of the time vs {pct(o['follows_rule'])} "
        "without the mask."
    )
    return DemoResult(
        header=(
            f"Chains of {cfg.length} tokens follow a hidden rule except that {pct(cfg.noise)} of tokens are random. "
            f"One small Transformer is trained ({steps} steps) to predict every next token, without and with a "
            "causal mask, then scored with the whole sequence visible (teacher forcing) and from each prefix "
            "only (as when generating)."
        ),
        columns=[
            "model",
            "final train loss",
            "teacher-forced acc",
            "prefix-only (generation) acc",
            "greedy output follows rule",
            "max logit gap",
        ],
        rows=rows,
        takeaway=f"{unmasked} {masked}",
        metrics=metrics,
        charts=[
            Chart(
                title="training loss (cross-entropy)",
                series=[Series("no mask", thin(open_losses)), Series("causal mask", thin(masked_losses))],
                log_y=True,
            )
        ],
    )
