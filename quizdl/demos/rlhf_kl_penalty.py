"""RLHF in miniature: a reward model fit to preferences gets hacked; the KL penalty to the reference holds it back.

A "response" is reduced to its length, 1 to 40 tokens. The reference (SFT) policy writes about 10 tokens
(a discretised Gaussian, sd 3). People prefer answers near 14 tokens: the true reward is
1 - ((length - 14) / 8)^2, so padding an answer past 14 makes it worse. Preference pairs are sampled from
the reference policy and labelled by a Bradley-Terry rater on the true reward; a reward model that is
linear in length is fit to them with the Bradley-Terry loss -log sigma(r(y_w) - r(y_l)). On the lengths
the reference writes, longer really is better, so the reward model learns "longer is better", and it
keeps saying so far beyond the data.

The policy then maximises E_pi[r] - beta KL(pi || pi_ref) over all 40 lengths by gradient ascent (exact
expectations). The optimum has the closed form pi*(y) ~ pi_ref(y) exp(r(y) / beta), the identity DPO
builds on, and gradient ascent is checked against it. Without the penalty (beta = 0) the policy runs to
the longest answer: the reward model's score soars while the true reward collapses (reward hacking). A
moderate beta keeps the policy near the data and gains true reward; a huge beta barely moves from SFT.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import Adam, fmt, rand, seeded, ticker, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    max_len: int = 40  # responses have lengths 1..max_len
    ref_mean: float = 10.0  # the reference (SFT) policy's typical length
    ref_sd: float = 3.0  # and its spread
    best_len: float = 14.0  # the length people like best
    width: float = 8.0  # true reward 1 - ((len - best_len) / width)^2
    pairs: int = 2000  # preference comparisons, both answers sampled from the reference policy
    rater_sharpness: float = 5.0  # P(prefer a over b) = sigma(sharpness * (r_true(a) - r_true(b)))
    rm_steps: int = 150  # Adam steps fitting the reward model
    betas: tuple[float, ...] = (0.0, 0.3, 1.0, 3.0, 10.0)  # KL penalty strengths
    policy_steps: int = 300  # Adam steps of policy optimisation
    policy_lr: float = 0.2  # Adam learning rate on the policy logits


def _kl(p: Tensor, q: Tensor) -> Tensor:
    """KL(p || q) along the last dimension (0 log 0 = 0)."""
    return (p * (p.clamp_min(1e-30).log() - q.clamp_min(1e-30).log())).sum(dim=-1)


@demo(
    "rlhf-kl-penalty",
    topic="reinforcement-learning",
    summary="a preference-trained reward model gets hacked without the KL penalty; beta trades proxy vs true reward",
)
def rlhf_kl_penalty(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.policy_steps)
    gen = seeded(ctx)
    dev = ctx.device

    # 1. responses, the reference policy and the (hidden) true reward
    length = torch.arange(1, cfg.max_len + 1, device=dev, dtype=torch.float32)
    ref_logits = -((length - cfg.ref_mean) ** 2) / (2 * cfg.ref_sd**2)
    pi_ref = torch.softmax(ref_logits, dim=0)
    r_true = 1 - ((length - cfg.best_len) / cfg.width) ** 2

    # 2. preference data: pairs from the reference policy, labelled by a Bradley-Terry rater
    a = torch.multinomial(pi_ref.cpu(), cfg.pairs, replacement=True, generator=gen).to(dev)
    b = torch.multinomial(pi_ref.cpu(), cfg.pairs, replacement=True, generator=gen).to(dev)
    p_a = torch.sigmoid(cfg.rater_sharpness * (r_true[a] - r_true[b]))
    a_wins = rand(gen, cfg.pairs, device=dev) < p_a
    winner, loser = torch.where(a_wins, a, b), torch.where(a_wins, b, a)

    # 3. reward model: linear in (standardised) length, fit with the Bradley-Terry loss
    feat = (length - cfg.ref_mean) / cfg.ref_sd
    w = torch.zeros(1, device=dev, requires_grad=True)
    opt = Adam([w], lr=0.05)
    for _ in range(cfg.rm_steps):
        opt.zero_grad()
        loss = -F.logsigmoid(w * (feat[winner] - feat[loser])).mean()
        loss.backward()
        opt.step()
    r_model = (w.detach() * feat).reshape(-1)
    rm_agree = float(((r_model[winner] > r_model[loser]).float() + 0.5 * (r_model[winner] == r_model[loser])).mean())
    ctx.progress("reward model", 0.2)

    # 4. policy optimisation for every beta at once: maximise E_pi[r_model] - beta KL(pi || pi_ref)
    betas = torch.tensor(cfg.betas, device=dev)[:, None]
    theta = ref_logits.repeat(len(cfg.betas), 1).clone().requires_grad_(True)
    opt = Adam([theta], lr=cfg.policy_lr, eps=1e-20)  # tiny eps: lengths the SFT policy never writes still move
    report = ticker(ctx, "policy optimisation", 0.2, 0.95)
    for step in range(steps):
        pi = torch.softmax(theta, dim=1)
        objective = (pi * r_model).sum(dim=1) - betas[:, 0] * _kl(pi, pi_ref)
        opt.zero_grad()
        (-objective.sum()).backward()
        opt.step()
        if (step + 1) % max(1, steps // 10) == 0:
            report((step + 1) / steps)
    pi = torch.softmax(theta.detach(), dim=1)

    # 5. the closed-form optimum pi* ~ pi_ref exp(r / beta) (beta > 0), and what each policy earns
    def objective_of(p: Tensor) -> Tensor:
        return (p * r_model).sum(dim=-1) - betas[:, 0] * _kl(p, pi_ref)

    positive = betas[:, 0] > 0
    pi_star = torch.softmax(ref_logits + r_model / betas.clamp_min(1e-12), dim=1)
    gap = objective_of(pi_star) - objective_of(pi)  # >= 0: pi* is the maximiser
    closed_form_error = float((pi - pi_star).abs().amax(dim=1)[positive].max().item())
    rows: list[list[object]] = []
    ref_stats = {
        "mean_length": float((pi_ref * length).sum().item()),
        "proxy": float((pi_ref * r_model).sum().item()),
        "true": float((pi_ref * r_true).sum().item()),
        "kl": 0.0,
    }
    rows.append(["reference (SFT)", "-", ref_stats["mean_length"], ref_stats["proxy"], ref_stats["true"], 0.0, "-"])
    per_beta: list[dict[str, float]] = []
    for i, beta in enumerate(cfg.betas):
        d = {
            "beta": beta,
            "mean_length": float((pi[i] * length).sum().item()),
            "proxy": float((pi[i] * r_model).sum().item()),
            "true": float((pi[i] * r_true).sum().item()),
            "kl": float(_kl(pi[i], pi_ref).item()),
            "closed_form_error": float((pi[i] - pi_star[i]).abs().max().item()) if beta > 0 else float("nan"),
        }
        per_beta.append(d)
        rows.append(
            [
                "policy",
                beta,
                d["mean_length"],
                d["proxy"],
                d["true"],
                d["kl"],
                d["closed_form_error"] if beta > 0 else "-",
            ]
        )
    ctx.progress("done", 1.0)

    # 6. report
    free = per_beta[0]
    best = max(per_beta, key=lambda d: d["true"])
    metrics: dict[str, float | int] = {
        "rm_slope_per_token": float(w.item() / cfg.ref_sd),
        "rm_pair_agreement": rm_agree,
        "closed_form_max_error": closed_form_error,
        "min_objective_gap": float(gap[positive].min().item()),
        "max_objective_gap": float(gap[positive].max().item()),
        "ref_mean_length": ref_stats["mean_length"],
        "ref_proxy": ref_stats["proxy"],
        "ref_true": ref_stats["true"],
        "best_beta": best["beta"],
        "steps": steps,
    }
    for d in per_beta:
        tag = f"{d['beta']:g}"
        for key in ("mean_length", "proxy", "true", "kl"):
            metrics[f"{key}_beta_{tag}"] = d[key]
    largest = per_beta[-1]
    parts = [
        f"The reward model fit to {cfg.pairs} reference-policy comparisons scores +{fmt(metrics['rm_slope_per_token'])} "
        f"per token and agrees with {rm_agree:.0%} of the labels.",
    ]
    if free["proxy"] > ref_stats["proxy"] and free["true"] < ref_stats["true"]:
        parts.append(
            f"Without a KL penalty the policy drifts to {fmt(free['mean_length'])} tokens (its optimum is the longest "
            f"answer, {cfg.max_len}): the reward model's score "
            f"rises from {fmt(ref_stats['proxy'])} to {fmt(free['proxy'])} while the true reward falls from "
            f"{fmt(ref_stats['true'])} to {fmt(free['true'])} (reward hacking, KL {fmt(free['kl'])} nats)."
        )
    else:
        parts.append(
            f"Without a KL penalty the policy reached a true reward of {fmt(free['true'])} (reference "
            f"{fmt(ref_stats['true'])}), so the reward model was not exploited here."
        )
    if best["beta"] > 0 and best["true"] > ref_stats["true"]:
        parts.append(
            f"With beta = {best['beta']:g} it stays near the data ({fmt(best['mean_length'])} tokens, KL "
            f"{fmt(best['kl'])}) and the true reward improves to {fmt(best['true'])}; at beta = {largest['beta']:g} "
            f"it barely moves ({fmt(largest['true'])})."
        )
    else:
        parts.append(f"No beta improved the true reward over the reference ({fmt(ref_stats['true'])}).")
    parts.append(
        f"Gradient ascent matches the closed form pi_ref exp(r/beta)/Z to {fmt(closed_form_error)} in probability."
    )
    return DemoResult(
        header=(
            "Responses are lengths 1-40; the SFT policy writes about 10 tokens, people like about 14. A linear reward "
            "model is fit to Bradley-Terry preference labels, then the policy maximises reward - beta KL(pi || pi_ref) "
            "for several beta; the reward model's score (proxy) is compared with the true reward."
        ),
        columns=[
            "policy",
            "beta",
            "mean length",
            "reward model score",
            "true reward",
            "KL to reference",
            "max |pi - closed form|",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="true reward and reward-model score vs beta",
                series=[
                    Series("true reward", [d["true"] for d in per_beta], x=list(cfg.betas)),
                    Series("reward model score", [d["proxy"] for d in per_beta], x=list(cfg.betas)),
                ],
                x_label="beta",
            ),
            Chart(
                title="response-length distribution",
                series=[Series("reference", to_floats(pi_ref), x=to_floats(length))]
                + [
                    Series(f"beta {d['beta']:g}", to_floats(pi[i]), x=to_floats(length)) for i, d in enumerate(per_beta)
                ],
                x_label="length",
            ),
        ],
    )
