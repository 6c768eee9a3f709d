"""Cosine vs Euclidean vs dot product for nearest-neighbour search when vector norms carry no meaning.

A database of 500 embeddings points in random directions with norms spread over a factor of 25 (norms of
real embeddings often track word frequency or confidence, not meaning). Each query is a slightly
perturbed copy of one database vector's direction, its planted neighbour, with a norm of its own. Euclidean
distance prefers items whose norm is close to the query's; the raw dot product prefers long items; cosine
similarity only sees the angle and finds the planted neighbour. After L2-normalising every vector,
||a - b||^2 = 2 - 2 cos(a, b), so Euclidean distance ranks every item exactly as cosine does.

A last check shows anisotropy: if every vector shares a common component, even unrelated pairs have a high
cosine; subtracting the mean vector (centering) brings them back near 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import fmt, rand, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    items: int = 500  # database vectors
    queries: int = 300  # queries, each with one planted neighbour
    dim: int = 32  # embedding size
    norm_range: float = 25.0  # norms are log-uniform between 1/sqrt(range) and sqrt(range)
    noise: float = 0.3  # direction noise of a query relative to its planted neighbour (per unit vector)
    shared: float = 2.0  # size of the common component added in the anisotropy check
    spreads: tuple[float, ...] = (1.0, 2.0, 5.0, 25.0, 100.0)  # norm ranges swept for the chart (1 = equal norms)


def _log_uniform(u: Tensor, spread: float) -> Tensor:
    """Norms from uniform samples u in [0, 1): log-uniform between 1/sqrt(spread) and sqrt(spread)."""
    return torch.exp((2 * u - 1) * math.log(spread) / 2)


def _accuracy(scores: Tensor, target: Tensor) -> float:
    """Share of queries whose best-scoring item is the planted neighbour (higher score = nearer)."""
    return float((scores.argmax(dim=1) == target).float().mean().item())


@demo(
    "cosine-vs-euclidean",
    topic="embeddings-nlp",
    summary="same direction, unequal norms: cosine finds the planted neighbour, Euclidean and dot product do not",
)
def cosine_vs_euclidean(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device

    # 1. data: unit directions, random norms; each query is a noisy copy of one item's direction
    directions = F.normalize(randn(gen, cfg.items, cfg.dim, device=dev), dim=1)
    u_items = rand(gen, cfg.items, device=dev)
    items = directions * _log_uniform(u_items, cfg.norm_range)[:, None]
    target = torch.randint(0, cfg.items, (cfg.queries,), generator=gen).to(dev)
    q_dir = F.normalize(directions[target] + cfg.noise * randn(gen, cfg.queries, cfg.dim, device=dev) / cfg.dim**0.5)
    u_queries = rand(gen, cfg.queries, device=dev)
    queries = q_dir * _log_uniform(u_queries, cfg.norm_range)[:, None]
    ctx.progress("data", 0.2)

    # 2. nearest neighbours by each similarity on the raw vectors
    euclid = -torch.cdist(queries, items)  # nearer = higher
    dot = queries @ items.T
    cos = F.normalize(queries, dim=1) @ F.normalize(items, dim=1).T
    acc = {
        "Euclidean": _accuracy(euclid, target),
        "dot product": _accuracy(dot, target),
        "cosine": _accuracy(cos, target),
    }
    norms = items.norm(dim=1)
    picked_norm = {
        "Euclidean": float(norms[euclid.argmax(dim=1)].mean().item()),
        "dot product": float(norms[dot.argmax(dim=1)].mean().item()),
        "cosine": float(norms[cos.argmax(dim=1)].mean().item()),
    }

    # 3. after L2 normalisation: Euclidean distance is a function of cosine, so the rankings coincide
    qn, xn = F.normalize(queries, dim=1), F.normalize(items, dim=1)
    dist2 = torch.cdist(qn, xn) ** 2
    identity_error = float((dist2 - (2 - 2 * (qn @ xn.T))).abs().max().item())
    euclid_norm = -dist2
    acc["Euclidean, normalised"] = _accuracy(euclid_norm, target)
    picked_norm["Euclidean, normalised"] = float(norms[euclid_norm.argmax(dim=1)].mean().item())
    same_top1 = float((euclid_norm.argmax(dim=1) == cos.argmax(dim=1)).float().mean().item())
    top10_e = euclid_norm.topk(10, dim=1).indices
    top10_c = cos.topk(10, dim=1).indices
    same_top10 = float((top10_e == top10_c).all(dim=1).float().mean().item())
    ctx.progress("retrieval", 0.7)

    # 4. the same search as the norms spread further apart (1 = all norms equal)
    sweep: dict[str, list[float]] = {"Euclidean": [], "dot product": [], "cosine": []}
    for spread in cfg.spreads:
        x = directions * _log_uniform(u_items, spread)[:, None]
        q = q_dir * _log_uniform(u_queries, spread)[:, None]
        sweep["Euclidean"].append(_accuracy(-torch.cdist(q, x), target))
        sweep["dot product"].append(_accuracy(q @ x.T, target))
        sweep["cosine"].append(_accuracy(F.normalize(q, dim=1) @ F.normalize(x, dim=1).T, target))

    # 5. anisotropy: a shared component makes unrelated vectors look similar; centering removes it
    common = cfg.shared * F.normalize(randn(gen, 1, cfg.dim, device=dev), dim=1)
    shifted = directions + common
    off = ~torch.eye(cfg.items, dtype=torch.bool, device=dev)

    def mean_cos(x: Tensor) -> float:
        xn2 = F.normalize(x, dim=1)
        return float((xn2 @ xn2.T)[off].mean().item())

    aniso = {
        "raw": mean_cos(directions),
        "shared": mean_cos(shifted),
        "centered": mean_cos(shifted - shifted.mean(dim=0, keepdim=True)),
    }
    ctx.progress("done", 1.0)

    # 6. report
    rows = [[name, acc[name], picked_norm[name]] for name in acc]
    mean_norm = float(norms.mean().item())
    metrics: dict[str, float] = {
        "accuracy_euclidean": acc["Euclidean"],
        "accuracy_dot": acc["dot product"],
        "accuracy_cosine": acc["cosine"],
        "accuracy_euclidean_normalised": acc["Euclidean, normalised"],
        "identity_max_error": identity_error,
        "normalised_same_top1": same_top1,
        "normalised_same_top10": same_top10,
        "mean_item_norm": mean_norm,
        "picked_norm_dot": picked_norm["dot product"],
        "mean_cos_unrelated": aniso["raw"],
        "mean_cos_shared_component": aniso["shared"],
        "mean_cos_centered": aniso["centered"],
        "accuracy_euclidean_equal_norms": sweep["Euclidean"][0],
        "accuracy_dot_equal_norms": sweep["dot product"][0],
        "accuracy_cosine_equal_norms": sweep["cosine"][0],
    }
    parts = [
        f"On raw vectors, cosine finds the planted neighbour for {acc['cosine']:.0%} of queries, Euclidean distance "
        f"for {acc['Euclidean']:.0%} and the dot product for {acc['dot product']:.0%} (its picks have mean norm "
        f"{fmt(picked_norm['dot product'])} against {fmt(mean_norm)} on average: it favours long vectors)."
    ]
    if same_top1 == 1.0 and same_top10 == 1.0:
        parts.append(
            "After L2-normalising, ||a - b||^2 = 2 - 2 cos holds "
            + ("exactly" if identity_error == 0 else f"to {fmt(identity_error)}")
            + " and Euclidean search "
            f"returns exactly cosine's neighbours: the same top 10 for every query, {acc['Euclidean, normalised']:.0%} "
            "accuracy."
        )
    else:
        parts.append(
            f"After L2-normalising, Euclidean and cosine agree on the top neighbour for {same_top1:.0%} of queries "
            f"and on the whole top 10 for {same_top10:.0%} (identity error {fmt(identity_error)})."
        )
    if cfg.spreads[0] == 1.0:
        parts.append(
            f"With equal norms all three agree ({sweep['Euclidean'][0]:.0%}, {sweep['dot product'][0]:.0%}, "
            f"{sweep['cosine'][0]:.0%}); at a norm spread of {cfg.spreads[-1]:g}x Euclidean falls to "
            f"{sweep['Euclidean'][-1]:.0%} and the dot product to {sweep['dot product'][-1]:.0%}, while cosine "
            f"stays at {sweep['cosine'][-1]:.0%}."
        )
    parts.append(
        f"A shared component lifts the mean cosine of unrelated vectors from {fmt(aniso['raw'])} to "
        f"{fmt(aniso['shared'])}; centering brings it back to {fmt(aniso['centered'])}."
    )
    return DemoResult(
        header=(
            f"{cfg.items} random-direction vectors with norms spread over a factor of {cfg.norm_range:g}; "
            f"{cfg.queries} queries are noisy copies of one vector's direction with an unrelated norm. Top-1 "
            "retrieval of that planted neighbour by Euclidean distance, dot product and cosine, before and after "
            "L2 normalisation."
        ),
        columns=["similarity", "finds planted neighbour", "mean norm of the item returned"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="finds the planted neighbour vs spread of the norms",
                series=[Series(name, v, x=list(cfg.spreads)) for name, v in sweep.items()],
                x_label="largest / smallest norm",
            )
        ],
    )
