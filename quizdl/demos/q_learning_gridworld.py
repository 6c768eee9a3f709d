"""Tabular Q-learning on a gridworld, checked against the exact Bellman solution from value iteration.

The classic 4 x 3 grid with one wall, a trap (-1) and a goal (+1), both terminal; every other move earns 0
and the discount is gamma = 0.9, so the optimal value of a cell d steps from the goal is gamma^(d - 1).
With the model known, value iteration applies the Bellman optimality update
`Q(s, a) = r(s, a) + gamma max_a' Q(s', a')` to every pair until nothing changes and gives the exact Q*.
Q-learning never sees the model: it only walks the grid and moves Q(s, a) a step alpha towards the
sampled target `r + gamma max_a' Q(s', a')`. Many independent agents run side by side (one batch of
tensors; each episode starts in a random cell) with two behaviour policies: epsilon-greedy, which keeps
trying every action, and purely greedy, which only ever takes the action its table currently rates best.
We compare the learned tables with Q*: the largest error in Q and in V = max_a Q, the share of cells whose
greedy action is optimal, and whether the greedy policy from S reaches the goal by a shortest route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, rand, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo

# the map: S start, G goal (+1), X trap (-1), # wall, . free
GRID = (
    "...G",
    ".#.X",
    "S...",
)
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # up, right, down, left


@dataclass(frozen=True)
class Config:
    gamma: float = 0.9  # discount factor
    alpha: float = 0.5  # Q-learning step size
    epsilon: float = 0.3  # exploration rate of the epsilon-greedy agents
    agents: int = 32  # independent agents per behaviour policy (one batch)
    steps: int = 2000  # environment steps per agent
    episode_len: int = 20  # mean episode length cap: each step an episode is cut with probability 1/this
    chart_every: int = 25  # record the error every this many steps


def _build(device: str) -> dict[str, Tensor | int]:
    """Transition table next[s, a], reward[s, a], terminal mask and the start state of GRID."""
    rows, cols = len(GRID), len(GRID[0])
    n = rows * cols
    nxt = torch.zeros(n, len(MOVES), dtype=torch.long)
    rew = torch.zeros(n, len(MOVES))
    terminal = torch.zeros(n, dtype=torch.bool)
    free = torch.zeros(n, dtype=torch.bool)
    start = 0
    for r in range(rows):
        for c in range(cols):
            s = r * cols + c
            cell = GRID[r][c]
            free[s] = cell != "#"
            terminal[s] = cell in "GX"
            if cell == "S":
                start = s
            for a, (dr, dc) in enumerate(MOVES):
                r2, c2 = r + dr, c + dc
                ok = cell != "#" and 0 <= r2 < rows and 0 <= c2 < cols and GRID[r2][c2] != "#"
                s2 = r2 * cols + c2 if ok else s  # bumping into a wall or the edge: stay put (walls are never entered)
                nxt[s, a] = s2
                rew[s, a] = {"G": 1.0, "X": -1.0}.get(GRID[s2 // cols][s2 % cols], 0.0) if ok else 0.0
    return {
        "next": nxt.to(device),
        "reward": rew.to(device),
        "terminal": terminal.to(device),
        "free": free.to(device),
        "start": start,
    }


def value_iteration(env: dict, gamma: float, tol: float = 1e-12, max_sweeps: int = 1000) -> tuple[Tensor, int]:
    """Exact Q* by repeated Bellman optimality sweeps over every (s, a); returns Q* and the sweeps used."""
    nxt, rew, term = env["next"], env["reward"], env["terminal"]
    q = torch.zeros_like(rew)
    for sweep in range(1, max_sweeps + 1):
        v = torch.where(term, 0.0, q.max(dim=1).values)
        q_new = rew + gamma * v[nxt]
        q_new[term] = 0.0
        delta = float((q_new - q).abs().max().item())
        q = q_new
        if delta < tol:
            return q, sweep
    return q, max_sweeps


def greedy_return(env: dict, q: Tensor, gamma: float, cap: int) -> Tensor:
    """Discounted return of following argmax Q from the start, one value per table in the batch q[B, S, A]."""
    b = q.shape[0]
    ar = torch.arange(b, device=q.device)
    s = torch.full((b,), env["start"], dtype=torch.long, device=q.device)
    ret = torch.zeros(b, device=q.device)
    alive = torch.ones(b, dtype=torch.bool, device=q.device)
    for t in range(cap):
        a = q[ar, s].argmax(dim=1)
        ret = ret + alive * (gamma**t) * env["reward"][s, a]
        s = env["next"][s, a]
        alive = alive & ~env["terminal"][s]
    return ret


def q_learning(env: dict, cfg: Config, eps: Tensor, steps: int, gen: torch.Generator, ctx: DemoContext) -> dict:
    """Online Q-learning for a batch of independent agents; eps[b] is agent b's exploration rate.

    Episodes end at a terminal cell or, with probability 1 / episode_len per step, are cut short; each new
    episode starts in a random free cell (exploring starts), so every cell keeps being visited.
    """
    dev = ctx.device
    b, n_a = eps.shape[0], len(MOVES)
    n_s = env["next"].shape[0]
    nxt, rew, term = env["next"].reshape(-1), env["reward"].reshape(-1), env["terminal"]
    q = torch.zeros(b, n_s, n_a, device=dev)
    q_flat = q.view(-1)
    tried = torch.zeros(b * n_s * n_a, dtype=torch.bool, device=dev)
    ar = torch.arange(b, device=dev)
    row = ar * (n_s * n_a)
    # all random numbers drawn up front on the CPU from the seeded generator
    starts = torch.nonzero(env["free"] & ~env["terminal"]).squeeze(1)
    u_start = starts[torch.randint(0, starts.numel(), (steps + 1, b), generator=gen).to(dev)]
    u_explore = rand(gen, steps, b, device=dev) < eps
    u_action = torch.randint(0, n_a, (steps, b), generator=gen).to(dev)
    u_tie = 1e-6 * rand(gen, steps, b, n_a, device=dev)  # breaks ties between equal Q values at random
    u_cut = rand(gen, steps, b, device=dev) < 1.0 / cfg.episode_len
    s = u_start[-1]
    q_star = env["q_star"]
    errors: list[Tensor] = []
    every = max(1, min(cfg.chart_every, steps))
    report = ticker(ctx, "Q-learning", 0.05, 0.95)
    for t in range(steps):
        # act: epsilon-greedy on the current table
        greedy = (q[ar, s] + u_tie[t]).argmax(dim=1)
        a = torch.where(u_explore[t], u_action[t], greedy)
        sa = s * n_a + a
        s2 = nxt[sa]
        done = term[s2]
        # learn: move Q(s, a) a step alpha towards the sampled Bellman target r + gamma max_a' Q(s', a')
        target = rew[sa] + cfg.gamma * q[ar, s2].amax(dim=1).masked_fill(done, 0.0)
        idx = row + sa
        q_flat[idx] += cfg.alpha * (target - q_flat[idx])
        tried[idx] = True
        s = torch.where(done | u_cut[t], u_start[t], s2)
        if (t + 1) % every == 0:
            errors.append((q - q_star).abs().amax(dim=(1, 2)))
            report((t + 1) / steps)
    return {"q": q, "tried": tried.view(b, n_s, n_a), "errors": torch.stack(errors, dim=1), "every": every}


@demo(
    "q-learning-gridworld",
    topic="reinforcement-learning",
    summary="tabular Q-learning recovers the value-iteration Q* with exploration; a greedy learner does not",
)
def q_learning_gridworld(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. environment: the grid as transition and reward tables
    env = _build(ctx.device)
    free_states = env["free"] & ~env["terminal"]

    # 2. exact solution with the model: value iteration; check the Bellman optimality residual
    q_star, sweeps = value_iteration(env, cfg.gamma)
    env["q_star"] = q_star
    v_star = q_star.max(dim=1).values
    residual = (env["reward"] + cfg.gamma * torch.where(env["terminal"], 0.0, v_star)[env["next"]]) - q_star
    residual_max = float(residual[free_states].abs().max().item())
    v_start = float(v_star[env["start"]].item())
    shortest = round(math.log(v_start) / math.log(cfg.gamma)) + 1  # V* = gamma^(steps - 1)
    ctx.progress("value iteration", 0.05)

    # 3. model-free: Q-learning for epsilon-greedy and greedy agents in one batch
    eps = torch.tensor([cfg.epsilon] * cfg.agents + [0.0] * cfg.agents, device=ctx.device)
    out = q_learning(env, cfg, eps, steps, gen, ctx)
    q = out["q"]

    # 4. compare with Q*: largest errors, greedy return from the start, optimal actions everywhere
    err_q = (q - q_star).abs()[:, free_states].amax(dim=(1, 2))
    err_v = (q.max(dim=2).values - v_star).abs()[:, free_states].amax(dim=1)
    ret = greedy_return(env, q, cfg.gamma, 4 * len(GRID) * len(GRID[0]))
    optimal_route = (ret - v_start).abs() < 1e-6
    greedy_a = q.argmax(dim=2)  # [B, S]
    q_at = q_star.unsqueeze(0).expand_as(q).gather(2, greedy_a.unsqueeze(2)).squeeze(2)
    optimal_action = ((q_at - v_star).abs() < 1e-6)[:, free_states].float().mean(dim=1)
    tried = out["tried"][:, free_states].float().mean(dim=(1, 2))
    ctx.progress("done", 1.0)

    groups = {"epsilon-greedy": slice(0, cfg.agents), "greedy": slice(cfg.agents, 2 * cfg.agents)}
    stats: dict[str, dict[str, float]] = {}
    for name, sl in groups.items():
        stats[name] = {
            "max_q_error": float(err_q[sl].mean().item()),
            "max_v_error": float(err_v[sl].mean().item()),
            "optimal_route_share": float(optimal_route[sl].float().mean().item()),
            "optimal_action_share": float(optimal_action[sl].mean().item()),
            "tried_share": float(tried[sl].mean().item()),
            "greedy_return": float(ret[sl].mean().item()),
        }
    e, g = stats["epsilon-greedy"], stats["greedy"]
    rows: list[list[object]] = [
        ["value iteration (model known)", 0, 1.0, 0.0, 0.0, 1.0, 1.0, v_start],
    ]
    for name, st in stats.items():
        label = f"Q-learning, {name}" + (f" (eps {cfg.epsilon:g})" if name == "epsilon-greedy" else "")
        rows.append(
            [
                label,
                steps,
                st["tried_share"],
                st["max_q_error"],
                st["max_v_error"],
                st["optimal_action_share"],
                st["optimal_route_share"],
                st["greedy_return"],
            ]
        )
    metrics: dict[str, float | int] = {
        "value_iteration_sweeps": sweeps,
        "bellman_residual": residual_max,
        "v_star_start": v_start,
        "shortest_path_steps": shortest,
        "steps": steps,
    }
    for key, st in (("eps", e), ("greedy", g)):
        for k, v in st.items():
            metrics[f"{k}_{key}"] = v

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    parts = [
        f"Value iteration needed {sweeps} sweeps of the known model for the exact Q* (Bellman residual "
        f"{fmt(residual_max)}; V*(start) = {fmt(v_start)}, a {shortest}-step route).",
        f"After {steps} steps, epsilon-greedy Q-learning's table is within {fmt(e['max_q_error'])} of Q* at worst "
        f"(values V within {fmt(e['max_v_error'])}), it picks an optimal action in {pct(e['optimal_action_share'])} "
        f"of cells and {pct(e['optimal_route_share'])} of its agents follow a shortest route.",
    ]
    if g["max_q_error"] > 2 * e["max_q_error"] and g["optimal_action_share"] < e["optimal_action_share"]:
        parts.append(
            f"The greedy learners tried only {pct(g['tried_share'])} of the state-action pairs (an untried pair keeps "
            f"its initial 0), so their worst error stays {fmt(g['max_q_error'])} and only "
            f"{pct(g['optimal_action_share'])} of their cells have an optimal greedy action, although "
            f"{pct(g['optimal_route_share'])} still find a shortest route from S: Q-learning needs exploration to "
            "learn Q* everywhere."
        )
    else:
        parts.append(
            f"The greedy learners ended with error {fmt(g['max_q_error'])} and {pct(g['optimal_action_share'])} "
            f"optimal actions, so exploration made no clear difference here."
        )
    x = [float((i + 1) * out["every"]) for i in range(out["errors"].shape[1])]
    mean_err = {name: out["errors"][sl].mean(dim=0) for name, sl in groups.items()}
    return DemoResult(
        header=(
            f"A 4x3 gridworld (goal +1, trap -1, gamma {cfg.gamma:g}). Value iteration with the known model gives "
            f"the exact Q*; {cfg.agents} epsilon-greedy and {cfg.agents} greedy agents learn Q from experience "
            f"alone with the Q-learning update (alpha {cfg.alpha:g}). Errors are the largest |Q - Q*| over the "
            "free cells, averaged over agents."
        ),
        columns=[
            "method",
            "env steps",
            "pairs tried",
            "max |Q - Q*|",
            "max |V - V*|",
            "optimal actions",
            "shortest route",
            "greedy return",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="max |Q - Q*| during Q-learning (mean over agents)",
                series=[Series(name, thin(v.cpu().tolist()), x=thin(x)) for name, v in mean_err.items()],
                x_label="environment step",
            )
        ],
    )
