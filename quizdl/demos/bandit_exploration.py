"""Exploration vs exploitation on a 10-armed bandit: greedy, epsilon-greedy and UCB, measured by regret.

Each run draws a new bandit: ten arms whose mean rewards come from N(0, 1); a pull pays the arm's mean
plus N(0, 1) noise. Every agent keeps a sample-average estimate Q(a) per arm (starting at 0). The greedy
agent always pulls the arm with the highest estimate, so an unlucky first pull of the best arm can hide it
forever; epsilon-greedy pulls a random arm with probability epsilon; UCB adds an optimism bonus
c sqrt(ln t / N(a)) to rarely pulled arms. Regret is what was lost against always pulling the best arm,
sum over pulls of (mean of best arm - mean of pulled arm). All runs of all agents are one batch of tensors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from quizdl.demos.common import fmt, rand, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    arms: int = 10  # arms per bandit
    runs: int = 200  # independent bandits (and agents) per strategy
    steps: int = 1000  # pulls per run
    epsilons: tuple[float, ...] = (0.0, 0.01, 0.1)  # epsilon-greedy rates; 0 is the pure greedy agent
    ucb_c: float = 2.0  # UCB exploration constant
    last: int = 100  # the final pulls over which the best-arm share is also reported


@demo(
    "bandit-exploration",
    topic="reinforcement-learning",
    summary="greedy vs epsilon-greedy vs UCB on a 10-armed bandit: regret and share of pulls on the best arm",
)
def bandit_exploration(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    dev = ctx.device
    names = ["greedy" if e == 0 else f"epsilon-greedy {e:g}" for e in cfg.epsilons] + [f"UCB c={cfg.ucb_c:g}"]
    n_agents = len(names)
    b, k = n_agents * cfg.runs, cfg.arms

    # 1. bandits: every strategy meets the same runs bandits (the same means and the same reward noise)
    means = randn(gen, cfg.runs, k, device=dev).repeat(n_agents, 1)  # [b, k]
    best = means.argmax(dim=1)
    gap = means.max(dim=1, keepdim=True).values - means  # regret of each arm
    noise = randn(gen, steps, cfg.runs, device=dev).repeat(1, n_agents)  # reward noise per pull
    explore = rand(gen, steps, cfg.runs, device=dev).repeat(1, n_agents)
    random_arm = torch.randint(0, k, (steps, cfg.runs), generator=gen).to(dev).repeat(1, n_agents)
    tie = 1e-6 * rand(gen, steps, cfg.runs, k, device=dev).repeat(1, n_agents, 1)  # random tie-breaking
    eps = torch.tensor([e for e in cfg.epsilons for _ in range(cfg.runs)] + [0.0] * cfg.runs, device=dev)
    is_ucb = torch.tensor([False] * (len(cfg.epsilons) * cfg.runs) + [True] * cfg.runs, device=dev)

    # 2. agents: sample-average estimates and pull counts, all b runs stepped together
    q = torch.zeros(b, k, device=dev)
    n = torch.zeros(b, k, device=dev)
    ar = torch.arange(b, device=dev)
    regret = torch.zeros(steps, b, device=dev)
    on_best = torch.zeros(steps, b, device=dev)
    report = ticker(ctx, "pulling arms")
    for t in range(steps):
        bonus = cfg.ucb_c * torch.sqrt(math.log(t + 1) / n.clamp_min(1e-9))
        score = torch.where(is_ucb[:, None], q + bonus, q) + tie[t]  # untried arms: huge bonus under UCB
        a = torch.where(explore[t] < eps, random_arm[t], score.argmax(dim=1))
        reward = means[ar, a] + noise[t]
        n[ar, a] += 1
        q[ar, a] += (reward - q[ar, a]) / n[ar, a]
        regret[t] = gap[ar, a]
        on_best[t] = (a == best).float()
        if (t + 1) % max(1, steps // 10) == 0:
            report((t + 1) / steps)

    # 3. measure: cumulative regret, share of pulls on the best arm, runs stuck on a worse arm
    cum = regret.cumsum(dim=0)  # [steps, b]
    stats: dict[str, dict[str, float]] = {}
    curves: dict[str, list[float]] = {}
    best_curves: dict[str, list[float]] = {}
    last = min(cfg.last, steps)
    for i, name in enumerate(names):
        sl = slice(i * cfg.runs, (i + 1) * cfg.runs)
        most = n[sl].argmax(dim=1)
        stats[name] = {
            "regret": float(cum[-1, sl].mean().item()),
            "best_share": float(on_best[:, sl].mean().item()),
            "best_share_last": float(on_best[-last:, sl].mean().item()),
            "stuck_share": float((most != best[sl]).float().mean().item()),
        }
        curves[name] = thin(cum[:, sl].mean(dim=1).cpu().tolist())
        best_curves[name] = thin(on_best[:, sl].mean(dim=1).cpu().tolist(), 100)
    ctx.progress("done", 1.0)
    x = [float(i + 1) for i in range(steps)]

    # 4. report
    rows = [
        [name, st["regret"], st["regret"] / steps, st["best_share"], st["best_share_last"], st["stuck_share"]]
        for name, st in stats.items()
    ]
    greedy, eg = stats[names[0]], stats[names[-2]]
    ucb = stats[names[-1]]
    eg_name = names[-2]
    metrics: dict[str, float | int | str] = {"steps": steps, "runs": cfg.runs}
    keys = ["greedy"] + [f"eps_{e:g}" for e in cfg.epsilons[1:]] + ["ucb"]
    for key, name in zip(keys, names, strict=True):
        for k2, v in stats[name].items():
            metrics[f"{k2}_{key}"] = v

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    parts = [
        f"Over {steps} pulls (mean of {cfg.runs} bandits), greedy lost {fmt(greedy['regret'])} reward to regret, "
        f"pulled the best arm {pct(greedy['best_share'])} of the time, and in {pct(greedy['stuck_share'])} of runs "
        "its most-pulled arm was not the best one."
    ]
    if eg["regret"] < greedy["regret"]:
        parts.append(
            f"{eg_name} pays for its random pulls yet cuts regret to {fmt(eg['regret'])} "
            f"({fmt(greedy['regret'] / eg['regret'])}x less) and reaches {pct(eg['best_share_last'])} best-arm "
            f"pulls in the last {last}, against {pct(greedy['best_share_last'])} for greedy."
        )
    else:
        parts.append(
            f"{eg_name} ended with regret {fmt(eg['regret'])}, no better than greedy here, "
            f"so exploring did not pay off within {steps} pulls."
        )
    if ucb["regret"] < eg["regret"]:
        parts.append(
            f"UCB, which explores only arms it is still unsure about, does better still: regret {fmt(ucb['regret'])}."
        )
    else:
        parts.append(f"UCB ended with regret {fmt(ucb['regret'])}, not below {eg_name} here.")
    return DemoResult(
        header=(
            f"{cfg.runs} random {cfg.arms}-armed bandits (arm means from N(0, 1), unit reward noise), played for "
            f"{steps} pulls by greedy, epsilon-greedy and UCB agents that keep sample-average estimates. Regret is "
            "the reward lost against always pulling the best arm."
        ),
        columns=[
            "strategy",
            "total regret",
            "regret per pull",
            "best-arm pulls",
            f"best-arm, last {last}",
            "most-pulled arm not best",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="cumulative regret (mean over runs)",
                series=[Series(name, v, x=thin(x)) for name, v in curves.items()],
                x_label="pull",
            ),
            Chart(
                title="share of runs pulling the best arm",
                series=[Series(name, v, x=thin(x, 100)) for name, v in best_curves.items()],
                x_label="pull",
            ),
        ],
    )
