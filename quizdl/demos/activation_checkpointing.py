"""Activation checkpointing: keep fewer activations for the backward pass, recompute the rest.

A deep MLP (Linear + tanh + dropout blocks) is trained for one step normally and with
`torch.utils.checkpoint` over k segments of consecutive blocks. Autograd's saved tensors are counted
with `torch.autograd.graph.saved_tensors_hooks`: every tensor saved for the backward pass is wrapped in a
small holder that adds its bytes to a running total when saved and subtracts them when autograd frees it,
so we get both the bytes held at the end of the forward pass and the peak held at any moment (the
backward pass of a checkpointed segment recomputes and holds that one segment's activations). Forward
calls of the blocks are counted too: checkpointing runs every block's forward twice. The gradients must
match the normal run's to 1e-6, dropout included, because checkpoint restores the RNG state before
recomputing; with `preserve_rng_state=False` the recomputed dropout masks differ and so do the gradients.

The reentrant variant is called through `checkpoint.__wrapped__`: the public `checkpoint` first wraps
itself in `torch._dynamo.disable` (relevant only under torch.compile), whose import costs about a second,
more than this whole demo. Its backward imports torch's symbolic-shapes module, so that is imported with
this module rather than inside the timed run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.fx.experimental.symbolic_shapes
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils import checkpoint as ckpt

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    depth: int = 16  # Linear + tanh + dropout blocks
    width: int = 256  # features per block
    batch: int = 64  # samples in the batch
    dropout: float = 0.1  # dropout probability inside every block (checkpoint must replay its masks)
    segments: tuple[int, ...] = (1, 2, 4, 8, 16)  # checkpointed runs: the blocks split into k segments
    tolerance: float = 1e-6  # gradients must match the normal run to this (max absolute difference)


class Block(nn.Module):
    """Linear -> tanh -> dropout, counting its forward calls."""

    def __init__(self, width: int, p: float) -> None:
        super().__init__()
        self.fc = nn.Linear(width, width)
        self.p = p
        self.calls = 0

    def forward(self, x: Tensor) -> Tensor:
        self.calls += 1
        return F.dropout(torch.tanh(self.fc(x)), self.p, training=self.training)


class _Meter:
    """Bytes of non-parameter tensors autograd holds for the backward pass: now and at the peak."""

    def __init__(self, params: list[nn.Parameter]) -> None:
        self.param_ptrs = {p.data_ptr() for p in params}
        self.live: dict[int, list[int]] = {}  # data_ptr -> [bytes, holders]: a tensor saved twice counts once
        self.now = 0
        self.peak = 0
        self.count = 0

    def pack(self, t: Tensor) -> Any:
        ptr = t.data_ptr()
        if ptr in self.param_ptrs:
            return t  # parameters are resident anyway; saving them costs nothing extra
        self.count += 1
        entry = self.live.setdefault(ptr, [t.numel() * t.element_size(), 0])
        if entry[1] == 0:
            self.now += entry[0]
            self.peak = max(self.peak, self.now)
        entry[1] += 1
        return _Holder(t, self, ptr)

    def release(self, ptr: int) -> None:
        entry = self.live[ptr]
        entry[1] -= 1
        if entry[1] == 0:
            self.now -= entry[0]
            del self.live[ptr]


class _Holder:
    """A saved tensor; when autograd drops it, its bytes leave the meter."""

    def __init__(self, t: Tensor, meter: _Meter, ptr: int) -> None:
        self.t, self.meter, self.ptr = t, meter, ptr

    def __del__(self) -> None:
        self.meter.release(self.ptr)


def _unpack(saved: Any) -> Tensor:
    return saved.t if isinstance(saved, _Holder) else saved


def run_step(net: nn.Sequential, x: Tensor, y: Tensor, segments: int, preserve_rng: bool, seed: int) -> dict[str, Any]:
    """One forward + backward; segments = 0 is the normal run. Returns bytes, calls, grads."""
    blocks = list(net)
    for b in blocks:
        b.calls = 0
    net.zero_grad(set_to_none=True)
    meter = _Meter(list(net.parameters()))
    torch.manual_seed(seed)  # the same dropout masks in every run
    with torch.autograd.graph.saved_tensors_hooks(meter.pack, _unpack):
        h = x
        if segments == 0:
            h = net(h)
        else:
            per = math.ceil(len(blocks) / segments)
            h = h.detach().requires_grad_(True)  # the reentrant variant needs an input that requires grad
            for start in range(0, len(blocks), per):
                seg = nn.Sequential(*blocks[start : start + per])
                h = ckpt.checkpoint.__wrapped__(seg, h, use_reentrant=True, preserve_rng_state=preserve_rng)
        loss = F.mse_loss(h, y)
        after_forward = meter.now
        loss.backward()
    forward_calls = sum(b.calls for b in blocks)  # after backward: checkpoint's recomputation included
    return {
        "after_forward": after_forward,
        "peak": meter.peak,
        "saved_tensors": meter.count,
        "forward_calls": forward_calls,
        "grads": [p.grad.detach().clone() for p in net.parameters()],
        "loss": float(loss.item()),
    }


def max_diff(a: list[Tensor], b: list[Tensor]) -> float:
    return max(float((u - v).abs().max().item()) for u, v in zip(a, b, strict=True))


@demo(
    "activation-checkpointing",
    topic="training-at-scale",
    summary="torch.utils.checkpoint: same gradients, fewer saved activation bytes, every forward run twice",
)
def activation_checkpointing(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    # 1. data and model: a deep MLP with dropout, the same weights for every run
    gen = seeded(ctx)
    x = randn(gen, cfg.batch, cfg.width, device=ctx.device)
    y = randn(gen, cfg.batch, cfg.width, device=ctx.device)
    net = nn.Sequential(*[Block(cfg.width, cfg.dropout) for _ in range(cfg.depth)]).to(ctx.device)
    net.train()
    seed = ctx.seed + 7

    # 2. normal step: autograd keeps every block's activations until the backward pass uses them
    ctx.progress("normal step", 0.0)
    base = run_step(net, x, y, 0, True, seed)

    # 3. checkpointed steps: only segment inputs are kept; each segment is recomputed in backward
    runs = []
    for i, k in enumerate(cfg.segments):
        ctx.progress(f"checkpoint, {k} segments", (i + 1) / (len(cfg.segments) + 2))
        r = run_step(net, x, y, k, True, seed)
        r["segments"] = k
        r["grad_diff"] = max_diff(r["grads"], base["grads"])
        runs.append(r)

    # 4. the failure mode: recomputing without restoring the RNG draws new dropout masks
    ctx.progress("checkpoint without RNG state", 1 - 1 / (len(cfg.segments) + 2))
    no_rng = run_step(net, x, y, 4, False, seed)
    no_rng_diff = max_diff(no_rng["grads"], base["grads"])
    grad_scale = max(float(g.abs().max().item()) for g in base["grads"])
    ctx.progress("done", 1.0)

    # 5. report
    def step_compute(r: dict[str, Any]) -> float:
        """Step compute relative to the normal step, taking a block's backward as two forwards."""
        return (r["forward_calls"] + 2 * cfg.depth) / (3 * cfg.depth)

    mib = 2**20
    rows: list[list[Any]] = [
        ["none", base["after_forward"] / mib, base["peak"] / mib, base["forward_calls"], 1.0, 0.0],
    ]
    rows += [
        [f"{r['segments']} segment{'s' if r['segments'] > 1 else ''}", r["after_forward"] / mib, r["peak"] / mib, r["forward_calls"],
         step_compute(r), r["grad_diff"]]
        for r in runs
    ]  # fmt: skip
    rows.append(
        ["4 segments, no RNG state", no_rng["after_forward"] / mib, no_rng["peak"] / mib, no_rng["forward_calls"],
         step_compute(no_rng), no_rng_diff]
    )  # fmt: skip
    best = min(runs, key=lambda r: r["peak"])
    max_grad_diff = max(r["grad_diff"] for r in runs)
    metrics = {
        "bytes_saved_normal": base["after_forward"],
        "peak_bytes_normal": base["peak"],
        "bytes_saved_best": best["after_forward"],
        "peak_bytes_best": best["peak"],
        "best_segments": best["segments"],
        "peak_ratio_best": best["peak"] / base["peak"],
        **{f"bytes_saved_{r['segments']}_segments": r["after_forward"] for r in runs},
        **{f"peak_bytes_{r['segments']}_segments": r["peak"] for r in runs},
        "forward_calls_normal": base["forward_calls"],
        "forward_calls_checkpoint": best["forward_calls"],
        "step_compute_ratio": step_compute(best),
        "max_grad_diff": max_grad_diff,
        "grad_diff_no_rng_state": no_rng_diff,
        "max_abs_grad": grad_scale,
        "depth": cfg.depth,
    }

    same = max_grad_diff <= cfg.tolerance
    parts = [
        f"With {best['segments']} checkpointed segments the activations held for backward peaked at "
        f"{fmt(best['peak'] / mib)} MiB against {fmt(base['peak'] / mib)} MiB normally "
        f"({fmt(100 * best['peak'] / base['peak'])}%), at the price of {best['forward_calls']} block forwards "
        f"instead of {base['forward_calls']} (about {fmt(100 * (step_compute(best) - 1))}% more step compute).",
    ]
    if max_grad_diff == 0:
        parts.append("Gradients were bit-for-bit those of the normal step, dropout included;")
    elif same:
        parts.append(f"Gradients matched the normal step to {fmt(max_grad_diff)} (at most), dropout included;")
    else:
        parts.append(f"Gradients differed from the normal step by up to {fmt(max_grad_diff)};")
    if no_rng_diff > 100 * max(max_grad_diff, cfg.tolerance):
        parts.append(
            f"without restoring the RNG state the recomputed dropout masks differ and so did the gradients, "
            f"by up to {fmt(no_rng_diff)}."
        )
    else:
        parts.append(f"without restoring the RNG state they differed by {fmt(no_rng_diff)}, no more than that.")
    return DemoResult(
        header=(
            f"One training step of a {cfg.depth}-block MLP (width {cfg.width}, dropout {cfg.dropout:g}) normally "
            "and with torch.utils.checkpoint over k segments. Saved activation bytes are counted by "
            "saved_tensors_hooks (parameters excluded), block forward calls by a counter."
        ),
        columns=[
            "checkpointing",
            "held after forward (MiB)",
            "peak held (MiB)",
            "block forwards",
            "step compute (est.)",
            "max grad diff",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="activation bytes held for backward (MiB) vs number of segments",
                series=[
                    Series("after forward", [r["after_forward"] / mib for r in runs], x=[r["segments"] for r in runs]),
                    Series("peak", [r["peak"] / mib for r in runs], x=[r["segments"] for r in runs]),
                    Series("normal step peak", [base["peak"] / mib] * len(runs), x=[r["segments"] for r in runs]),
                ],
                x_label="segments",
            )
        ],
    )
