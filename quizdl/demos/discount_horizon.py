"""The discount factor sets the horizon: a small near reward vs a larger far reward, solved exactly.

A corridor of 13 cells. The agent starts in cell 2; walking left it reaches a terminal reward of 1 after
2 steps, walking right a terminal reward of 10 after 10 steps. A reward k steps ahead is worth gamma^(k-1)
today, so the near reward is worth gamma and the far one 10 gamma^9: the far one wins only when
gamma^8 > 1/10, i.e. gamma > 0.1^(1/8) = 0.750. Value iteration (the Bellman optimality update, all gammas
in one batch) gives the exact values, checked against that closed form, and the optimal policy of every cell.

The same gammas on a one-cell task paying 1 every step forever show the other face of the horizon: the value
is the geometric sum 1 / (1 - gamma), the "effective horizon", and value iteration, a gamma-contraction, needs
about ln(100) / (1 - gamma) sweeps to get within 1%, so far-sighted agents are slower to evaluate and learn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from quizdl.demos.common import fmt, seeded, thin, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    gammas: tuple[float, ...] = (0.5, 0.7, 0.8, 0.9, 0.99)  # discount factors to compare
    length: int = 13  # corridor cells 0..length-1; both ends are terminal
    start: int = 2  # start cell: 2 steps from the left end, 10 from the right end
    near_reward: float = 1.0  # paid on entering the left end
    far_reward: float = 10.0  # paid on entering the right end
    tol: float = 1e-7  # value iteration stops when no value moves more than this (relative, forever task)
    rel_tol: float = 0.01  # the forever task: sweeps until within 1% of 1 / (1 - gamma)
    max_sweeps: int = 5000  # safety cap on value iteration sweeps


@demo(
    "discount-horizon",
    topic="reinforcement-learning",
    summary="the discount factor flips the optimal policy between a near small and a far large reward",
)
def discount_horizon(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    seeded(ctx)  # nothing random here; seeded for uniformity
    dev = ctx.device
    n, g = cfg.length, len(cfg.gammas)
    gamma = torch.tensor(cfg.gammas, device=dev)[:, None]  # [G, 1]

    # 1. the corridor MDP: actions left (0) and right (1); entering an end pays its reward and stops
    cells = torch.arange(n, device=dev)
    nxt = torch.stack([(cells - 1).clamp(0, n - 1), (cells + 1).clamp(0, n - 1)], dim=1)  # [n, 2]
    terminal = (cells == 0) | (cells == n - 1)
    reward = torch.zeros(n, 2, device=dev)
    reward[1, 0] = cfg.near_reward
    reward[n - 2, 1] = cfg.far_reward

    # 2. value iteration for every gamma at once: V(s) = max_a [ r(s, a) + gamma V(s') ]
    v = torch.zeros(g, n, device=dev)
    sweeps = 0
    while sweeps < cfg.max_sweeps:
        sweeps += 1
        q = reward + gamma[:, :, None] * v[:, nxt]  # [G, n, 2]
        v_new = q.max(dim=2).values.masked_fill(terminal, 0.0)
        delta = float((v_new - v).abs().max().item())
        v = v_new
        if delta < cfg.tol:
            break
    ctx.progress("corridor", 0.5)
    q = reward + gamma[:, :, None] * v[:, nxt]
    policy = q.argmax(dim=2)  # [G, n] 0 = left, 1 = right
    inner = ~terminal

    # the two fixed policies "always left" / "always right", evaluated with the Bellman equation V = r + gamma V'
    fixed = torch.zeros(2, g, n, device=dev)
    for _ in range(n):
        for a in (0, 1):
            fixed[a] = (reward[:, a] + gamma * fixed[a][:, nxt[:, a]]).masked_fill(terminal, 0.0)

    # 3. the exact closed form: from cell s the ends are s and n-1-s steps away
    dist_left = cells.float()
    dist_right = (n - 1 - cells).float()
    exact = torch.maximum(
        cfg.near_reward * gamma ** (dist_left - 1), cfg.far_reward * gamma ** (dist_right - 1)
    ).masked_fill(terminal, 0.0)
    closed_form_error = float((v - exact).abs().max().item())
    crossover = (cfg.near_reward / cfg.far_reward) ** (1 / ((n - 1 - cfg.start) - cfg.start))  # gamma^8 = 1/10

    # 4. the forever task: one cell paying 1 each step; value iteration until within rel_tol of 1 / (1 - gamma)
    w = torch.zeros(g, device=dev)
    target = 1 / (1 - gamma[:, 0])
    within = torch.zeros(g, dtype=torch.long, device=dev)
    for k in range(1, cfg.max_sweeps + 1):
        w_new = 1.0 + gamma[:, 0] * w
        newly = (within == 0) & ((target - w_new) <= cfg.rel_tol * target)
        within = torch.where(newly, k, within)
        change = float(((w_new - w).abs() / target).max().item())
        w = w_new
        if change < cfg.tol and bool((within > 0).all().item()):
            break
    forever_error = float(((w - target).abs() / target).max().item())
    ctx.progress("forever task", 0.9)

    # 5. report
    rows: list[list[object]] = []
    per_gamma: list[dict[str, float | int | str]] = []
    s0 = cfg.start
    for i, gm in enumerate(cfg.gammas):
        near = float(fixed[0, i, s0].item())  # walk left to the 1
        far = float(fixed[1, i, s0].item())  # walk right to the 10
        go = "right (far 10)" if int(policy[i, s0].item()) == 1 else "left (near 1)"
        right_cells = int((policy[i] == 1)[inner].sum().item())
        theory = math.ceil(math.log(cfg.rel_tol) / math.log(gm))
        d = {
            "gamma": gm,
            "horizon": 1 / (1 - gm),
            "v_near": near,
            "v_far": far,
            "v_star_start": float(v[i, s0].item()),
            "goes_far": int(policy[i, s0].item()) == 1,
            "cells_heading_right": right_cells,
            "forever_value": float(w[i].item()),
            "forever_sweeps": int(within[i].item()),
            "forever_sweeps_theory": theory,
        }
        per_gamma.append(d)
        rows.append(
            [gm, d["horizon"], near, far, d["v_star_start"], go, right_cells, d["forever_value"], d["forever_sweeps"]]
        )
    ctx.progress("done", 1.0)

    far_gammas = [d["gamma"] for d in per_gamma if d["goes_far"]]
    near_gammas = [d["gamma"] for d in per_gamma if not d["goes_far"]]
    metrics: dict[str, object] = {
        "crossover_gamma": crossover,
        "closed_form_max_error": closed_form_error,
        "value_iteration_sweeps": sweeps,
        "forever_max_relative_error": forever_error,
        "inner_cells": int(inner.sum().item()),
    }
    for d in per_gamma:
        tag = f"{d['gamma']:g}"
        for key in (
            "v_near",
            "v_far",
            "v_star_start",
            "goes_far",
            "cells_heading_right",
            "forever_value",
            "forever_sweeps",
        ):
            metrics[f"{key}_{tag}"] = d[key]
        metrics[f"forever_sweeps_theory_{tag}"] = d["forever_sweeps_theory"]
    lo, hi = per_gamma[0], per_gamma[-1]
    parts = [
        f"Value iteration matches the closed form to {fmt(closed_form_error)} after {sweeps} sweeps."
        f" The far reward wins only above gamma = {fmt(crossover)}:",
    ]
    if near_gammas and far_gammas:
        parts.append(
            f"at gamma {lo['gamma']:g} (horizon {fmt(lo['horizon'])} steps) walking to the near 1 is worth "
            f"{fmt(lo['v_near'])} today against {fmt(lo['v_far'])} for the far 10, so the agent walks left; "
            f"at gamma {hi['gamma']:g} (horizon {fmt(hi['horizon'])}) the far 10 is worth {fmt(hi['v_far'])} "
            f"against {fmt(hi['v_near'])} and it walks right. The policy "
            f"goes left for gamma {', '.join(f'{x:g}' for x in near_gammas)} and right for "
            f"{', '.join(f'{x:g}' for x in far_gammas)}."
        )
    else:
        parts.append("the policy at the start did not change across these gammas.")
    parts.append(
        f"Paying 1 forever is worth {fmt(lo['forever_value'])} at gamma {lo['gamma']:g} and "
        f"{fmt(hi['forever_value'])} at {hi['gamma']:g}, i.e. 1/(1-gamma) (to {fmt(forever_error)} relative), "
        "and value iteration needed "
        f"{lo['forever_sweeps']} vs {hi['forever_sweeps']} sweeps to get within {cfg.rel_tol:.0%} of it."
    )
    return DemoResult(
        header=(
            f"A corridor: from cell {s0}, a reward of {cfg.near_reward:g} is {s0} steps to the left and "
            f"{cfg.far_reward:g} is {n - 1 - s0} steps to the right. Value iteration for several discount factors "
            "gives the exact optimal values and policy; a one-cell task paying 1 every step shows the effective "
            "horizon 1/(1-gamma)."
        ),
        columns=[
            "gamma",
            "horizon 1/(1-gamma)",
            "V(start), always left",
            "V(start), always right",
            "V*(start)",
            "optimal first move",
            f"cells heading right (of {int(inner.sum().item())})",
            "value of 1 forever",
            "sweeps to 1%",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="optimal value V*(cell) along the corridor",
                series=[Series(f"gamma {gm:g}", thin(to_floats(v[i]))) for i, gm in enumerate(cfg.gammas)],
                x_label="cell",
            ),
            Chart(
                title="weight gamma^k of a reward k steps ahead",
                series=[
                    Series(f"gamma {gm:g}", [gm**k for k in range(0, 101, 2)], x=[float(k) for k in range(0, 101, 2)])
                    for gm in cfg.gammas
                ],
                x_label="steps ahead",
            ),
        ],
    )
