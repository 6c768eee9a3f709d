"""Batching at inference: bigger batches raise throughput, at the price of latency per batch.

One forward pass of a small MLP (256 -> 512 -> 512 -> 10) is timed at batch sizes 1 to 512 on the demo's
device (median over repeats, after a warm-up, synchronizing the device around each pass; the batch sizes
are timed in turn, so a burst of load from elsewhere hits all of them alike). A pass has a
fixed cost (Python and kernel-launch overhead, reading every weight once) plus a cost per sample (the
multiply-adds). At small batches the fixed cost dominates, so doubling the batch barely changes the
latency and nearly doubles the throughput; once the arithmetic dominates, latency grows in proportion to
the batch and throughput levels off. Serving systems pick the batch (or a batching window) on that curve:
the largest batch whose latency still meets the budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from quizdl.demos.common import fmt, median_forward_seconds, mlp, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    sizes: tuple[int, ...] = (256, 512, 512, 10)  # MLP layer sizes
    batches: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)  # batch sizes timed
    repeats: int = 15  # timed passes per batch size (the median is reported)
    warmup: int = 2  # untimed passes first
    near_peak: float = 0.8  # "saturated": throughput within this share of the best


@demo(
    "batch-latency",
    topic="deployment-practice",
    summary="inference batch size vs latency per batch and throughput (timed, median of repeats)",
)
def batch_latency(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)

    # 1. model: a small MLP in eval mode on the device
    net = mlp(list(cfg.sizes), device=ctx.device).eval()
    macs_per_sample = sum(a * b for a, b in zip(cfg.sizes, cfg.sizes[1:], strict=False))

    # 2. time one forward pass per batch size (the sizes taken in turn, so load bursts hit all alike)
    ctx.progress("timing", 0.0)
    cases = [(net, randn(gen, b, cfg.sizes[0], device=ctx.device)) for b in cfg.batches]
    latency = median_forward_seconds(cases, cfg.repeats, cfg.warmup, ctx.device)
    ctx.progress("done", 1.0)

    # 3. throughput, latency per sample, and where throughput saturates
    throughput = [b / t for b, t in zip(cfg.batches, latency, strict=True)]
    peak = max(throughput)
    saturated = next(b for b, r in zip(cfg.batches, throughput, strict=True) if r >= cfg.near_peak * peak)
    rows: list[list[object]] = [
        [b, 1000 * t, 1e6 * t / b, r, r / throughput[0], 2 * macs_per_sample * b / t / 1e9]
        for b, t, r in zip(cfg.batches, latency, throughput, strict=True)
    ]
    b_max = cfg.batches[-1]
    gain = throughput[-1] / throughput[0]
    lat_ratio = latency[-1] / latency[0]
    metrics = {
        "batches": list(cfg.batches),
        "latency_ms": [1000 * t for t in latency],
        "throughput": throughput,
        "throughput_gain": gain,
        "latency_ratio": lat_ratio,
        "peak_throughput": peak,
        "saturation_batch": saturated,
        "macs_per_sample": macs_per_sample,
        "device": ctx.device,
    }
    parts = [
        f"From batch 1 to {b_max}, the latency of one pass grows from {fmt(1000 * latency[0])} ms to "
        f"{fmt(1000 * latency[-1])} ms ({fmt(lat_ratio)}x) for {b_max}x the samples, so throughput rises from "
        f"{fmt(throughput[0])} to {fmt(throughput[-1])} samples/s ({fmt(gain)}x).",
    ]
    if gain > 2:
        parts.append(
            f"Small batches are dominated by the fixed cost of a pass; from batch {saturated} on, throughput is "
            f"within {cfg.near_peak:.0%} of its peak of {fmt(peak)} samples/s, so larger batches mostly add "
            "latency: pick the largest batch whose latency fits the budget."
        )
    else:
        parts.append("Batching gained little on this device: the pass is compute-bound even at batch 1.")
    return DemoResult(
        header=(
            f"Times one forward pass of a {'-'.join(map(str, cfg.sizes))} MLP on {ctx.device} at batch sizes "
            f"1 to {b_max} (median of {cfg.repeats} passes): latency per batch and throughput in samples/s."
        ),
        columns=["batch", "ms per batch", "us per sample", "samples/s", "vs batch 1", "GFLOP/s"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="throughput (samples/s) vs batch size",
                series=[Series("samples/s", throughput, [float(b) for b in cfg.batches])],
                x_label="batch size",
                log_y=True,
            ),
            Chart(
                title="latency per batch (ms) vs batch size",
                series=[Series("ms per batch", [1000 * t for t in latency], [float(b) for b in cfg.batches])],
                x_label="batch size",
                log_y=True,
            ),
        ],
    )
