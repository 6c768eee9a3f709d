"""FP16 gradient underflow, loss scaling, dynamic loss scaling, BF16's range, and FP32 master weights.

Late in training many gradient values are tiny. FP16 represents magnitudes only down to about 6e-8
(subnormals below 6.1e-5 keep fewer and fewer significant bits), so casting such gradients to FP16 turns
a large share of them into exact zeros. Loss scaling multiplies the loss (and so, by linearity of
backward, every gradient) by S before the 16-bit backward pass and divides by S afterwards in FP32:
here we scale synthetic gradients in FP32, cast to FP16, cast back and unscale, which is what happens to
each value (apart from rounding inside the backward pass). Too small an S leaves values underflowing,
too large a one overflows the largest ones past 65504 to inf. Dynamic loss scaling (as torch's
GradScaler does) halves S and skips the step on any inf/NaN and doubles it after a run of clean steps;
we simulate it over a run whose gradients shrink tenfold and now and then spike. BF16 has FP32's 8-bit
exponent, so the same gradients keep their magnitude without any scaling, with a coarser mantissa.

Last, why the optimizer keeps FP32 master weights: an update of 1e-4 added to a weight of magnitude
about 1 is below half the spacing of FP16 numbers there (~4.9e-4 to 9.8e-4), so it rounds away; FP32
master weights accumulate it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_grads: int = 65536  # gradient entries in the static experiment
    log10_mean: float = -7.0  # gradient magnitudes are 10^N(log10_mean, log10_std): mostly tiny
    log10_std: float = 1.2  # spread of the magnitudes in decades
    scale_exponents: tuple[int, ...] = (0, 4, 8, 12, 16, 20, 24, 28, 32)  # fixed loss scales S = 2^e tried
    steps: int = 300  # steps of the dynamic-loss-scaling run
    n_step_grads: int = 4096  # gradient entries per step in the dynamic run
    run_log10_start: float = -5.0  # log10 of the typical gradient magnitude at the run's first step ...
    run_log10_end: float = -8.0  # ... and at its last: gradients shrink as the loss falls
    fixed_exponent: int = 8  # the fixed-scale run uses S = 2^8, safe at the start
    spike_every: int = 37  # every this many steps the gradients spike
    spike_factor: float = 1000.0  # ... by this factor
    init_exponent: int = 16  # dynamic scaling starts at 2^16 (GradScaler's default init_scale)
    growth_interval: int = 20  # clean steps before the scale doubles (GradScaler's default: 2000)
    n_weights: int = 8192  # weights in the master-weight experiment
    update: float = 1e-4  # size of every weight update (e.g. lr 1e-4 times an Adam step of ~1)
    n_updates: int = 100  # updates applied


def cast_roundtrip(g: Tensor, dtype: torch.dtype, scale: float) -> Tensor:
    """Scale in FP32, store in `dtype` (as the 16-bit backward pass does), back to FP32, unscale."""
    return (g * scale).to(dtype).float() / scale


def damage(g: Tensor, r: Tensor) -> dict[str, float]:
    """Shares of entries that became zero or inf/NaN, and the median relative error of the rest."""
    zero = (r == 0) & (g != 0)
    bad = ~torch.isfinite(r)
    ok = ~zero & ~bad
    rel = ((r - g).abs() / g.abs())[ok]
    return {
        "zero": float(zero.float().mean().item()),
        "overflow": float(bad.float().mean().item()),
        "rel_err": float(rel.median().item()) if rel.numel() else math.nan,
    }


def scaled_run(
    cfg: Config,
    gen: torch.Generator,
    ctx: DemoContext,
    steps: int,
    exponent: int,
    dynamic: bool,
    span: tuple[float, float],
) -> dict[str, Any]:
    """A run of `steps` steps at scale 2^exponent, fixed or dynamic; gradients shrink over the run and spike."""
    gen.manual_seed(ctx.seed + 11)  # the same gradients in every run
    clean = 0
    skipped = 0
    exps: list[float] = []
    zeros: list[float] = []
    report = ticker(ctx, "dynamic loss scaling" if dynamic else f"fixed loss scale 2^{exponent}", *span)
    for t in range(steps):
        centre = cfg.run_log10_start + (cfg.run_log10_end - cfg.run_log10_start) * t / max(steps - 1, 1)
        logmag = randn(gen, cfg.n_step_grads, device=ctx.device) * cfg.log10_std + centre
        g = torch.pow(10.0, logmag)
        if t % cfg.spike_every == cfg.spike_every - 1:
            g = g * cfg.spike_factor
        scale = 2.0**exponent
        r = cast_roundtrip(g, torch.float16, scale)
        finite = bool(torch.isfinite(r).all().item())
        exps.append(float(exponent))
        if not finite:
            skipped += 1  # the optimizer step is skipped: no update from inf/NaN gradients
            zeros.append(math.nan)
            if dynamic:
                exponent -= 1  # halve the scale
                clean = 0
            continue
        zeros.append(float(((r == 0) & (g != 0)).float().mean().item()))
        clean += 1
        if dynamic and clean == cfg.growth_interval:
            exponent += 1  # double the scale after a run of clean steps
            clean = 0
        if t % max(1, steps // 10) == 0:
            report(t / steps)
    late = [z for z in zeros[int(0.8 * steps) :] if not math.isnan(z)]
    return {
        "skipped": skipped,
        "exponents": exps,
        "zeros": zeros,
        "late_zero": sum(late) / len(late) if late else math.nan,
        "final_exponent": exponent,
    }


def master_weights(cfg: Config, gen: torch.Generator, device: str) -> dict[str, dict[str, float]]:
    """Apply n_updates updates of size `update` to weights stored in FP16, BF16 and FP32."""
    w0 = randn(gen, cfg.n_weights, device=device)
    sign = torch.sign(randn(gen, cfg.n_weights, device=device))
    u = cfg.update * sign
    intended = cfg.n_updates * u
    out = {}
    for name, dtype in (("fp16", torch.float16), ("bf16", torch.bfloat16), ("fp32", torch.float32)):
        w = w0.to(dtype)
        start = w.float()
        step = u.to(dtype)
        for _ in range(cfg.n_updates):
            w = w + step
        moved = w.float() - start
        out[name] = {
            "frozen": float((moved == 0).float().mean().item()),
            "update_error": float(((moved - intended).abs().mean() / intended.abs().mean()).item()),
        }
    return out


@demo(
    "fp16-loss-scaling",
    topic="training-at-scale",
    summary="tiny gradients underflow to 0 in FP16; loss scaling and dynamic scaling recover them; BF16 range",
)
def fp16_loss_scaling(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: gradient entries with log-normal magnitudes around 1e-7 and random signs
    logmag = randn(gen, cfg.n_grads, device=ctx.device) * cfg.log10_std + cfg.log10_mean
    g = torch.pow(10.0, logmag) * torch.sign(randn(gen, cfg.n_grads, device=ctx.device))
    ctx.progress("casting", 0.05)

    # 2. plain casts: FP16 without scaling, BF16 without scaling
    fp16 = damage(g, cast_roundtrip(g, torch.float16, 1.0))
    bf16 = damage(g, cast_roundtrip(g, torch.bfloat16, 1.0))

    # 3. fixed loss scales: scale, cast to FP16, unscale
    sweep = [(e, damage(g, cast_roundtrip(g, torch.float16, 2.0**e))) for e in cfg.scale_exponents]
    best_e, best = min(sweep, key=lambda item: (item[1]["zero"] + item[1]["overflow"], item[0]))
    top_e, top = sweep[-1]
    ctx.progress("loss scales", 0.3)

    # 4. a run of training steps whose gradients shrink: no scaling, a fixed scale, dynamic loss scaling
    plain = scaled_run(cfg, gen, ctx, steps, 0, False, (0.3, 0.4))
    static = scaled_run(cfg, gen, ctx, steps, cfg.fixed_exponent, False, (0.4, 0.55))
    dyn = scaled_run(cfg, gen, ctx, steps, cfg.init_exponent, True, (0.55, 0.8))

    # 5. master weights: small updates to 16-bit weights round away
    ctx.progress("master weights", 0.85)
    mw = master_weights(cfg, gen, ctx.device)
    ctx.progress("done", 1.0)

    # 6. report
    def pct(v: float) -> str:
        return "0%" if v == 0 else f"{100 * v:.3f}%" if v < 1e-3 else f"{100 * v:.1f}%"

    rows: list[list[Any]] = [["FP16, no scaling", 1, fp16["zero"], fp16["overflow"], fp16["rel_err"]]]
    rows += [[f"FP16, S = 2^{e}", 2**e, d["zero"], d["overflow"], d["rel_err"]] for e, d in sweep if e > 0]
    rows.append(["BF16, no scaling", 1, bf16["zero"], bf16["overflow"], bf16["rel_err"]])
    rows.append(["FP16 run, no scaling", 1, plain["late_zero"], plain["skipped"], math.nan])
    rows.append([f"FP16 run, fixed S = 2^{cfg.fixed_exponent}", 2**cfg.fixed_exponent, static["late_zero"],
                 static["skipped"], math.nan])  # fmt: skip
    rows.append([f"FP16 run, dynamic (ends at 2^{dyn['final_exponent']})", 2 ** dyn["final_exponent"],
                 dyn["late_zero"], dyn["skipped"], math.nan])  # fmt: skip
    for name in ("fp16", "bf16", "fp32"):
        rows.append(
            [f"{name.upper()} weights + {cfg.n_updates} updates of {cfg.update:g}", 1, mw[name]["frozen"], 0.0,
             mw[name]["update_error"]]
        )  # fmt: skip

    metrics = {
        "zero_share_fp16": fp16["zero"],
        "zero_share_bf16": bf16["zero"],
        "best_scale_exponent": best_e,
        "zero_share_best_scale": best["zero"],
        "overflow_share_best_scale": best["overflow"],
        "top_scale_exponent": top_e,
        "overflow_share_top_scale": top["overflow"],
        "rel_err_fp16_best_scale": best["rel_err"],
        "rel_err_bf16": bf16["rel_err"],
        "late_zero_share_unscaled": plain["late_zero"],
        "late_zero_share_fixed": static["late_zero"],
        "late_zero_share_dynamic": dyn["late_zero"],
        "skipped_steps_fixed": static["skipped"],
        "skipped_steps_dynamic": dyn["skipped"],
        "final_scale_exponent_dynamic": dyn["final_exponent"],
        "steps": steps,
        "frozen_share_fp16_weights": mw["fp16"]["frozen"],
        "frozen_share_bf16_weights": mw["bf16"]["frozen"],
        "frozen_share_fp32_weights": mw["fp32"]["frozen"],
        "update_error_fp32_weights": mw["fp32"]["update_error"],
    }

    best_lost = best["zero"] + best["overflow"]
    parts = [
        f"Cast to FP16, {pct(fp16['zero'])} of the gradient entries became exactly 0;",
        (f"with loss scale 2^{best_e} none were lost," if best_lost == 0 else
         f"with loss scale 2^{best_e} {pct(best['zero'])} were zeroed and {pct(best['overflow'])} overflowed,"),
        f"while 2^{top_e} overflowed {pct(top['overflow'])} to inf.",
    ]  # fmt: skip
    if bf16["zero"] < fp16["zero"]:
        kept = "every entry" if bf16["zero"] == 0 else f"all but {pct(bf16['zero'])}"
        parts.append(
            f"BF16 kept {kept} without any scaling, at a median relative error of {fmt(bf16['rel_err'])} "
            f"against {fmt(best['rel_err'])} for scaled FP16."
        )
    else:
        parts.append(f"BF16 lost {pct(bf16['zero'])} as well.")
    if dyn["late_zero"] < static["late_zero"]:
        parts.append(
            f"Over a {steps}-step run whose gradients shrink a thousandfold, the last fifth of the steps lost "
            f"{pct(plain['late_zero'])} of the entries unscaled and {pct(static['late_zero'])} at a fixed "
            f"2^{cfg.fixed_exponent}; dynamic scaling ended at 2^{dyn['final_exponent']} and lost "
            f"{pct(dyn['late_zero'])}, skipping {dyn['skipped']} overflowing steps (halving the scale each time)."
        )
    else:
        parts.append(
            f"Over a {steps}-step run dynamic scaling lost {pct(dyn['late_zero'])} late on, no better than the "
            f"fixed scale's {pct(static['late_zero'])}."
        )
    parts.append(
        f"Updates of {cfg.update:g} left {pct(mw['fp16']['frozen'])} of FP16-stored weights unchanged "
        f"(BF16: {pct(mw['bf16']['frozen'])}), against {pct(mw['fp32']['frozen'])} of FP32 master weights."
    )
    return DemoResult(
        header=(
            "Synthetic gradients with magnitudes around 1e-7 are cast to FP16 and BF16, with and without loss "
            "scaling (scale in FP32, cast, unscale); then a run of steps with a fixed and a dynamic scale, and "
            "small updates applied to weights stored in FP16, BF16 and FP32."
        ),
        columns=[
            "setting",
            "scale",
            "share zeroed / weights frozen",
            "share inf / steps skipped",
            "median rel. error",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="FP16: share of gradient entries lost vs log2 of the loss scale",
                series=[
                    Series("became 0", [d["zero"] for _, d in sweep], x=[float(e) for e, _ in sweep]),
                    Series("became inf", [d["overflow"] for _, d in sweep], x=[float(e) for e, _ in sweep]),
                ],
                x_label="log2 S",
            ),
            Chart(
                title="dynamic loss scaling: log2 of the scale per step",
                series=[Series("log2 S", thin(dyn["exponents"]))],
            ),
        ],
    )
