"""Gradient checking: central finite differences catch a planted bug in a hand-written backward pass.

A layer y = tanh(x W + b) with a squared-error loss gets two hand-written backward passes: a correct one
(dz = dy * (1 - tanh(z)^2)) and a buggy one with a classic slip: the derivative written as 1 - z^2, on the
pre-activation instead of the output. A numerical gradient
from central differences, (L(w + eps) - L(w - eps)) / (2 eps) for every parameter, in float64, exposes the
bug: the relative error ||g_analytic - g_numeric|| / max(||g_analytic||, ||g_numeric||) is ~1e-10 for the
correct backward and ~1e-1 for the buggy one (torch.autograd.gradcheck automates this same test; it is not
called here because its first use imports sympy, slower than this whole demo).

Second contrast, the step size: a forward difference (L(w + eps) - L(w)) / eps has error O(eps), a central
one O(eps^2); below some eps both are swamped by float64 rounding (~1e-16 / eps), so central differences
are both more accurate and best at a larger eps (~1e-5) than forward ones (~1e-8).
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
    batch: int = 16  # examples
    n_in: int = 5  # input features
    n_out: int = 4  # tanh units (the layer has n_in * n_out + n_out parameters)
    eps: float = 1e-5  # finite-difference step for the check
    weight_scale: float = 0.5  # pre-activations z have about this std: the bug's error grows like z^4
    eps_sweep: tuple[float, ...] = tuple(10.0**-k for k in range(1, 13))  # steps for the accuracy sweep


def _dtype(device: str) -> torch.dtype:
    return torch.float32 if device == "mps" else torch.float64  # MPS has no float64; the check needs it


def _loss(x: Tensor, w: Tensor, b: Tensor, target: Tensor) -> Tensor:
    return 0.5 * (torch.tanh(x @ w + b) - target).pow(2).sum()


def _backward(x: Tensor, w: Tensor, b: Tensor, target: Tensor, buggy: bool) -> tuple[Tensor, Tensor]:
    """Hand-written dL/dW, dL/db. The buggy version uses 1 - z^2 where tanh' is 1 - tanh(z)^2."""
    z = x @ w + b
    y = torch.tanh(z)
    dy = y - target
    dz = dy * (1 - z * z) if buggy else dy * (1 - y * y)
    return x.T @ dz, dz.sum(0)


def _numeric(x: Tensor, w: Tensor, b: Tensor, target: Tensor, eps: float, central: bool) -> tuple[Tensor, Tensor]:
    """Finite-difference gradient of every entry of w and b; all perturbed losses in one batched evaluation."""
    params = torch.cat([w.reshape(-1), b])
    n_w, n = w.numel(), len(params)
    steps = eps * torch.eye(n, dtype=params.dtype, device=params.device)  # row i moves parameter i by eps
    plus = params + steps
    minus = params - steps if central else params.expand(1, n)  # forward differences need L(w) once

    def losses(p: Tensor) -> Tensor:  # p: (k, n) parameter sets -> (k,) losses
        ws, bs = p[:, :n_w].reshape(-1, *w.shape), p[:, n_w:].unsqueeze(1)
        return 0.5 * (torch.tanh(x @ ws + bs) - target).pow(2).sum(dim=(1, 2))

    grads = (losses(plus) - losses(minus)) / (2 * eps if central else eps)
    return grads[:n_w].reshape(w.shape), grads[n_w:]


def _verdict(err: float) -> str:
    """The usual float64 reading of a relative error."""
    return "fine" if err < 1e-7 else "suspicious" if err < 1e-2 else "bug"


def _rel_error(a: tuple[Tensor, Tensor], n: tuple[Tensor, Tensor]) -> float:
    ga, gn = torch.cat([t.reshape(-1) for t in a]), torch.cat([t.reshape(-1) for t in n])
    return float(((ga - gn).norm() / torch.maximum(ga.norm(), gn.norm()).clamp_min(1e-30)).item())


