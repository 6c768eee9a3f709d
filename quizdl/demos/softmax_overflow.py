"""Softmax overflow: exp(z) / sum exp(z) breaks for large or very negative logits; subtracting the max does not.

softmax(z + c) = softmax(z) for any constant c, so shifting every logit by c must not change the answer.
The naive formula computes exp(z + c) first: in float32 exp overflows to inf above about 88.7 (inf / inf =
NaN) and underflows to 0 below about -103 (0 / 0 = NaN); in float16 the limits are about 11.1 and -17.3,
so a logit of 12 already breaks it. The stable version computes exp(z - max z), whose largest term is
exp(0) = 1, so nothing overflows and the sum is at least 1. We push the same logits, shifted by several
constants, through both versions in float32 and float16, and compare with a float64 softmax of the same
(rounded) inputs and with torch.softmax. Then the same for the log: log(softmax(z)) gives -inf (and a NaN
gradient) once a probability underflows, while log-softmax z - logsumexp(z) stays exact; that is why
cross-entropy losses take logits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    rows: int = 256  # logit vectors
    classes: int = 10  # logits per vector
    logit_std: float = 3.0  # spread of the base logits
    shifts: tuple[float, ...] = (-120.0, -30.0, 0.0, 15.0, 100.0)  # constants added to every logit
    wrong_margin: float = 200.0  # log-softmax test: the true class's logit is this far below the top one


def naive_softmax(z: Tensor) -> Tensor:
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)


def stable_softmax(z: Tensor) -> Tensor:
    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def compare(p: Tensor, reference: Tensor) -> tuple[float, float]:
    """(share of non-finite outputs, max |p - reference| over the finite ones, inf if none is finite)."""
    p = p.double()
    finite = torch.isfinite(p)
    bad = float((~finite).float().mean().item())
    err = float((p[finite] - reference[finite]).abs().max().item()) if bool(finite.any()) else float("inf")
    return bad, err


@demo(
    "softmax-overflow",
    topic="activations",
    summary="naive exp(z)/sum exp(z) gives NaN for large or very negative logits (float32, float16); max-subtracted is exact",
)
def softmax_overflow(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)

    # 1. data: base logits; every shifted copy has (mathematically) the same softmax
    base = randn(gen, cfg.rows, cfg.classes, device=ctx.device) * cfg.logit_std

    # 2. naive vs stable softmax at each shift, in float32 and float16
    rows: list[list[object]] = []
    results: dict[tuple[str, str, float], tuple[float, float]] = {}
    vs_torch: dict[str, float] = {}
    for d, (dtype_name, dtype) in enumerate((("float32", torch.float32), ("float16", torch.float16))):
        for i, shift in enumerate(cfg.shifts):
            z = (base + shift).to(dtype)
            reference = torch.softmax(z.double(), dim=-1)  # exact softmax of the inputs as stored in this dtype
            for method, fn in (("naive", naive_softmax), ("max-subtracted", stable_softmax)):
                bad, err = compare(fn(z), reference)
                results[(dtype_name, method, shift)] = (bad, err)
                rows.append([dtype_name, shift, method, bad, err])
            diff = (stable_softmax(z).double() - torch.softmax(z, dim=-1).double()).abs().max()
            vs_torch[dtype_name] = max(vs_torch.get(dtype_name, 0.0), float(diff.item()))
            ctx.progress(f"softmax in {dtype_name}", (d * len(cfg.shifts) + i + 1) / (2 * len(cfg.shifts) + 1))

    # 3. the log: a confidently wrong prediction, log(softmax) vs log-softmax, value and gradient
    z = torch.zeros(1, cfg.classes, device=ctx.device)
    z[0, 0] = cfg.wrong_margin  # the model is sure of class 0; the true class is 1 (logit 0)
    exact = cfg.wrong_margin + math.log1p((cfg.classes - 1) * math.exp(-cfg.wrong_margin))  # logsumexp(z) - z_1
    naive_z = z.clone().requires_grad_(True)
    naive_ce = -torch.log(stable_softmax(naive_z))[0, 1]  # even max-subtracted, exp(-200) underflows to 0
    naive_ce.backward()
    fused_z = z.clone().requires_grad_(True)
    fused_ce = -torch.log_softmax(fused_z, dim=-1)[0, 1]
    fused_ce.backward()
    naive_grad_finite = bool(torch.isfinite(naive_z.grad).all().item())
    fused_grad_finite = bool(torch.isfinite(fused_z.grad).all().item())
    expected_grad = torch.softmax(z.double(), dim=-1)
    expected_grad[0, 1] -= 1  # d CE / d z = softmax(z) - onehot(y)
    fused_grad_err = float((fused_z.grad.double() - expected_grad).abs().max().item())
    ctx.progress("log-softmax", 1.0)

    # 4. report
    def res(dtype: str, method: str, shift: float) -> tuple[float, float]:
        return results[(dtype, method, shift)]

    top_shift, low_shift = max(cfg.shifts), min(cfg.shifts)
    fp16_small_shift = min(s for s in cfg.shifts if s > 0)
    stable_worst = {d: max(res(d, "max-subtracted", s)[1] for s in cfg.shifts) for d in ("float32", "float16")}
    stable_bad = max(res(d, "max-subtracted", s)[0] for d in ("float32", "float16") for s in cfg.shifts)
    metrics = {
        "naive_nan_share_fp32_large": res("float32", "naive", top_shift)[0],
        "naive_nan_share_fp32_very_negative": res("float32", "naive", low_shift)[0],
        "naive_nan_share_fp32_unshifted": res("float32", "naive", 0.0)[0],
        "naive_error_fp32_unshifted": res("float32", "naive", 0.0)[1],
        "naive_nan_share_fp16_shift": res("float16", "naive", fp16_small_shift)[0],
        "naive_nan_share_fp16_negative": res("float16", "naive", -30.0)[0] if -30.0 in cfg.shifts else 0.0,
        "fp16_shift": fp16_small_shift,
        "stable_nonfinite_share": stable_bad,
        "stable_max_error_fp32": stable_worst["float32"],
        "stable_max_error_fp16": stable_worst["float16"],
        "stable_vs_torch_softmax_fp32": vs_torch["float32"],
        "stable_vs_torch_softmax_fp16": vs_torch["float16"],
        "log_of_softmax_ce": float(naive_ce.item()),
        "log_softmax_ce": float(fused_ce.item()),
        "exact_ce": exact,
        "log_of_softmax_grad_finite": naive_grad_finite,
        "log_softmax_grad_finite": fused_grad_finite,
        "log_softmax_grad_error": fused_grad_err,
    }

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    parts = [
        f"Shifting every logit by {top_shift:g} turned {pct(metrics['naive_nan_share_fp32_large'])} of the naive "
        f"float32 outputs into NaN (by {low_shift:g}: {pct(metrics['naive_nan_share_fp32_very_negative'])}); in "
        f"float16 a shift of only {fp16_small_shift:g} broke {pct(metrics['naive_nan_share_fp16_shift'])}.",
    ]
    if stable_bad == 0:
        parts.append(
            f"The max-subtracted softmax stayed finite everywhere, within {fmt(stable_worst['float32'])} (float32) "
            f"and {fmt(stable_worst['float16'])} (float16) of a float64 softmax of the same inputs, and within "
            f"{fmt(vs_torch['float32'])} of torch.softmax in float32."
        )
    else:
        parts.append(f"Even the max-subtracted softmax produced {pct(stable_bad)} non-finite outputs here.")
    parts.append(
        f"For a prediction {cfg.wrong_margin:g} logits off, log(softmax) gave a loss of {fmt(metrics['log_of_softmax_ce'])}"
        f"{' with a NaN gradient' if not naive_grad_finite else ''}, log-softmax gave {fmt(metrics['log_softmax_ce'])} "
        f"(exact {fmt(exact)}) and the gradient softmax(z) - y to {fmt(fused_grad_err)}."
    )
    chart_series = [
        Series(f"{method}, {dtype}", [res(dtype, method, s)[0] for s in cfg.shifts], x=[float(s) for s in cfg.shifts])
        for dtype in ("float32", "float16")
        for method in ("naive", "max-subtracted")
    ]
    return DemoResult(
        header=(
            f"Computes softmax of {cfg.rows} logit vectors shifted by {', '.join(f'{s:g}' for s in cfg.shifts)} "
            "(a shift must not change softmax) with the naive formula and the max-subtracted one, in float32 and "
            "float16, against a float64 reference; then -log p of a confidently wrong prediction."
        ),
        columns=["dtype", "shift", "method", "share NaN/inf", "max |error| (finite outputs)"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(title="share of NaN/inf outputs vs shift added to the logits", series=chart_series, x_label="shift")
        ],
    )
