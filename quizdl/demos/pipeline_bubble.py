"""Pipeline parallelism: the bubble shrinks with more micro-batches; 1F1B holds fewer activations than GPipe.

A model split into p stages on p devices processes a batch as m micro-batches. We simulate the schedule
of every stage (a forward pass takes 1 time unit, a backward pass 2; a stage runs one operation at a time
and an operation starts when its inputs are ready) for two orders of work:
- GPipe: every stage runs all m forwards, then all m backwards;
- 1F1B (PipeDream-Flush): stage s runs p - s - 1 warm-up forwards, then alternates one forward and one
  backward, then drains the remaining backwards.
The bubble is the share of device time spent idle; theory says (p - 1) / (m + p - 1) for both orders.
What differs is memory: a stage must keep a micro-batch's activations from its forward until its
backward, so we track the most micro-batches held at once on the first stage: m under GPipe, p under
1F1B.

And the maths is unchanged: running the micro-batches through a real 4-stage network, accumulating
the gradients (each micro-batch loss weighted by its share of the batch) gives the full batch's
gradient, checked to 1e-6.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    stages: int = 4  # pipeline stages (devices)
    micro_batches: tuple[int, ...] = (1, 2, 4, 8, 16, 32)  # m values simulated
    stage_sweep: tuple[int, ...] = (2, 4, 8, 16)  # p values simulated at m = sweep_micro
    sweep_micro: int = 16  # micro-batches in the stage sweep
    t_forward: float = 1.0  # time of one micro-batch forward on one stage
    t_backward: float = 2.0  # backward costs about twice the forward
    batch: int = 64  # samples in the real network's batch
    width: int = 32  # width of each real stage


Op = tuple[str, int]  # ("F" or "B", micro-batch index)


def stage_orders(p: int, m: int, schedule: str) -> list[list[Op]]:
    """The order in which each stage runs its forwards and backwards."""
    orders = []
    for s in range(p):
        if schedule == "gpipe":
            orders.append([("F", i) for i in range(m)] + [("B", i) for i in range(m)])
            continue
        warm = min(p - s - 1, m)
        order: list[Op] = [("F", i) for i in range(warm)]
        for j in range(m - warm):
            order += [("F", warm + j), ("B", j)]
        order += [("B", i) for i in range(m - warm, m)]
        orders.append(order)
    return orders


def simulate(p: int, m: int, schedule: str, tf: float, tb: float) -> dict[str, float]:
    """Run the schedule; return the makespan, the idle share and the peak micro-batches held on stage 0."""
    orders = stage_orders(p, m, schedule)
    end: dict[tuple[str, int, int], float] = {}  # (kind, stage, micro-batch) -> finish time
    free = [0.0] * p
    nxt = [0] * p
    held, peak = 0, 0
    done = 0
    total = sum(len(o) for o in orders)
    while done < total:
        progressed = False
        for s in range(p):
            if nxt[s] == len(orders[s]):
                continue
            kind, i = orders[s][nxt[s]]
            if kind == "F":
                deps = [("F", s - 1, i)] if s > 0 else []
            else:
                deps = [("F", s, i)] + ([("B", s + 1, i)] if s < p - 1 else [])
            if not all(d in end for d in deps):
                continue
            start = max([free[s]] + [end[d] for d in deps])
            end[(kind, s, i)] = free[s] = start + (tf if kind == "F" else tb)
            nxt[s] += 1
            done += 1
            progressed = True
        if not progressed:
            raise RuntimeError(f"schedule {schedule} deadlocked at p={p}, m={m}")
    # activations held on stage 0: +1 at each forward's start, -1 at each backward's end
    events = sorted(
        [(end[("F", 0, i)] - tf, 1) for i in range(m)] + [(end[("B", 0, i)], -1) for i in range(m)],
        key=lambda e: (e[0], e[1]),
    )
    for _, delta in events:
        held += delta
        peak = max(peak, held)
    makespan = max(free)
    busy = m * (tf + tb)
    return {"makespan": makespan, "bubble": 1 - busy / makespan, "peak_held": peak}


def gradients_match(cfg: Config, ctx: DemoContext, m: int) -> float:
    """Max |grad difference| between the full batch and m accumulated micro-batches through 4 stages."""
    gen = seeded(ctx)
    x = randn(gen, cfg.batch, cfg.width, device=ctx.device)
    y = randn(gen, cfg.batch, cfg.width, device=ctx.device)
    stages = [nn.Sequential(nn.Linear(cfg.width, cfg.width), nn.Tanh()).to(ctx.device) for _ in range(cfg.stages)]
    params = [p for st in stages for p in st.parameters()]

    def forward(h: torch.Tensor) -> torch.Tensor:
        for st in stages:
            h = st(h)  # on a real pipeline each stage lives on its own device
        return h

    F.mse_loss(forward(x), y).backward()
    full = [p.grad.detach().clone() for p in params]
    for p in params:
        p.grad = None
    for xb, yb in zip(x.chunk(m), y.chunk(m), strict=True):
        (F.mse_loss(forward(xb), yb) * xb.shape[0] / cfg.batch).backward()  # gradients accumulate
    return max(float((p.grad - g).abs().max().item()) for p, g in zip(params, full, strict=True))


@demo(
    "pipeline-bubble",
    topic="training-at-scale",
    summary="pipeline schedules simulated: bubble (p-1)/(m+p-1) vs micro-batches; GPipe holds m, 1F1B p",
)
def pipeline_bubble(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    p = cfg.stages

    # 1. schedules for p stages and growing numbers of micro-batches
    rows = []
    res = []
    for k, m in enumerate(cfg.micro_batches):
        ctx.progress(f"m = {m}", k / (len(cfg.micro_batches) + 2))
        g = simulate(p, m, "gpipe", cfg.t_forward, cfg.t_backward)
        o = simulate(p, m, "1f1b", cfg.t_forward, cfg.t_backward)
        theory = (p - 1) / (m + p - 1)
        res.append((m, g, o, theory))
        rows.append([p, m, g["bubble"], o["bubble"], theory, g["peak_held"], o["peak_held"]])

    # 2. more stages at a fixed number of micro-batches
    sweep = []
    for q in cfg.stage_sweep:
        g = simulate(q, cfg.sweep_micro, "gpipe", cfg.t_forward, cfg.t_backward)
        o = simulate(q, cfg.sweep_micro, "1f1b", cfg.t_forward, cfg.t_backward)
        theory = (q - 1) / (cfg.sweep_micro + q - 1)
        sweep.append((q, o, theory))
        rows.append([q, cfg.sweep_micro, g["bubble"], o["bubble"], theory, g["peak_held"], o["peak_held"]])

    # 3. the same gradients as the full batch, on a real network
    ctx.progress("gradients", 0.9)
    grad_diff = gradients_match(cfg, ctx, 8)
    ctx.progress("done", 1.0)

    # 4. report
    max_formula_err = max(max(abs(g["bubble"] - t), abs(o["bubble"] - t)) for _, g, o, t in res)
    max_formula_err = max([max_formula_err] + [abs(o["bubble"] - t) for _, o, t in sweep])
    first, last = res[0], res[-1]
    metrics = {
        "bubble_m1": first[2]["bubble"],
        "bubble_largest_m": last[2]["bubble"],
        "largest_m": last[0],
        "stages": p,
        "max_formula_error": max_formula_err,
        "peak_held_gpipe_largest_m": last[1]["peak_held"],
        "peak_held_1f1b_largest_m": last[2]["peak_held"],
        "bubble_most_stages": sweep[-1][1]["bubble"],
        "most_stages": sweep[-1][0],
        "grad_diff": grad_diff,
    }
    parts = [
        f"With {p} stages the idle share fell from {fmt(first[2]['bubble'])} at 1 micro-batch to "
        f"{fmt(last[2]['bubble'])} at {last[0]}, "
        + (
            "matching (p-1)/(m+p-1) for both schedules (to within 1e-9)."
            if max_formula_err < 1e-9
            else f"off the formula (p-1)/(m+p-1) by up to {fmt(max_formula_err)}."
        ),
        f"At {last[0]} micro-batches the first stage held the activations of {last[1]['peak_held']} micro-batches "
        f"at once under GPipe but {last[2]['peak_held']} under 1F1B.",
        f"More stages at {cfg.sweep_micro} micro-batches raise the bubble to {fmt(sweep[-1][1]['bubble'])} at "
        f"{sweep[-1][0]} stages.",
        f"Accumulating 8 micro-batches reproduced the full batch's gradient to {fmt(grad_diff)}.",
    ]
    return DemoResult(
        header=(
            "Simulated pipeline schedules on p devices (forward 1 unit, backward 2 units per micro-batch): GPipe "
            "(all forwards, then all backwards) and 1F1B. Idle share, the formula, and the most micro-batches whose "
            "activations the first stage holds at once."
        ),
        columns=[
            "stages p",
            "micro-batches m",
            "bubble GPipe",
            "bubble 1F1B",
            "(p-1)/(m+p-1)",
            "held GPipe",
            "held 1F1B",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title=f"bubble (idle share) vs micro-batches, {p} stages",
                series=[
                    Series("1F1B, simulated", [o["bubble"] for _, _, o, _ in res], x=[m for m, *_ in res]),
                    Series("(p-1)/(m+p-1)", [t for *_, t in res], x=[m for m, *_ in res]),
                ],
                x_label="micro-batches",
            ),
            Chart(
                title="micro-batches held on the first stage",
                series=[
                    Series("GPipe", [g["peak_held"] for _, g, _, _ in res], x=[m for m, *_ in res]),
                    Series("1F1B", [o["peak_held"] for _, _, o, _ in res], x=[m for m, *_ in res]),
                ],
                x_label="micro-batches",
            ),
        ],
    )