@demo(
    "gradient-check",
    topic="frameworks",
    summary="central differences catch a planted backward bug (rel. error 1e-10 vs 1e-1); forward vs central step",
)
def gradient_check(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev, dt = ctx.device, _dtype(ctx.device)

    # 1. data and parameters (1 - z^2 and 1 - tanh(z)^2 differ by about 2 z^4 / 3: a subtle slip)
    x = randn(gen, cfg.batch, cfg.n_in, device=dev).to(dt)
    target = (0.5 * randn(gen, cfg.batch, cfg.n_out, device=dev)).to(dt)
    w = (cfg.weight_scale * randn(gen, cfg.n_in, cfg.n_out, device=dev) / cfg.n_in**0.5).to(dt)
    b = (0.1 * randn(gen, cfg.n_out, device=dev)).to(dt)

    # 2. the check: analytic (correct, buggy) vs central differences, and autograd as a third opinion
    numeric = _numeric(x, w, b, target, cfg.eps, central=True)
    correct, buggy = _backward(x, w, b, target, False), _backward(x, w, b, target, True)
    err_correct, err_buggy = _rel_error(correct, numeric), _rel_error(buggy, numeric)
    wa, ba = w.clone().requires_grad_(), b.clone().requires_grad_()
    _loss(x, wa, ba, target).backward()
    err_autograd = _rel_error((wa.grad, ba.grad), numeric)
    ctx.progress("step sweep", 0.4)

    # 3. accuracy vs step size: forward and central differences against the (correct) analytic gradient
    fwd_err, cen_err = [], []
    for eps in cfg.eps_sweep:
        fwd_err.append(_rel_error(correct, _numeric(x, w, b, target, eps, central=False)))
        cen_err.append(_rel_error(correct, _numeric(x, w, b, target, eps, central=True)))
    ctx.progress("done", 1.0)

    # 4. report
    n_params = w.numel() + b.numel()
    best_fwd = min(range(len(fwd_err)), key=fwd_err.__getitem__)
    best_cen = min(range(len(cen_err)), key=cen_err.__getitem__)
    rows: list[list[object]] = [
        ["correct backward, 1 - tanh(z)^2", "central", cfg.eps, err_correct, _verdict(err_correct)],
        ["buggy backward, 1 - z^2", "central", cfg.eps, err_buggy, _verdict(err_buggy)],
        ["autograd", "central", cfg.eps, err_autograd, _verdict(err_autograd)],
    ] + [
        ["correct backward", kind, eps, err, _verdict(err)]
        for eps, fe, ce in zip(cfg.eps_sweep, fwd_err, cen_err, strict=True)
        for kind, err in (("forward", fe), ("central", ce))
    ]
    i_ref = cfg.eps_sweep.index(cfg.eps) if cfg.eps in cfg.eps_sweep else best_cen
    metrics = {
        "rel_error_correct": err_correct,
        "rel_error_buggy": err_buggy,
        "rel_error_autograd": err_autograd,
        "eps_sweep": list(cfg.eps_sweep),
        "forward_errors": fwd_err,
        "central_errors": cen_err,
        "best_forward_error": fwd_err[best_fwd],
        "best_forward_eps": cfg.eps_sweep[best_fwd],
        "best_central_error": cen_err[best_cen],
        "best_central_eps": cfg.eps_sweep[best_cen],
        "forward_error_at_check_eps": fwd_err[i_ref],
        "central_error_at_check_eps": cen_err[i_ref],
        "parameters": n_params,
    }
    caught = err_buggy > 1e-3 > 1e-7 > err_correct
    takeaway = (
        f"With {2 * n_params} loss evaluations at eps={cfg.eps:g}, the correct backward's relative error is "
        f"{fmt(err_correct)} and the buggy one's {fmt(err_buggy)}"
        + (": the check flags the bug." if caught else ", so the check does not separate them here.")
        + f" Autograd's gradient differs from the numerical one by {fmt(err_autograd)}. Central differences "
        + ("are more accurate" if cen_err[best_cen] < fwd_err[best_fwd] else "are NOT more accurate here")
        + f": at eps={cfg.eps_sweep[i_ref]:g} the error is "
        f"{fmt(cen_err[i_ref])} central vs {fmt(fwd_err[i_ref])} forward; the best central error is "
        f"{fmt(cen_err[best_cen])} (eps={cfg.eps_sweep[best_cen]:g}), the best forward one "
        f"{fmt(fwd_err[best_fwd])} (eps={cfg.eps_sweep[best_fwd]:g})"
        + ("; smaller steps lose to rounding." if cen_err[-1] > 10 * cen_err[best_cen] else ".")
    )
    return DemoResult(
        header=(
            f"A tanh layer ({n_params} parameters) with two hand-written backward passes, one with a planted "
            "bug (1 - z^2 instead of 1 - tanh(z)^2), checked against central finite differences in float64; "
            "then forward vs central differences across step sizes."
        ),
        columns=["gradient", "difference", "eps", "relative error", "verdict"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="relative error of the numerical gradient vs step size (x = -log10 eps)",
                series=[
                    Series("forward (L(w+e) - L(w)) / e", fwd_err, x=[-math.log10(e) for e in cfg.eps_sweep]),
                    Series("central (L(w+e) - L(w-e)) / 2e", cen_err, x=[-math.log10(e) for e in cfg.eps_sweep]),
                ],
                x_label="-log10(eps)",
                log_y=True,
            )
        ],
    )
