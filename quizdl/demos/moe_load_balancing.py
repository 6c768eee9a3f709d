"""Mixture of experts: without an auxiliary load-balancing loss the router collapses onto a few experts.

A mixture-of-experts layer sends each token to the top-k of E experts chosen by a learned router (a linear map
and a softmax), and combines the chosen experts' outputs weighted by the router's gate values. Nothing in the
task loss asks the router to spread tokens: an expert that is picked more is trained more, gets better, and is
picked more still, and a router that starts with a shared bias (token representations share a common
direction) can send most tokens to one expert. The Switch Transformer's auxiliary loss
`E * sum_i f_i * P_i` (f_i: share of token assignments to expert i, P_i: mean router probability of i) is 1
when routing is uniform and larger when it is not; adding `alpha * aux` to the task loss spreads the tokens.

The task: tokens come from several clusters and each cluster needs its own linear map, so a router that uses
every expert can fit it and one that uses a few cannot. Top-1 and top-2 gating are each trained with and
without the auxiliary loss from the same initial weights. We measure each expert's share of tokens (max load,
coefficient of variation, normalized entropy), how many tokens a capacity factor of 1.25 would drop, and the
task loss, plus active versus total parameters per token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, fmt, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    tokens: int = 512  # tokens in the (full) batch
    d_in: int = 16  # token dimension
    d_out: int = 8  # output dimension
    experts: int = 8  # experts E
    clusters: int = 8  # clusters of tokens, each with its own target map
    shared: float = 3.0  # norm of the direction every token shares (biases the router at initialization)
    spread: float = 2.0  # norm of each cluster's centre around the shared direction
    noise: float = 0.5  # std of tokens around their centre
    router_init: float = 0.3  # std of the router's initial weights (times 1/sqrt(d_in))
    alpha: float = 0.05  # weight of the auxiliary load-balancing loss when it is on
    capacity_factor: float = 1.25  # an expert accepts at most cf * tokens * k / E assignments
    steps: int = 120  # full-batch Adam steps per run
    lr: float = 0.03  # Adam learning rate


class MoEBank(nn.Module):
    """M independent MoE layers trained side by side (one per setting), each with E linear experts and a linear
    router. Top-1 gating multiplies the chosen expert's output by its router probability (Switch style); top-2
    renormalizes the two probabilities (GShard/Mixtral style). Experts are evaluated densely here (all of them
    for every token) and masked by the gates: the same output as sparse dispatch, for a tiny demo."""

    def __init__(self, ks: list[int], init: list[Tensor]) -> None:
        super().__init__()
        m = len(ks)
        self.router = nn.Parameter(init[0].unsqueeze(0).repeat(m, 1, 1))  # (M, E, d_in)
        self.w = nn.Parameter(init[1].unsqueeze(0).repeat(m, 1, 1, 1))  # (M, E, d_out, d_in)
        self.b = nn.Parameter(init[2].unsqueeze(0).repeat(m, 1, 1))  # (M, E, d_out)
        self.register_buffer("top2", torch.tensor([k == 2 for k in ks], device=init[0].device).view(m, 1, 1))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Outputs (M, T, d_out), router probabilities (M, T, E), top-2 choices (M, T, 2) and a mask (M, T, 2)
        of the choices each setting actually uses (the second only under top-2)."""
        probs = torch.softmax(torch.einsum("td,med->mte", x, self.router), dim=-1)
        top_p, top_i = probs.topk(2, dim=-1)
        used = torch.ones_like(top_p, dtype=torch.bool)
        used[..., 1] = self.top2.view(-1, 1)
        renorm = top_p / top_p.sum(dim=-1, keepdim=True)
        gates = torch.where(self.top2, renorm, top_p) * used  # top-1: (p1, 0); top-2: (p1, p2) / (p1 + p2)
        g = torch.zeros_like(probs).scatter(2, top_i, gates)  # (M, T, E), zero for experts not chosen
        outs = torch.einsum("td,meod->mteo", x, self.w) + self.b.unsqueeze(1)  # every expert on every token
        return (g.unsqueeze(-1) * outs).sum(dim=2), probs, top_i, used


def _assignment_counts(top_i: Tensor, used: Tensor, experts: int) -> Tensor:
    """(M, E) number of token-to-expert assignments per setting."""
    onehot = F.one_hot(top_i, experts).to(torch.float32) * used.unsqueeze(-1)
    return onehot.sum(dim=(1, 2))


