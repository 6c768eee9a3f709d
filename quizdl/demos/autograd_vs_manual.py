"""Autograd vs a hand-written backward pass: the same chain-rule terms, and why frameworks fuse softmax + log.

A two-layer classifier (x -> Linear -> tanh -> Linear -> softmax cross-entropy) is differentiated twice:
by autograd, and by hand with the chain rule, term by term:
    dL/dz2 = (softmax(z2) - Y) / B          (softmax and cross-entropy together: p - y)
    dL/dW2 = dz2^T a1,  dL/db2 = sum dz2,   dL/da1 = dz2 W2
    dL/dz1 = dL/da1 * (1 - a1^2)            (tanh' = 1 - tanh^2)
    dL/dW1 = dz1^T x,   dL/db1 = sum dz1,   dL/dx = dz1 W1
Every term is compared with the tensor autograd computes (intermediates via retain_grad), in float64 (agree
to ~1e-16) and float32 (~1e-7: rounding, not a bug). The same (p - y) / B backward wrapped in a custom
torch.autograd.Function gives F.cross_entropy's gradients. The contrast: with large logits, autograd through
the naive composition log(softmax(z)) hits log(0) = -inf and returns NaN gradients, while the fused
F.cross_entropy (log-softmax) and the (p - y) formula stay finite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    batch: int = 32  # examples in the batch
    n_in: int = 6  # input features
    hidden: int = 10  # tanh hidden units
    classes: int = 4  # softmax classes
    big_logit_scale: float = 1000.0  # logits multiplied by this for the stability contrast


class SoftmaxCrossEntropy(torch.autograd.Function):
    """Mean cross-entropy of softmax(z) against one-hot Y, with the hand-derived backward (p - Y) / B."""

    @staticmethod
    def forward(ctx: Any, z: Tensor, onehot: Tensor) -> Tensor:
        logp = z - torch.logsumexp(z, dim=1, keepdim=True)
        ctx.save_for_backward(logp.exp(), onehot)
        return -(onehot * logp).sum() / z.shape[0]

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> tuple[Tensor, None]:
        p, onehot = ctx.saved_tensors
        return grad_out * (p - onehot) / p.shape[0], None


def _terms(cfg: Config, ctx: DemoContext, dtype: torch.dtype) -> dict[str, float]:
    """Max |manual - autograd| for each chain-rule term, in the given dtype."""
    # 1. data and weights (drawn in float32 on the CPU, then cast, so both dtypes see the same numbers)
    gen = seeded(ctx)
    dev = ctx.device
    x = randn(gen, cfg.batch, cfg.n_in, device=dev).to(dtype).requires_grad_()
    labels = torch.randint(0, cfg.classes, (cfg.batch,), generator=gen).to(dev)
    w1 = (randn(gen, cfg.hidden, cfg.n_in, device=dev) / cfg.n_in**0.5).to(dtype).requires_grad_()
    b1 = (0.1 * randn(gen, cfg.hidden, device=dev)).to(dtype).requires_grad_()
    w2 = (randn(gen, cfg.classes, cfg.hidden, device=dev) / cfg.hidden**0.5).to(dtype).requires_grad_()
    b2 = (0.1 * randn(gen, cfg.classes, device=dev)).to(dtype).requires_grad_()

    # 2. forward, keeping the intermediates' gradients, then autograd's backward
    z1 = x @ w1.T + b1
    a1 = torch.tanh(z1)
    z2 = a1 @ w2.T + b2
    for t in (z1, a1, z2):
        t.retain_grad()
    F.cross_entropy(z2, labels).backward()

    # 3. the hand-written backward, term by term
    with torch.no_grad():
        onehot = F.one_hot(labels, cfg.classes).to(dtype)
        dz2 = (torch.softmax(z2, dim=1) - onehot) / cfg.batch
        manual = {"dL/dz2 = (p - y) / B": (dz2, z2.grad)}
        manual["dL/dW2 = dz2^T a1"] = (dz2.T @ a1, w2.grad)
        manual["dL/db2 = sum dz2"] = (dz2.sum(0), b2.grad)
        da1 = dz2 @ w2
        manual["dL/da1 = dz2 W2"] = (da1, a1.grad)
        dz1 = da1 * (1 - a1 * a1)
        manual["dL/dz1 = dL/da1 * (1 - a1^2)"] = (dz1, z1.grad)
        manual["dL/dW1 = dz1^T x"] = (dz1.T @ x, w1.grad)
        manual["dL/db1 = sum dz1"] = (dz1.sum(0), b1.grad)
        manual["dL/dx = dz1 W1"] = (dz1 @ w1, x.grad)
        return {name: float((ours - theirs).abs().max().item()) for name, (ours, theirs) in manual.items()} | {
            name + " |size|": float(theirs.abs().max().item()) for name, (_, theirs) in manual.items()
        }


def _stability(cfg: Config, ctx: DemoContext, dtype: torch.dtype) -> dict[str, float | bool]:
    """Large logits: naive log(softmax) vs fused cross-entropy vs the custom (p - y) Function."""
    gen = seeded(ctx, offset=1)
    dev = ctx.device
    z = (cfg.big_logit_scale * randn(gen, cfg.batch, cfg.classes, device=dev)).to(dtype)
    labels = torch.randint(0, cfg.classes, (cfg.batch,), generator=gen).to(dev)
    onehot = F.one_hot(labels, cfg.classes).to(dtype)
    out: dict[str, float | bool] = {}
    grads: dict[str, Tensor] = {}
    for name, loss_fn in (
        ("naive", lambda t: -(onehot * torch.log(torch.softmax(t, dim=1))).sum() / cfg.batch),
        ("fused", lambda t: F.cross_entropy(t, labels)),
        ("custom", lambda t: SoftmaxCrossEntropy.apply(t, onehot)),
    ):
        t = z.clone().requires_grad_()
        loss = loss_fn(t)
        loss.backward()
        grads[name] = t.grad
        out[f"{name}_loss"] = float(loss.item())
        out[f"{name}_grad_finite"] = bool(torch.isfinite(t.grad).all().item())
        out[f"{name}_grad_nan"] = bool(torch.isnan(t.grad).any().item())
    out["custom_vs_fused"] = float((grads["custom"] - grads["fused"]).abs().max().item())
    # the custom Function on ordinary logits equals autograd through F.cross_entropy
    z_small = randn(gen, cfg.batch, cfg.classes, device=dev).to(dtype)
    t1, t2 = z_small.clone().requires_grad_(), z_small.clone().requires_grad_()
    SoftmaxCrossEntropy.apply(t1, onehot).backward()
    F.cross_entropy(t2, labels).backward()
    out["custom_vs_fused_small"] = float((t1.grad - t2.grad).abs().max().item())
    return out


@demo(
    "autograd-vs-manual",
    topic="frameworks",
    summary="hand-written chain rule vs autograd on a 2-layer net, term by term; naive log(softmax) gives NaN",
)
def autograd_vs_manual(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    wide = torch.float32 if ctx.device == "mps" else torch.float64  # MPS has no float64

    # 4. compare every chain-rule term in double and single precision
    d64 = _terms(cfg, ctx, wide)
    ctx.progress("float32", 0.4)
    d32 = _terms(cfg, ctx, torch.float32)
    ctx.progress("stability", 0.8)
    stab = _stability(cfg, ctx, wide)
    ctx.progress("done", 1.0)

    # 5. report
    names = [name for name in d64 if not name.endswith("|size|")]
    rows: list[list[object]] = [[name, d64[name + " |size|"], d64[name], d32[name]] for name in names]
    rows += [
        ["custom Function (p - y)/B vs F.cross_entropy", "", stab["custom_vs_fused_small"], ""],
        [
            f"logits x{cfg.big_logit_scale:g}: loss naive / fused / custom",
            "",
            f"{fmt(stab['naive_loss'])} / {fmt(stab['fused_loss'])} / {fmt(stab['custom_loss'])}",
            "",
        ],
        [
            f"logits x{cfg.big_logit_scale:g}: gradient finite naive / fused / custom",
            "",
            f"{stab['naive_grad_finite']} / {stab['fused_grad_finite']} / {stab['custom_grad_finite']}",
            "",
        ],
    ]
    max64, max32 = max(d64[n] for n in names), max(d32[n] for n in names)
    metrics = {
        "max_diff_float64": max64,
        "max_diff_float32": max32,
        "diff_float64": {n: d64[n] for n in names},
        "custom_vs_fused": stab["custom_vs_fused_small"],
        "naive_loss": stab["naive_loss"],
        "fused_loss": stab["fused_loss"],
        "naive_grad_finite": stab["naive_grad_finite"],
        "naive_grad_nan": stab["naive_grad_nan"],
        "fused_grad_finite": stab["fused_grad_finite"],
        "custom_grad_finite": stab["custom_grad_finite"],
        "custom_vs_fused_big_logits": stab["custom_vs_fused"],
    }
    agree = max64 < 1e-6
    naive_broke = stab["naive_grad_nan"] and stab["fused_grad_finite"] and stab["custom_grad_finite"]
    takeaway = (
        f"All {len(names)} hand-derived chain-rule terms {'match' if agree else 'do NOT match'} autograd: the "
        f"largest difference is {fmt(max64)} in {'float64' if wide == torch.float64 else 'float32'} and "
        f"{fmt(max32)} in float32 (rounding, not a bug). The custom autograd.Function with backward (p - y)/B "
        f"gives F.cross_entropy's gradient to {fmt(stab['custom_vs_fused_small'])}. "
        + (
            f"With logits x{cfg.big_logit_scale:g}, autograd through log(softmax(z)) gives loss "
            f"{fmt(stab['naive_loss'])} and NaN gradients, while the fused cross-entropy (loss "
            f"{fmt(stab['fused_loss'])}) and the (p - y) formula stay finite."
            if naive_broke
            else f"With logits x{cfg.big_logit_scale:g} the naive log(softmax(z)) stayed finite here "
            f"(loss {fmt(stab['naive_loss'])} vs fused {fmt(stab['fused_loss'])})."
        )
    )
    return DemoResult(
        header=(
            "A two-layer tanh classifier with softmax cross-entropy: each chain-rule term written by hand is "
            "compared with autograd's, in float64 and float32; then a custom autograd.Function, and what "
            "happens to autograd through a naive log(softmax) when the logits are large."
        ),
        columns=["chain-rule term", "max |autograd value|", "max |manual - autograd| (fp64)", "fp32"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="max |manual - autograd| per chain-rule term (1 = dz2 ... 8 = dx)",
                series=[
                    Series("float64", [max(d64[n], 1e-20) for n in names], x=[float(i + 1) for i in range(len(names))]),
                    Series("float32", [max(d32[n], 1e-20) for n in names], x=[float(i + 1) for i in range(len(names))]),
                ],
                x_label="term",
                log_y=True,
            )
        ],
    )
