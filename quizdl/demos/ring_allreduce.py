"""Ring all-reduce, simulated: the sum on every worker, and what each worker sends.

N workers each hold a gradient of M numbers and all need the sum. Ring all-reduce splits every tensor into
N chunks and arranges the workers in a ring. Reduce-scatter: in each of N - 1 steps every worker sends
one chunk to its right neighbour, which adds it to its own copy; afterwards worker i holds the complete
sum of chunk (i + 1) mod N. All-gather: N - 1 more steps pass the finished chunks round the ring, each
received chunk overwriting the stale one. Every worker sends 2 (N - 1) chunks of M / N numbers,
2 (N - 1) / N * M in total: under 2M however many workers there are, which is why the bandwidth cost of
data parallelism hardly grows with N. The price is 2 (N - 1) sequential steps, each paying the link
latency, so small messages are better served by tree algorithms.

We run the algorithm on N simulated workers (rows of one tensor, all N sends of a step at once), count
the numbers every worker sends, check the result against the plain sum (exactly, on integer-valued data
whose float sums are exact, and to float tolerance on random data) and compare the traffic with a
parameter server (every worker sends M to one server, which sends M back to each: the server moves
2 N M) and a naive all-to-all exchange (every worker sends its full tensor to each of the others).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from quizdl.demos.common import fmt, rand, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    size: int = 9600  # numbers in each worker's gradient (divisible by every worker count below)
    workers: tuple[int, ...] = (2, 3, 4, 8, 16, 32)  # ring sizes simulated
    bytes_per_number: int = 2  # FP16/BF16 gradients: the traffic column is in bytes of this width
    max_int: int = 100  # integer-valued data in [0, max_int): its float32 sums are exact


def ring_allreduce(data: Tensor) -> tuple[Tensor, list[int], int]:
    """All-reduce the rows of `data` (n workers x m numbers) around a ring.

    Returns every worker's final tensor, the numbers each worker sent, and the number of sequential steps.
    """
    n, m = data.shape
    chunk = m // n
    buf = data.reshape(n, n, chunk).clone()  # buf[w, c]: worker w's copy of chunk c
    sent = [0] * n
    rank = torch.arange(n, device=data.device)
    right = (rank + 1) % n
    steps = 0
    # reduce-scatter: at step s, worker w sends chunk (w - s) mod n to w + 1, which adds it
    for s in range(n - 1):
        c = (rank - s) % n
        message = buf[rank, c].clone()  # everything sent in this step, read before any worker updates
        buf[right, c] += message
        for w in range(n):
            sent[w] += message.shape[1]
        steps += 1
    # all-gather: worker w now owns the finished chunk (w + 1) mod n; pass finished chunks round the ring
    for s in range(n - 1):
        c = (rank + 1 - s) % n
        message = buf[rank, c].clone()
        buf[right, c] = message
        for w in range(n):
            sent[w] += message.shape[1]
        steps += 1
    return buf.reshape(n, m), sent, steps


def run_one(n: int, cfg: Config, gen: torch.Generator, device: str) -> dict[str, Any]:
    ints = torch.floor(rand(gen, n, cfg.size, device=device) * cfg.max_int)
    floats = randn(gen, n, cfg.size, device=device)
    out_int, sent, steps = ring_allreduce(ints)
    out_float, _, _ = ring_allreduce(floats)
    want_int = ints.sum(dim=0)
    want_float = floats.sum(dim=0)
    return {
        "n": n,
        "exact": bool((out_int == want_int).all().item()),
        "workers_identical": bool((out_float == out_float[0]).all().item()),
        "float_err": float((out_float - want_float).abs().max().item()),
        "sent_max": max(sent),
        "sent_min": min(sent),
        "steps": steps,
        "formula": 2 * (n - 1) * cfg.size // n,
    }


@demo(
    "ring-allreduce",
    topic="training-at-scale",
    summary="ring all-reduce on N simulated workers: exact sums, 2(N-1)/N of the data sent per worker",
)
def ring_allreduce_demo(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    m = cfg.size

    # 1. data and 2. the algorithm: N workers' gradients, all-reduced around a ring, for each N
    runs = []
    for i, n in enumerate(cfg.workers):
        ctx.progress(f"{n} workers", i / len(cfg.workers))
        runs.append(run_one(n, cfg, gen, ctx.device))
    ctx.progress("done", 1.0)

    # 3. traffic: ring vs parameter server vs all-to-all, in multiples of M and in bytes
    rows = []
    for r in runs:
        n = r["n"]
        rows.append(
            [n, r["sent_max"] / m, 2 * (n - 1) / n, r["sent_max"] * cfg.bytes_per_number, 2 * n, n - 1,
             r["steps"], r["exact"], r["float_err"]]
        )  # fmt: skip

    # 4. report
    first, last = runs[0], runs[-1]
    all_exact = all(r["exact"] for r in runs)
    all_identical = all(r["workers_identical"] for r in runs)
    formula_ok = all(r["sent_max"] == r["sent_min"] == r["formula"] for r in runs)
    max_err = max(r["float_err"] for r in runs)
    ring_ratio = {r["n"]: r["sent_max"] / m for r in runs}
    metrics = {
        "all_sums_exact": all_exact,
        "workers_bitwise_identical": all_identical,
        "max_float_error": max_err,
        "sent_matches_formula": formula_ok,
        "size": m,
        **{f"ring_sent_ratio_{n}": v for n, v in ring_ratio.items()},
        "ring_sent_ratio_max": max(ring_ratio.values()),
        "server_traffic_ratio_largest": 2 * last["n"],
        "all_to_all_ratio_largest": last["n"] - 1,
        "ring_steps_largest": last["steps"],
        "workers_largest": last["n"],
    }
    parts = []
    if all_exact and all_identical:
        parts.append(
            f"On every ring size the all-reduced integer data equalled the plain sum exactly, all workers ended "
            f"bit-for-bit identical, and random floats differed from torch's sum by at most {fmt(max_err)} "
            "(only the order of additions differs)."
        )
    else:
        parts.append(
            f"The ring result was exact: {fmt(all_exact)}; workers identical: {fmt(all_identical)} "
            f"(float error up to {fmt(max_err)})."
        )
    parts.append(
        f"Each worker sent {fmt(first['sent_max'] / m)} M with {first['n']} workers and "
        f"{fmt(last['sent_max'] / m)} M with {last['n']} (2(N-1)/N: "
        f"{'as the formula says' if formula_ok else 'NOT matching the formula'}), while a parameter server "
        f"moves {2 * last['n']} M through its one link and all-to-all has every worker send {last['n'] - 1} M."
    )
    parts.append(
        f"The ring's cost is latency: {last['steps']} sequential steps at {last['n']} workers against "
        f"{first['steps']} at {first['n']}."
    )
    return DemoResult(
        header=(
            f"N simulated workers each hold {m} numbers and all-reduce them around a ring (reduce-scatter, then "
            "all-gather). We check the sums and count what each worker sends, against a parameter server and "
            "a naive all-to-all exchange. M is one worker's full gradient."
        ),
        columns=[
            "workers N",
            "ring: sent per worker (M)",
            "2(N-1)/N",
            f"ring: bytes per worker ({cfg.bytes_per_number}-byte numbers)",
            "server link traffic (M)",
            "all-to-all per worker (M)",
            "ring steps",
            "sum exact",
            "float error",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="data sent per worker, in multiples of one gradient, vs number of workers",
                series=[
                    Series("ring all-reduce", [r["sent_max"] / m for r in runs], x=[r["n"] for r in runs]),
                    Series("all-to-all", [r["n"] - 1 for r in runs], x=[r["n"] for r in runs]),
                    Series("parameter server (its link)", [2 * r["n"] for r in runs], x=[r["n"] for r in runs]),
                ],
                x_label="workers",
                log_y=True,
            )
        ],
    )