def _aux_loss(probs: Tensor, top_i: Tensor, used: Tensor, experts: int) -> Tensor:
    """Switch load-balancing loss E * sum_i f_i P_i per setting (f_i counts all k assignments; no gradient
    flows through f, only through the mean router probability P_i)."""
    counts = _assignment_counts(top_i, used, experts)
    f = counts / counts.sum(dim=1, keepdim=True)
    return experts * (f * probs.mean(dim=1)).sum(dim=1)


def _load_stats(counts: Tensor, capacity_factor: float) -> dict[str, float | list[float]]:
    """Load statistics of one setting from its (E,) assignment counts."""
    experts = counts.numel()
    share = counts / counts.sum()
    nz = share[share > 0]
    capacity = math.ceil(capacity_factor * float(counts.sum().item()) / experts)
    return {
        "shares": [float(v) for v in share.cpu().tolist()],
        "max_share": float(share.max().item()),
        "cv": float((counts.std(unbiased=False) / counts.mean()).item()),
        "entropy": float((-(nz * nz.log()).sum() / math.log(experts)).item()),
        "used": int((counts > 0).sum().item()),
        "dropped": float((counts - capacity).clamp(min=0).sum().item() / counts.sum().item()),
    }


@demo(
    "moe-load-balancing",
    topic="large-language-models",
    summary="top-1/top-2 MoE routing with vs without the auxiliary load-balancing loss: expert loads, drops, loss",
)
def moe_load_balancing(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    dev = ctx.device

    # 1. data: clustered tokens sharing one common direction; each cluster has its own linear target map
    shared = randn(gen, cfg.d_in, device=dev)
    shared = cfg.shared * shared / shared.norm()
    centres = randn(gen, cfg.clusters, cfg.d_in, device=dev)
    centres = cfg.spread * centres / centres.norm(dim=1, keepdim=True)
    cluster = torch.randint(0, cfg.clusters, (cfg.tokens,), generator=gen).to(dev)
    x = shared + centres[cluster] + cfg.noise * randn(gen, cfg.tokens, cfg.d_in, device=dev)
    maps = randn(gen, cfg.clusters, cfg.d_out, cfg.d_in, device=dev) / cfg.d_in**0.5
    y = torch.einsum("tod,td->to", maps[cluster], x - shared)

    # 2. one initialization shared by every run: router, experts (E linear maps) and biases
    init = [
        cfg.router_init * randn(gen, cfg.experts, cfg.d_in, device=dev) / cfg.d_in**0.5,
        randn(gen, cfg.experts, cfg.d_out, cfg.d_in, device=dev) / cfg.d_in**0.5 * 0.1,
        torch.zeros(cfg.experts, cfg.d_out, device=dev),
    ]
    plan = [(1, 0.0), (1, cfg.alpha), (2, 0.0), (2, cfg.alpha)]
    bank = MoEBank([k for k, _ in plan], init)
    alphas = torch.tensor([a for _, a in plan], device=dev)
    with torch.no_grad():
        _, _, top_i, used = bank(x)
        init_stats = _load_stats(_assignment_counts(top_i, used, cfg.experts)[0], cfg.capacity_factor)

    # 3. train the four settings side by side on the sum of their losses: they share no parameters and Adam
    # is elementwise, so this is exactly four separate runs
    opt = Adam(bank.parameters(), lr=cfg.lr)
    curves: list[list[float]] = [[] for _ in plan]
    progress = ticker(ctx, "training routers")
    for step in range(steps):
        opt.zero_grad()
        out, probs, top_i, used = bank(x)
        task = (out - y).pow(2).mean(dim=(1, 2))  # (M,) task MSE per setting
        (task + alphas * _aux_loss(probs, top_i, used, cfg.experts)).sum().backward()
        opt.step()
        for c, v in zip(curves, task.detach().cpu().tolist(), strict=True):
            c.append(float(v))
        if (step + 1) % max(1, steps // 10) == 0:
            progress((step + 1) / steps)

    # 4. measure the final routing and loss
    runs = []
    with torch.no_grad():
        out, probs, top_i, used = bank(x)
        task = (out - y).pow(2).mean(dim=(1, 2))
        aux = _aux_loss(probs, top_i, used, cfg.experts)
        counts = _assignment_counts(top_i, used, cfg.experts)
        for i, ((k, alpha), c) in enumerate(zip(plan, curves, strict=True)):
            runs.append(
                {
                    "k": k,
                    "alpha": alpha,
                    "loss": float(task[i].item()),
                    "aux": float(aux[i].item()),
                    "curve": c,
                    **_load_stats(counts[i], cfg.capacity_factor),
                }
            )
    y_var = float(y.var(dim=0, unbiased=False).mean().item())
    expert_params = cfg.d_out * cfg.d_in + cfg.d_out
    router_params = cfg.experts * cfg.d_in
    total_params = cfg.experts * expert_params + router_params
    active = {k: k * expert_params + router_params for k in (1, 2)}

    # 5. report
    def label(r: dict) -> str:
        return f"top-{r['k']}, {'with' if r['alpha'] else 'no'} aux loss"

    rows = [
        [label(r), r["max_share"], r["cv"], r["entropy"], r["used"], r["dropped"], r["aux"], r["loss"]] for r in runs
    ]
    rows.insert(
        0,
        [
            "at initialization (top-1)",
            init_stats["max_share"],
            init_stats["cv"],
            init_stats["entropy"],
            init_stats["used"],
            init_stats["dropped"],
            "-",
            "-",
        ],
    )
    t1, t1a, t2, t2a = runs
    metrics: dict[str, object] = {
        "init_max_share": init_stats["max_share"],
        "target_variance": y_var,
        "total_params": total_params,
        "active_params_top1": active[1],
        "active_params_top2": active[2],
    }
    for name, r in zip(("top1", "top1_aux", "top2", "top2_aux"), runs, strict=True):
        metrics |= {
            f"max_share_{name}": r["max_share"],
            f"cv_{name}": r["cv"],
            f"entropy_{name}": r["entropy"],
            f"experts_used_{name}": r["used"],
            f"dropped_{name}": r["dropped"],
            f"aux_{name}": r["aux"],
            f"loss_{name}": r["loss"],
            f"shares_{name}": r["shares"],
        }

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    uniform = 1 / cfg.experts
    parts = [f"At initialization the router sends {pct(init_stats['max_share'])} of tokens to one expert."]
    for plain, aux in ((t1, t1a), (t2, t2a)):
        k = plain["k"]
        if aux["cv"] < plain["cv"] and aux["max_share"] < plain["max_share"]:
            parts.append(
                f"Top-{k} without the auxiliary loss ends with the busiest expert at {pct(plain['max_share'])} of"
                f" assignments (uniform: {100 * uniform:.1f}%; CV {fmt(plain['cv'])}, {plain['used']} of {cfg.experts}"
                f" experts used), with it at {pct(aux['max_share'])} (CV {fmt(aux['cv'])}, {aux['used']} used);"
                f" at capacity factor {cfg.capacity_factor:g} that is {pct(plain['dropped'])} vs"
                f" {pct(aux['dropped'])} of assignments dropped, and the task loss is {fmt(plain['loss'])} vs"
                f" {fmt(aux['loss'])}."
            )
        else:
            parts.append(
                f"Top-{k}: the auxiliary loss did not balance the load here (max share {pct(plain['max_share'])}"
                f" without, {pct(aux['max_share'])} with; task loss {fmt(plain['loss'])} vs {fmt(aux['loss'])})."
            )
    parts.append(
        f"Each token uses {active[1]} (top-1) or {active[2]} (top-2) of the layer's {total_params} parameters."
    )
    return DemoResult(
        header=(
            f"A mixture-of-experts layer ({cfg.experts} linear experts, a linear router) on {cfg.tokens} clustered"
            f" tokens, trained {steps} steps from the same initialization with top-1 and top-2 gating, with and"
            f" without the load-balancing loss (alpha = {cfg.alpha:g}). Shares count token-to-expert assignments."
        ),
        columns=[
            "routing",
            "max expert share",
            "CV of loads",
            "load entropy (norm.)",
            "experts used",
            f"dropped at cf={cfg.capacity_factor:g}",
            "aux loss",
            "task loss",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="task loss (top-1 and top-2, with and without the load-balancing loss)",
                series=[Series(label(r), thin(r["curve"])) for r in runs],
                log_y=True,
            ),
            Chart(
                title="share of assignments per expert after training (top-1)",
                series=[
                    Series("no aux loss", t1["shares"]),
                    Series("with aux loss", t1a["shares"]),
                    Series("uniform", [uniform] * cfg.experts),
                ],
                x_label="expert",
            ),
        ],
    )
