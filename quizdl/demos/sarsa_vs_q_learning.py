"""On-policy SARSA vs off-policy Q-learning on a cliff walk: same experience, different targets, different routes.

A 4 x 7 grid: start bottom-left, goal bottom-right, and the cells between them along the bottom are a cliff
(-100 and back to the start); every step costs -1. Both learners act epsilon-greedily (epsilon 0.1) and
differ only in the target of their update:

    SARSA       Q(s, a) <- Q(s, a) + alpha [ r + Q(s', a') - Q(s, a) ]          a' = the action actually taken next
    Q-learning  Q(s, a) <- Q(s, a) + alpha [ r + max_a' Q(s', a') - Q(s, a) ]

Q-learning learns about the greedy policy while behaving epsilon-greedily (off-policy), so it learns the
optimal route right along the cliff edge, and falls off now and then during training because of its random
moves. SARSA learns the value of the epsilon-greedy policy it actually follows (on-policy), where random
moves near the edge are costly, so it prefers a safer route further from the cliff and earns more per
episode while learning. Many agents of each kind run side by side as one batch of tensors.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, rand, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo

MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # up, right, down, left


@dataclass(frozen=True)
class Config:
    rows: int = 4  # grid height; the cliff is on the bottom row
    cols: int = 7  # grid width
    epsilon: float = 0.1  # exploration rate of both learners
    alpha: float = 0.5  # step size
    step_reward: float = -1.0  # reward of every move
    cliff_reward: float = -100.0  # reward for stepping into the cliff (then back to the start)
    agents: int = 32  # agents per algorithm
    steps: int = 2500  # environment steps per agent
    late_share: float = 0.5  # online returns are averaged over episodes ending in this last share of steps


def _cliff(cfg: Config, device: str) -> dict[str, Tensor | int]:
    """Transition and reward tables (flattened over s * 4 + a), the start and the goal."""
    n = cfg.rows * cfg.cols
    start, goal = (cfg.rows - 1) * cfg.cols, n - 1
    nxt = torch.zeros(n * 4, dtype=torch.long)
    rew = torch.zeros(n * 4)
    ends = torch.zeros(n * 4, dtype=torch.bool)
    for s in range(n):
        r, c = divmod(s, cfg.cols)
        for a, (dr, dc) in enumerate(MOVES):
            r2, c2 = min(max(r + dr, 0), cfg.rows - 1), min(max(c + dc, 0), cfg.cols - 1)
            s2 = r2 * cfg.cols + c2
            cliff = r2 == cfg.rows - 1 and 0 < c2 < cfg.cols - 1
            nxt[s * 4 + a] = start if cliff else s2
            rew[s * 4 + a] = cfg.cliff_reward if cliff else cfg.step_reward
            ends[s * 4 + a] = s2 == goal
    return {
        "next": nxt.to(device),
        "reward": rew.to(device),
        "ends": ends.to(device),
        "restart": torch.where(ends, start, nxt).to(device),  # the state the agent is in after the move
        "start": start,
        "goal": goal,
        "n": n,
    }


def _greedy_route(env: dict, q: Tensor, cap: int) -> tuple[Tensor, Tensor]:
    """Follow argmax Q from the start: return (undiscounted) and steps taken (cap if the goal is not reached)."""
    b = q.shape[0]
    ar = torch.arange(b, device=q.device)
    s = torch.full((b,), env["start"], dtype=torch.long, device=q.device)
    ret = torch.zeros(b, device=q.device)
    length = torch.zeros(b, device=q.device)
    alive = torch.ones(b, dtype=torch.bool, device=q.device)
    for _ in range(cap):
        sa = s * 4 + q[ar, s].argmax(dim=1)
        ret = ret + alive * env["reward"][sa]
        length = length + alive
        s = torch.where(alive, env["next"][sa], s)
        alive = alive & (s != env["goal"])
    return ret, length


@demo(
    "sarsa-vs-q-learning",
    topic="reinforcement-learning",
    summary="cliff walk: off-policy Q-learning learns the edge route, on-policy SARSA a safer one that pays more online",
)
def sarsa_vs_q_learning(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    dev = ctx.device

    # 1. environment: the cliff grid as tables
    env = _cliff(cfg, dev)
    n, b = env["n"], 2 * cfg.agents
    rew, ends, restart, start = env["reward"], env["ends"], env["restart"], env["start"]
    is_sarsa = torch.tensor([True] * cfg.agents + [False] * cfg.agents, device=dev)

    # 2. learners: one Q table per agent; random numbers drawn up front on the CPU
    q = torch.zeros(b, n, 4, device=dev)
    q_flat = q.view(-1)
    ar = torch.arange(b, device=dev)
    row = ar * (n * 4)
    explore = rand(gen, steps + 1, b, device=dev) < cfg.epsilon
    random_a = torch.randint(0, 4, (steps + 1, b), generator=gen).to(dev)
    tie = 1e-6 * rand(gen, steps + 1, b, 4, device=dev)

    def act(q_s: Tensor, t: int) -> Tensor:
        """Epsilon-greedy choice from the Q values q_s [b, 4] of each agent's current state."""
        return torch.where(explore[t], random_a[t], (q_s + tie[t]).argmax(dim=1))

    s = torch.full((b,), start, dtype=torch.long, device=dev)
    a = act(q[ar, s], 0)
    ep_return = torch.zeros(b, device=dev)
    total_reward = torch.zeros(b, device=dev)
    late_visits = torch.zeros(b * n, device=dev)  # cells visited in the late part of training, per agent
    cell_of = ar * n
    late_from = int(steps * (1 - cfg.late_share))
    bin_sum = torch.zeros(b, device=dev)  # returns of episodes ending in the current chart window
    bin_count = torch.zeros(b, device=dev)
    every = max(1, steps // 20)
    groups = (("SARSA", slice(0, cfg.agents)), ("Q-learning", slice(cfg.agents, b)))
    bins: dict[str, list[tuple[int, float, float]]] = {name: [] for name, _ in groups}  # (start, sum, count)
    report = ticker(ctx, "SARSA and Q-learning")

    # 3. learn online: take a, see r and s', pick a' epsilon-greedily, update with each learner's target
    for t in range(steps):
        sa = s * 4 + a
        r, done = rew[sa], ends[sa]
        s2 = restart[sa]  # reaching the goal ends the episode: the next one starts at the start
        q2 = q[ar, s2]
        a2 = act(q2, t + 1)
        bootstrap = torch.where(is_sarsa, q2.gather(1, a2[:, None]).squeeze(1), q2.amax(dim=1))
        target = r + bootstrap.masked_fill(done, 0.0)
        idx = row + sa
        q_flat[idx] += cfg.alpha * (target - q_flat[idx])
        ep_return += r
        total_reward += r
        bin_sum += torch.where(done, ep_return, 0.0)
        bin_count += done
        if t >= late_from:
            late_visits[cell_of + s2] += 1
        ep_return = ep_return.masked_fill(done, 0.0)
        s, a = s2, a2
        if (t + 1) % every == 0 or t == steps - 1:
            start_of_bin = (t // every) * every
            for name, sl in groups:
                bins[name].append((start_of_bin, float(bin_sum[sl].sum().item()), float(bin_count[sl].sum().item())))
            bin_sum.zero_()
            bin_count.zero_()
            report((t + 1) / steps)

    # 4. measure: the greedy route each learner ends with, and what it earned while learning
    g_ret, g_len = _greedy_route(env, q, 4 * n)
    optimal_len = cfg.cols + 1  # up, along row rows-2, down
    # every step pays step_reward or cliff_reward, so the total reward tells how many falls there were
    falls = (total_reward - steps * cfg.step_reward) / (cfg.cliff_reward - cfg.step_reward)
    # where agents pass the middle column late in training: rows above the cliff, weighted by visits
    mid_visits = late_visits.view(b, cfg.rows, cfg.cols)[:, :, cfg.cols // 2]  # [b, rows]
    height = torch.arange(cfg.rows - 1, -1, -1, device=dev, dtype=torch.float32)  # bottom row = 0
    stats: dict[str, dict[str, float]] = {}
    for name, sl in groups:
        reached = g_len[sl] < 4 * n
        late_bins = [(sm, ct) for start0, sm, ct in bins[name] if start0 >= late_from]
        late_sum, late_count = sum(x[0] for x in late_bins), sum(x[1] for x in late_bins)
        stats[name] = {
            "greedy_return_min": float(g_ret[sl].min().item()),
            "greedy_return_max": float(g_ret[sl].max().item()),
            "edge_route_share": float(((g_len[sl] == optimal_len) & reached).float().mean().item()),
            "reached_goal_share": float(reached.float().mean().item()),
            "crossing_rows_from_cliff": float(
                ((mid_visits[sl] * height).sum() / mid_visits[sl].sum().clamp_min(1)).item()
            ),
            "online_return": late_sum / max(late_count, 1.0),
            "late_episodes": late_count / cfg.agents,
            "falls_per_agent": float(falls[sl].mean().item()),
        }
    ctx.progress("done", 1.0)

    # 5. report
    sa_st, ql = stats["SARSA"], stats["Q-learning"]
    rows = [
        [
            name,
            st["edge_route_share"],
            st["crossing_rows_from_cliff"],
            st["online_return"],
            st["falls_per_agent"],
        ]
        for name, st in stats.items()
    ]
    metrics: dict[str, float | int] = {"optimal_return": -float(optimal_len), "steps": steps}
    for key, st in (("sarsa", sa_st), ("q", ql)):
        for k, v in st.items():
            metrics[f"{k}_{key}"] = v

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    parts = [
        f"After {steps} steps, the greedy route of {pct(ql['edge_route_share'])} of the Q-learning agents is the "
        f"optimal {optimal_len}-step walk along the cliff edge (return {fmt(-optimal_len)}), against "
        f"{pct(sa_st['edge_route_share'])} of the SARSA agents. Late in training, SARSA agents pass the middle of "
        f"the grid {fmt(sa_st['crossing_rows_from_cliff'])} rows above the cliff on average, Q-learning agents "
        f"{fmt(ql['crossing_rows_from_cliff'])}."
    ]
    if sa_st["online_return"] > ql["online_return"]:
        parts.append(
            f"Behaving epsilon-greedily, SARSA earns more per episode while learning ({fmt(sa_st['online_return'])} vs "
            f"{fmt(ql['online_return'])} over the last {pct(cfg.late_share)} of training) because Q-learning's random "
            f"moves on the edge send it off the cliff: {fmt(ql['falls_per_agent'])} falls per agent over training vs "
            f"{fmt(sa_st['falls_per_agent'])}. Each learns the value of its target policy: greedy for Q-learning, "
            "epsilon-greedy for SARSA."
        )
    else:
        parts.append(
            f"Online, SARSA earned {fmt(sa_st['online_return'])} per episode vs {fmt(ql['online_return'])} for "
            "Q-learning, so the safer route did not pay off during training here."
        )
    x = [float(min(start0 + every, steps)) for start0, _, _ in bins["SARSA"]]
    curves = {name: [sm / max(ct, 1.0) for _, sm, ct in bins[name]] for name, _ in groups}
    return DemoResult(
        header=(
            f"Cliff walk on a {cfg.rows}x{cfg.cols} grid (step -1, cliff {cfg.cliff_reward:g}). {cfg.agents} SARSA and "
            f"{cfg.agents} Q-learning agents act epsilon-greedily (epsilon {cfg.epsilon:g}, alpha {cfg.alpha:g}) on "
            "the same kind of experience; only the bootstrap target differs (the next action taken vs the max)."
        ),
        columns=[
            "learner",
            "greedy route = optimal edge route",
            "rows from cliff at mid-grid (late)",
            "online return per episode (late)",
            "falls per agent (all training)",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title=f"online return per episode (episodes ending in each window of {every} steps)",
                series=[Series(name, curves[name], x=x) for name, _ in groups],
                x_label="environment step",
            )
        ],
    )
