"""REINFORCE with and without a baseline: the same expected gradient, a much smaller variance.

A softmax policy over five actions (a one-step episode, i.e. a bandit) whose rewards are all large and
close together: mean 5.0 to 6.0 plus noise, the usual situation where every episode "scores about the
same". REINFORCE estimates the policy gradient from a batch of sampled actions as
mean[ grad log pi(a) * (R - b) ]. With b = 0 every sampled action is pushed up in proportion to its large
reward and the pushes almost cancel only on average; subtracting a baseline b that does not depend on the
sampled action (here the expected reward V = sum_a pi(a) mu(a), the value of the state) leaves the
expectation unchanged, since E[grad log pi(a)] = 0, but removes most of the noise.

Part 1 draws many independent batches at one fixed policy and compares the estimates with the exact
gradient dJ/dtheta_k = pi_k (mu_k - V): both means agree with it, the variances differ by a measured factor.
Part 2 trains many policies with the same learning rate, without a baseline and with a running-average
baseline (computed from earlier batches only, so it stays unbiased), and tracks the exact expected reward.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import SGD, fmt, randn, seeded, thin, ticker, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    means: tuple[float, ...] = (5.0, 5.25, 5.5, 5.75, 6.0)  # mean reward of each action; the last is best
    noise: float = 0.5  # reward noise (standard deviation)
    batch: int = 16  # sampled episodes per gradient estimate
    batches: int = 2000  # independent batches for the variance measurement (part 1)
    logits: tuple[float, ...] = (0.5, 0.0, 0.3, -0.2, -0.5)  # the fixed policy of part 1
    runs: int = 64  # independent training runs per variant (part 2)
    steps: int = 150  # policy-gradient steps per run
    lr: float = 0.3  # SGD learning rate (gradient ascent on the expected reward)
    baseline_decay: float = 0.9  # running-average baseline: b <- decay b + (1 - decay) mean(R)


def _sample(probs: Tensor, n: int, gen: torch.Generator) -> Tensor:
    """n actions per row of probs [B, K], drawn on the CPU from the seeded generator."""
    return torch.multinomial(probs.detach().cpu(), n, replacement=True, generator=gen).to(probs.device)


def _reinforce_grads(theta: Tensor, actions: Tensor, rewards: Tensor, baseline: Tensor) -> Tensor:
    """Per-row REINFORCE estimates: grad of mean_n log pi(a_n) (R_n - b) for each row of theta [B, K]."""
    theta = theta.detach().requires_grad_(True)
    logp = torch.log_softmax(theta, dim=1).gather(1, actions)  # [B, N]
    surrogate = (logp * (rewards - baseline[:, None])).mean(dim=1).sum()
    (grad,) = torch.autograd.grad(surrogate, theta)
    return grad


@demo(
    "reinforce-baseline",
    topic="reinforcement-learning",
    summary="REINFORCE gradient variance with and without a baseline: same mean, far lower variance",
)
def reinforce_baseline(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    dev = ctx.device
    mu = torch.tensor(cfg.means, device=dev)
    k = mu.numel()

    # 1. a fixed policy: many independent batches of sampled episodes, and the exact gradient
    theta0 = torch.tensor(cfg.logits, device=dev)
    pi0 = torch.softmax(theta0, dim=0)
    value0 = (pi0 * mu).sum()
    exact = pi0 * (mu - value0)  # dJ/dtheta for J = sum_a pi(a) mu(a)
    m = cfg.batches
    theta_rep = theta0.expand(m, k)
    actions = _sample(pi0.expand(m, k), cfg.batch, gen)
    rewards = mu[actions] + cfg.noise * randn(gen, m, cfg.batch, device=dev)
    est: dict[str, Tensor] = {
        "no baseline": _reinforce_grads(theta_rep, actions, rewards, torch.zeros(m, device=dev)),
        "baseline V": _reinforce_grads(theta_rep, actions, rewards, value0.expand(m)),
    }
    ctx.progress("gradient variance", 0.2)
    grad_stats: dict[str, dict[str, float]] = {}
    for name, g in est.items():
        mean = g.mean(dim=0)
        var = float(((g - mean) ** 2).sum(dim=1).mean().item())  # E ||g - E g||^2
        stderr = g.std(dim=0) / m**0.5
        grad_stats[name] = {
            "variance": var,
            "mean_error": float((mean - exact).norm().item()),
            "max_z": float(((mean - exact).abs() / stderr).max().item()),  # worst bias in standard errors
            "cosine_to_exact": float(torch.nn.functional.cosine_similarity(mean, exact, dim=0).item()),
            "snr": float((exact.norm() / var**0.5).item()),
        }
    exact_norm = float(exact.norm().item())

    # 2. training: runs x {no baseline, running-average baseline} policies in one batch, plain SGD ascent
    r = cfg.runs
    theta = torch.zeros(2 * r, k, device=dev, requires_grad=True)
    use_baseline = torch.tensor([0.0] * r + [1.0] * r, device=dev)
    baseline = torch.zeros(2 * r, device=dev)
    opt = SGD([theta], lr=cfg.lr)
    expected: list[Tensor] = []
    best_prob: list[Tensor] = []
    report = ticker(ctx, "training policies", 0.2, 1.0)
    for step in range(steps):
        probs = torch.softmax(theta.detach(), dim=1)
        expected.append((probs * mu).sum(dim=1))
        best_prob.append(probs[:, -1])
        acts = _sample(probs, cfg.batch, gen)
        rew = mu[acts] + cfg.noise * randn(gen, 2 * r, cfg.batch, device=dev)
        b = baseline * use_baseline  # from earlier batches only: no bias
        opt.zero_grad()
        theta.grad = -_reinforce_grads(theta, acts, rew, b)  # SGD descends, we ascend the expected reward
        opt.step()
        baseline = cfg.baseline_decay * baseline + (1 - cfg.baseline_decay) * rew.mean(dim=1)
        if step == 0:
            baseline = rew.mean(dim=1)  # start the running average at the first batch's mean
        if (step + 1) % max(1, steps // 10) == 0:
            report((step + 1) / steps)
    probs = torch.softmax(theta.detach(), dim=1)
    expected.append((probs * mu).sum(dim=1))
    best_prob.append(probs[:, -1])
    exp_curve = torch.stack(expected)  # [steps + 1, 2r]
    best_curve = torch.stack(best_prob)
    ctx.progress("done", 1.0)

    # 3. report
    train_stats: dict[str, dict[str, float]] = {}
    for name, sl in (("no baseline", slice(0, r)), ("running-average baseline", slice(r, 2 * r))):
        train_stats[name] = {
            "final_expected": float(exp_curve[-1, sl].mean().item()),
            "final_best_prob": float(best_curve[-1, sl].mean().item()),
            "best_is_top": float((probs[sl].argmax(dim=1) == k - 1).float().mean().item()),
            "auc": float(exp_curve[:, sl].mean().item()),
        }
    nb, wb = grad_stats["no baseline"], grad_stats["baseline V"]
    tn, tb = train_stats["no baseline"], train_stats["running-average baseline"]
    factor = nb["variance"] / wb["variance"]
    rows: list[list[object]] = [
        [
            "no baseline",
            nb["variance"],
            nb["mean_error"],
            nb["max_z"],
            tn["final_expected"],
            tn["final_best_prob"],
            tn["best_is_top"],
        ],
        [
            "baseline (V at the fixed policy / running mean in training)",
            wb["variance"],
            wb["mean_error"],
            wb["max_z"],
            tb["final_expected"],
            tb["final_best_prob"],
            tb["best_is_top"],
        ],
    ]
    metrics: dict[str, float | int] = {
        "variance_no_baseline": nb["variance"],
        "variance_baseline": wb["variance"],
        "variance_factor": factor,
        "exact_gradient_norm": exact_norm,
        "mean_error_no_baseline": nb["mean_error"],
        "mean_error_baseline": wb["mean_error"],
        "max_z_no_baseline": nb["max_z"],
        "max_z_baseline": wb["max_z"],
        "cosine_no_baseline": nb["cosine_to_exact"],
        "cosine_baseline": wb["cosine_to_exact"],
        "final_expected_no_baseline": tn["final_expected"],
        "final_expected_baseline": tb["final_expected"],
        "final_best_prob_no_baseline": tn["final_best_prob"],
        "final_best_prob_baseline": tb["final_best_prob"],
        "best_is_top_no_baseline": tn["best_is_top"],
        "best_is_top_baseline": tb["best_is_top"],
        "steps": steps,
        "best_mean": max(cfg.means),
    }
    parts = [
        f"At one fixed policy, {m} batches of {cfg.batch} episodes give a gradient variance of "
        f"{fmt(nb['variance'])} without a baseline and {fmt(wb['variance'])} with b = V, {fmt(factor)}x less,",
        f"while both means sit on the exact gradient (norm {fmt(exact_norm)}) within {fmt(max(nb['max_z'], wb['max_z']))} "
        "standard errors: the baseline removes noise, not signal.",
    ]
    if tb["final_expected"] > tn["final_expected"]:
        parts.append(
            f"Trained for {steps} steps with the same learning rate, the baseline runs reach an expected reward of "
            f"{fmt(tb['final_expected'])} (best action at probability {fmt(tb['final_best_prob'])}) against "
            f"{fmt(tn['final_expected'])} ({fmt(tn['final_best_prob'])}) without it; the best possible is "
            f"{fmt(max(cfg.means))}."
        )
    else:
        parts.append(
            f"In training for {steps} steps the baseline runs reached {fmt(tb['final_expected'])} against "
            f"{fmt(tn['final_expected'])} without it, so the lower variance did not speed learning up here."
        )
    x = [float(i) for i in range(steps + 1)]
    return DemoResult(
        header=(
            f"A softmax policy over {k} actions with rewards {cfg.means[0]:g} to {cfg.means[-1]:g} (noise "
            f"{cfg.noise:g}). REINFORCE gradient estimates from batches of {cfg.batch} episodes, without and with a "
            "baseline: their spread and their mean against the exact gradient, then training with plain SGD "
            f"({cfg.runs} runs each)."
        ),
        columns=[
            "estimator",
            "gradient variance",
            "|mean - exact|",
            "worst bias (std errors)",
            "final expected reward",
            "final P(best action)",
            "runs preferring the best action",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="expected reward of the policy (mean over runs)",
                series=[
                    Series("no baseline", thin(to_floats(exp_curve[:, :r].mean(dim=1))), x=thin(x)),
                    Series("baseline", thin(to_floats(exp_curve[:, r:].mean(dim=1))), x=thin(x)),
                ],
            )
        ],
    )
