"""InfoNCE and its temperature: retrieval of positives, hard-negative focus, alignment and uniformity.

Contrastive learning (SimCLR, CLIP) embeds two views of the same item close together and views of
different items apart. InfoNCE does it with a softmax cross-entropy over cosine similarities divided by a
temperature tau: for each anchor, the positive is the right "class" among the B items of the batch.

The data: items from 32 clusters (so every item has near neighbours, the hard negatives), seen through a
fixed non-linear "sensor" with fresh noise per view. The same small encoder, from the same initial
weights, is trained at several temperatures at once (one stacked set of weights per temperature, trained
by one Adam over all of them: the losses add, so each temperature's weights get their own gradient). On
held-out items we measure top-1 retrieval (is an item's other view its nearest neighbour among 512?),
alignment (mean squared distance of positive pairs) and uniformity (log mean exp(-2 d^2) over all pairs,
lower is more spread out, Wang and Isola 2020), the mean cosine similarity of items from different
clusters, and how much of the softmax weight over negatives sits on the single hardest one.

A high temperature flattens the softmax: every negative gets about the same weight 1/(B-1), the loss has
a high floor (cosines lie in [-1, 1], so logits span only 2/tau) and positives are separated weakly. A low
temperature puts nearly all the weight (and the gradient) on the nearest negatives; far-away negatives
stop mattering, so the embedding may use the sphere poorly (here: unrelated items left close together).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import Adam, fmt, randn, seeded, thin, ticker, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    temperatures: tuple[float, ...] = (0.003, 0.01, 0.05, 0.2, 1.0)  # tau values trained side by side
    batch: int = 128  # items per batch: each anchor has 1 positive and batch - 1 negatives
    steps: int = 80  # Adam steps
    lr: float = 1e-2  # Adam learning rate
    clusters: int = 32  # items come from this many clusters (near neighbours = hard negatives)
    spread: float = 0.2  # std of an item around its cluster centre (latent space)
    view_noise: float = 0.1  # std of the noise each view adds to the item (latent space)
    latent: int = 8  # latent dimension of an item
    observed: int = 32  # dimension of a view (after the fixed sensor)
    hidden: int = 32  # encoder hidden width
    embed: int = 16  # embedding dimension (on the unit sphere)
    n_test: int = 512  # held-out items for retrieval


class World:
    """Items and their noisy views: a fixed random sensor tanh((z + noise) @ mix)."""

    def __init__(self, cfg: Config, gen: torch.Generator, device: str) -> None:
        self.cfg, self.gen, self.device = cfg, gen, device
        self.mix = randn(gen, cfg.latent, cfg.observed, device=device) / math.sqrt(cfg.latent)
        self.centres = randn(gen, cfg.clusters, cfg.latent, device=device)

    def items(self, n: int) -> tuple[Tensor, Tensor]:
        c = torch.randint(0, self.cfg.clusters, (n,), generator=self.gen).to(self.device)
        return self.centres[c] + self.cfg.spread * randn(self.gen, n, self.cfg.latent, device=self.device), c

    def view(self, z: Tensor) -> Tensor:
        noise = self.cfg.view_noise * randn(self.gen, *z.shape, device=self.device)
        return torch.tanh((z + noise) @ self.mix)


def info_nce(a: Tensor, b: Tensor, taus: Tensor) -> Tensor:
    """Per-temperature InfoNCE: a, b are (T, B, d) unit vectors, row i of a and b a positive pair."""
    t, n, _ = a.shape
    logits = a @ b.transpose(1, 2) / taus.view(t, 1, 1)
    labels = torch.arange(n, device=a.device).repeat(t)
    return F.cross_entropy(logits.reshape(t * n, n), labels, reduction="none").view(t, n).mean(dim=1)


@demo(
    "infonce-temperature",
    topic="embeddings-nlp",
    summary="InfoNCE at several temperatures: retrieval top-1, hard-negative weight, alignment and uniformity",
)
def infonce_temperature(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    taus = torch.tensor(cfg.temperatures).to(ctx.device)
    k = len(cfg.temperatures)

    # 1. data: clustered items, two noisy views each; a held-out set for retrieval
    world = World(cfg, gen, ctx.device)
    z_test, c_test = world.items(cfg.n_test)

    # 2. model: one encoder per temperature, all from the same initial weights (stacked along dim 0)
    w1 = randn(gen, 1, cfg.observed, cfg.hidden, device=ctx.device) / math.sqrt(cfg.observed)
    w2 = randn(gen, 1, cfg.hidden, cfg.embed, device=ctx.device) / math.sqrt(cfg.hidden)
    w1 = w1.repeat(k, 1, 1).requires_grad_(True)
    b1 = torch.zeros(k, 1, cfg.hidden, device=ctx.device, requires_grad=True)
    w2 = w2.repeat(k, 1, 1).requires_grad_(True)

    def encode(x: Tensor) -> Tensor:
        return F.normalize(torch.relu(x @ w1 + b1) @ w2, dim=-1)

    # 3. train: InfoNCE at every temperature on the same batches
    opt = Adam([w1, b1, w2], lr=cfg.lr)
    losses: list[list[float]] = []
    report = ticker(ctx, "training", 0.0, 0.9)
    for step in range(steps):
        z, _ = world.items(cfg.batch)
        loss = info_nce(encode(world.view(z)), encode(world.view(z)), taus)
        opt.zero_grad()
        loss.sum().backward()
        opt.step()
        losses.append(to_floats(loss))
        if (step + 1) % max(1, steps // 10) == 0:
            report((step + 1) / steps)

    # 4. evaluate on held-out items: retrieval, alignment, uniformity, hardest-negative weight
    with torch.no_grad():
        a, b = encode(world.view(z_test)), encode(world.view(z_test))
        n = cfg.n_test
        eye = torch.eye(n, dtype=torch.bool, device=ctx.device)
        sim = a @ b.transpose(1, 2)
        top1 = (sim.argmax(dim=2) == torch.arange(n, device=ctx.device)).float().mean(dim=1)
        align = (a - b).pow(2).sum(dim=-1).mean(dim=1)
        sq = (2 - 2 * (a @ a.transpose(1, 2))).clamp_min(0)  # squared distances of unit vectors
        uniform = torch.log(torch.exp(-2 * sq[:, ~eye]).mean(dim=1))
        other = (c_test[:, None] != c_test[None, :]) & ~eye
        far_sim = (a @ a.transpose(1, 2))[:, other].mean(dim=1)
        neg_logits = (sim / taus.view(k, 1, 1)).masked_fill(eye, -math.inf)
        hardest = torch.softmax(neg_logits, dim=2).max(dim=2).values.mean(dim=1)
    ctx.progress("done", 1.0)

    # 5. report
    top1_l, align_l, unif_l, far_l, hard_l = (to_floats(t) for t in (top1, align, uniform, far_sim, hardest))
    final = losses[-1]
    rows = [
        [tau, top1_l[i], align_l[i], unif_l[i], far_l[i], hard_l[i], final[i]] for i, tau in enumerate(cfg.temperatures)
    ]
    best = max(range(k), key=lambda i: top1_l[i])
    lo, hi = 0, k - 1
    uniform_neg = 1 / (n - 1)
    metrics = {
        **{f"top1_tau_{tau:g}": top1_l[i] for i, tau in enumerate(cfg.temperatures)},
        "best_tau": cfg.temperatures[best],
        "top1_best": top1_l[best],
        "top1_highest_tau": top1_l[hi],
        "top1_lowest_tau": top1_l[lo],
        "hardest_weight_lowest_tau": hard_l[lo],
        "hardest_weight_highest_tau": hard_l[hi],
        "uniform_negative_weight": uniform_neg,
        "uniformity_lowest_tau": unif_l[lo],
        "uniformity_best": min(unif_l),
        "far_similarity_lowest_tau": far_l[lo],
        "far_similarity_highest_tau": far_l[hi],
        "final_loss_highest_tau": final[hi],
        "loss_floor_highest_tau": math.log(1 + (cfg.batch - 1) * math.exp(-2 / cfg.temperatures[hi])),
        "final_loss_lowest_tau": final[lo],
    }

    t_lo, t_hi, t_best = cfg.temperatures[lo], cfg.temperatures[hi], cfg.temperatures[best]
    parts = [
        f"Top-1 retrieval of the positive among {n} held-out items peaked at {fmt(top1_l[best])} with tau={t_best:g}"
    ]
    if top1_l[hi] < top1_l[best]:
        parts.append(
            f"and fell to {fmt(top1_l[hi])} at tau={t_hi:g}, where the hardest negative got only {fmt(hard_l[hi])} "
            f"of the softmax weight (uniform would be {fmt(uniform_neg)}) and the loss stalled at "
            f"{fmt(final[hi])} (it cannot go below {fmt(metrics['loss_floor_highest_tau'])} at that temperature)."
        )
    else:
        parts.append(f"and was {fmt(top1_l[hi])} at tau={t_hi:g}.")
    parts.append(f"At tau={t_lo:g} the hardest negative took {fmt(hard_l[lo])} of the weight;")
    if unif_l[lo] > min(unif_l) + 0.5:
        parts.append(
            f"far negatives stopped mattering: uniformity was {fmt(unif_l[lo])} against {fmt(min(unif_l))} at "
            f"best, with items of different clusters at mean cosine {fmt(far_l[lo])}."
        )
    else:
        parts.append(f"its uniformity was {fmt(unif_l[lo])} (best {fmt(min(unif_l))}).")
    return DemoResult(
        header=(
            f"The same encoder is trained with InfoNCE (batch {cfg.batch}) at temperatures "
            f"{', '.join(f'{t:g}' for t in cfg.temperatures)} on two noisy views of clustered items, then "
            "evaluated on held-out items: can it find each item's other view, and how does it use the sphere?"
        ),
        columns=[
            "tau",
            "top-1 retrieval",
            "alignment",
            "uniformity",
            "cosine to other clusters",
            "weight on hardest negative",
            "final loss",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="InfoNCE training loss per temperature",
                series=[Series(f"tau={t:g}", thin([row[i] for row in losses])) for i, t in enumerate(cfg.temperatures)],
            ),
            Chart(
                title="held-out top-1 retrieval vs log10 tau",
                series=[Series("top-1", top1_l, x=[math.log10(t) for t in cfg.temperatures])],
                x_label="log10 tau",
            ),
        ],
    )
