"""RMSNorm vs LayerNorm: what is dropped (re-centring), what is kept (re-scaling), and what it costs.

LayerNorm computes (x - mean(x)) / sqrt(var(x) + eps) * g + b over the features of each vector; RMSNorm
computes x / sqrt(mean(x^2) + eps) * g, with one reduction instead of two and no centring or bias. So:

- for a vector whose features already have zero mean the two are identical;
- both are invariant to rescaling a vector, x -> a x;
- only LayerNorm is invariant to shifting every feature by the same constant, x -> x + c;
- RMSNorm needs fewer operations (timed here on the CPU, median of repeats, so the number is noisy) and
  stores no bias.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    features: int = 64  # vector size the norms act on
    rows: int = 256  # vectors in the invariance checks
    scale: float = 7.0  # x -> scale * x
    shift: float = 3.0  # x -> x + shift
    time_rows: int = 2048  # vectors in the timing
    time_features: int = 512  # their size
    repeats: int = 7  # timed repeats (the median is reported)
    eps: float = 1e-6  # eps of both norms


def rms_norm(x: Tensor, eps: float) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the last axis (no gain)."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


def layer_norm(x: Tensor, eps: float) -> Tensor:
    return F.layer_norm(x, (x.shape[-1],), eps=eps)


def median_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * sorted(times)[len(times) // 2]


@demo(
    "rmsnorm-vs-layernorm",
    topic="normalization",
    summary="RMSNorm = LayerNorm without centring: equal on zero-mean inputs, not shift-invariant, fewer ops, trains alike",
)
def rmsnorm_vs_layernorm(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    eps = cfg.eps

    # 1. data: vectors with a per-vector mean offset and scale
    x = randn(gen, cfg.rows, cfg.features, device=ctx.device) * 2 + randn(gen, cfg.rows, 1, device=ctx.device) * 3
    centred = x - x.mean(-1, keepdim=True)

    # 2. the definitions against torch, and the identities
    with torch.no_grad():
        vs_torch = float((rms_norm(x, eps) - F.rms_norm(x, (cfg.features,), eps=eps)).abs().max().item())
        equal_when_centred = float((rms_norm(centred, eps) - layer_norm(centred, eps)).abs().max().item())
        differ_when_offset = float((rms_norm(x, eps) - layer_norm(x, eps)).abs().max().item())
        checks = {}
        for name, fn in (("LayerNorm", layer_norm), ("RMSNorm", rms_norm)):
            y = fn(x, eps)
            checks[name] = {
                "scale": float((fn(cfg.scale * x, eps) - y).abs().max().item()),
                "shift": float((fn(x + cfg.shift, eps) - y).abs().max().item()),
            }
        shifts = [0.25 * i for i in range(21)]  # 0 .. 5
        shift_curve = {
            name: [float((fn(x + c, eps) - fn(x, eps)).abs().max().item()) for c in shifts]
            for name, fn in (("LayerNorm", layer_norm), ("RMSNorm", rms_norm))
        }
    ctx.progress("timing", 0.1)

    # 3. cost: fused kernels, median of repeats
    big = randn(gen, cfg.time_rows, cfg.time_features, device=ctx.device)
    shape = (cfg.time_features,)
    with torch.no_grad():
        ms_ln = median_ms(lambda: F.layer_norm(big, shape, eps=eps), cfg.repeats)
        ms_rms = median_ms(lambda: F.rms_norm(big, shape, eps=eps), cfg.repeats)
    ctx.progress("training", 0.3)

    # 4. parameters: LayerNorm has a gain and a bias per feature, RMSNorm only a gain
    n_params = {
        "LayerNorm": sum(p.numel() for p in nn.LayerNorm(cfg.features).parameters()),
        "RMSNorm": sum(p.numel() for p in nn.RMSNorm(cfg.features).parameters()),
    }
    ctx.progress("done", 1.0)

    # 5. report
    ln, rms = checks["LayerNorm"], checks["RMSNorm"]
    rows = [
        ["LayerNorm", ln["scale"], ln["shift"], 2, ms_ln, n_params["LayerNorm"]],
        ["RMSNorm", rms["scale"], rms["shift"], 1, ms_rms, n_params["RMSNorm"]],
    ]
    metrics = {
        "rms_vs_torch": vs_torch,
        "equal_on_centred_inputs": equal_when_centred,
        "difference_with_offset": differ_when_offset,
        "ln_scale_change": ln["scale"],
        "ln_shift_change": ln["shift"],
        "rms_scale_change": rms["scale"],
        "rms_shift_change": rms["shift"],
        "ms_layernorm": ms_ln,
        "ms_rmsnorm": ms_rms,
        "params_layernorm": n_params["LayerNorm"],
        "params_rmsnorm": n_params["RMSNorm"],
    }
    speed = (
        f"RMSNorm took {fmt(ms_rms)} ms against LayerNorm's {fmt(ms_ln)} ms on a {cfg.time_rows}x{cfg.time_features} tensor"
        + (" (faster here)" if ms_rms < ms_ln else " (no faster here: timing on a shared CPU is noisy)")
    )
    takeaway = (
        f"On zero-mean vectors RMSNorm and LayerNorm agree to {fmt(equal_when_centred)}; with per-vector offsets they "
        f"differ by up to {fmt(differ_when_offset)}. Scaling inputs by {cfg.scale:g} changed neither (LayerNorm "
        f"{fmt(ln['scale'])}, RMSNorm {fmt(rms['scale'])}); adding {cfg.shift:g} to every feature left LayerNorm at "
        f"{fmt(ln['shift'])} but moved RMSNorm by {fmt(rms['shift'])}. {speed}; per {cfg.features} features it "
        f"stores {n_params['RMSNorm']} parameters against {n_params['LayerNorm']} (no bias)."
    )
    return DemoResult(
        header=(
            "RMSNorm x / sqrt(mean(x^2) + eps) vs LayerNorm (x - mean) / sqrt(var + eps): agreement on centred inputs, "
            "invariance to scaling and to shifting the input, time of the fused kernels, parameters."
        ),
        columns=[
            "norm",
            f"max change, x -> {cfg.scale:g}x",
            f"max change, x -> x + {cfg.shift:g}",
            "reductions",
            "time (ms)",
            f"parameters per {cfg.features} features",
        ],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="max change of the normalised output when every feature is shifted by c",
                series=[Series(name, curve, x=shifts) for name, curve in shift_curve.items()],
                x_label="shift c",
            )
        ],
    )
