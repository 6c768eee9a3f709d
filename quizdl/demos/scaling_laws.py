"""Scaling laws in miniature: test loss falls as a power law in model size, until data is the bottleneck.

The model: a one-hidden-layer ReLU network with N frozen hidden units relu(x - c_j) (knots spread evenly
over [0, 1]) and a read-out fitted by least squares (a tiny ridge): a fixed-features linear model, the
setting in which neural scaling laws are usually explained. The target has a power-law spectrum,
f(x) = sum_k k^-1 cos(2 pi k x + phi_k), k = 1..1024, observed with noise (std 0.1).
  1. Model scaling with plenty of data (2048 points): test MSE vs N is close to a straight line on log-log
     axes, L ~ N^-alpha; a power law fitted to the small models (N <= 64) forecasts the largest one.
  2. The same sweep with only 128 points: the curve bends and flattens once N passes ~64, because data,
     not parameters, is now the bottleneck: more parameters bring (almost) nothing.
  3. Data scaling at the largest N: test MSE falls as the number of training points grows.
Hidden units are nested (the model with 2N units keeps the first N) and so are the data sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, rand, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    widths: tuple[int, ...] = (4, 8, 16, 32, 64, 128, 256)  # hidden units N (model size)
    n_large: int = 2048  # training points for the model-size sweep
    n_small: int = 128  # training points for the data-bottleneck sweep
    data_sizes: tuple[int, ...] = (32, 64, 128, 256, 512, 1024, 2048)  # training points for the data sweep
    n_test: int = 4000  # test points
    terms: int = 1024  # frequencies in the target
    decay: float = 1.0  # the target's amplitude of frequency k is k^-decay
    noise: float = 0.05  # label noise std
    ridge: float = 1e-8  # ridge on the read-out (numerical safety)
    fit_upto: int = 32  # fit the power law to widths <= this, then forecast the rest


def _dtype(device: str) -> torch.dtype:
    return torch.float32 if device == "mps" else torch.float64  # MPS has no float64


def _van_der_corput(i: int) -> float:
    """The i-th point of the base-2 van der Corput sequence: the bits of i mirrored after the binary point."""
    out, scale = 0.0, 0.5
    while i:
        out += scale * (i & 1)
        i >>= 1
        scale /= 2
    return out


def _powerlaw(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least-squares line through (log x, log y): slope, intercept and R^2."""
    lx, ly = torch.log(torch.tensor(xs, dtype=torch.float64)), torch.log(torch.tensor(ys, dtype=torch.float64))
    a = torch.stack([lx, torch.ones_like(lx)], dim=1)
    slope, intercept = torch.linalg.lstsq(a, ly.unsqueeze(1)).solution.squeeze(1).tolist()
    resid = ly - (slope * lx + intercept)
    r2 = 1 - float(resid.pow(2).sum() / (ly - ly.mean()).pow(2).sum())
    return float(slope), float(intercept), r2


@demo(
    "scaling-laws",
    topic="fundamentals",
    summary="a ReLU net with N frozen units: test loss ~ N^-alpha, forecast from small models; bends when data is short",
)
def scaling_laws(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev, dt = ctx.device, _dtype(ctx.device)

    # 1. data: a target with a power-law spectrum, noisy training labels, noise-free test targets
    ks = torch.arange(1, cfg.terms + 1, device=dev, dtype=dt)
    amp = ks ** (-cfg.decay)
    phase = 2 * math.pi * rand(gen, cfg.terms, device=dev).to(dt)

    def target(x: Tensor) -> Tensor:
        return torch.cos(2 * math.pi * x.unsqueeze(1) * ks + phase) @ amp

    n_max = max(cfg.n_large, max(cfg.data_sizes))
    x = rand(gen, n_max, device=dev).to(dt)
    y = target(x) + cfg.noise * randn(gen, n_max, device=dev).to(dt)
    xt = rand(gen, cfg.n_test, device=dev).to(dt)
    yt = target(xt)

    # 2. the model: N ReLU units relu(x - c_j) plus a constant and a linear term, read-out by ridge; the
    #    knots c_j follow the van der Corput sequence (1/2, 1/4, 3/4, 1/8, ...), so any first N are spread evenly
    w_max = max(cfg.widths)
    knots = torch.tensor([_van_der_corput(j + 1) for j in range(w_max)], device=dev, dtype=dt)

    def feats(z: Tensor) -> Tensor:
        return torch.cat([torch.ones_like(z).unsqueeze(1), z.unsqueeze(1), torch.relu(z.unsqueeze(1) - knots)], 1)

    phi, phi_t = feats(x), feats(xt)

    def test_mse(n: int, width: int) -> float:
        p = phi[:n, : width + 2]
        gram = p.T @ p / n
        w = torch.linalg.solve(gram + cfg.ridge * torch.eye(width + 2, device=dev, dtype=dt), p.T @ y[:n] / n)
        return float((phi_t[:, : width + 2] @ w - yt).pow(2).mean().item())

    # 3. the sweeps
    large = [test_mse(cfg.n_large, n) for n in cfg.widths]
    ctx.progress("small data", 0.4)
    small = [test_mse(cfg.n_small, n) for n in cfg.widths]
    ctx.progress("data sweep", 0.7)
    by_data = [test_mse(n, w_max) for n in cfg.data_sizes]
    ctx.progress("done", 1.0)

    # 4. power-law fits: the whole large-data sweep, and a forecast from the small models only
    widths = [float(n) for n in cfg.widths]
    slope, _, r2 = _powerlaw(widths, large)
    few = [i for i, n in enumerate(cfg.widths) if n <= cfg.fit_upto]
    s_few, b_few, _ = _powerlaw([widths[i] for i in few], [large[i] for i in few])
    forecast = math.exp(b_few) * widths[-1] ** s_few
    forecast_error = abs(forecast - large[-1]) / large[-1]
    naive_error = abs(large[few[-1]] - large[-1]) / large[-1]  # "the largest small model is as good as it gets"
    late = [i for i, n in enumerate(cfg.widths) if n >= cfg.fit_upto]
    slope_small_late, _, _ = _powerlaw([widths[i] for i in late], [small[i] for i in late])
    slope_large_late, _, _ = _powerlaw([widths[i] for i in late], [large[i] for i in late])
    slope_data, _, r2_data = _powerlaw([float(n) for n in cfg.data_sizes], by_data)

    # 5. report
    rows: list[list[object]] = [
        ["model size, plenty of data", n, cfg.n_large, large[i]] for i, n in enumerate(cfg.widths)
    ]
    rows += [["model size, little data", n, cfg.n_small, small[i]] for i, n in enumerate(cfg.widths)]
    rows += [["data size, largest model", w_max, n, by_data[i]] for i, n in enumerate(cfg.data_sizes)]
    metrics = {
        "widths": list(cfg.widths),
        "test_mse_large_data": large,
        "test_mse_small_data": small,
        "data_sizes": list(cfg.data_sizes),
        "test_mse_by_data": by_data,
        "slope": slope,
        "r2": r2,
        "forecast": forecast,
        "forecast_relative_error": forecast_error,
        "naive_forecast_relative_error": naive_error,
        "late_slope_small_data": slope_small_late,
        "late_slope_large_data": slope_large_late,
        "slope_data": slope_data,
        "r2_data": r2_data,
    }
    bends = slope_small_late > 0.5 * slope_large_late  # the small-data curve is at most half as steep late on
    takeaway = (
        f"With {cfg.n_large} training points the test MSE falls from {fmt(large[0])} (N={cfg.widths[0]}) to "
        f"{fmt(large[-1])} (N={cfg.widths[-1]}), "
        + ("close to a power law" if r2 > 0.95 else "not a clean power law")
        + f": slope {fmt(slope)} on log-log axes, R^2 = {fmt(r2)}. Fitted to N <= {cfg.fit_upto} only, the power law forecasts {fmt(forecast)} for "
        f"N={cfg.widths[-1]}, off by {forecast_error:.0%} (assuming no further gain would be off by "
        f"{naive_error:.0%}). With only {cfg.n_small} points the curve "
        + (
            f"bends: from N={cfg.fit_upto} on its slope is {fmt(slope_small_late)} against "
            f"{fmt(slope_large_late)} with plenty of data, and it ends at {fmt(small[-1])}: data is now the "
            f"bottleneck."
            if bends
            else f"keeps a slope of {fmt(slope_small_late)} from N={cfg.fit_upto} on (plenty of data: "
            f"{fmt(slope_large_late)})."
        )
        + f" At N={w_max}, more data helps in turn: {fmt(by_data[0])} with {cfg.data_sizes[0]} points, "
        f"{fmt(by_data[-1])} with {cfg.data_sizes[-1]} (slope {fmt(slope_data)})."
    )
    log_w = [math.log2(n) for n in cfg.widths]
    return DemoResult(
        header=(
            "A one-hidden-layer ReLU network (N frozen units, least-squares read-out) on a target with a "
            f"power-law spectrum: test MSE vs N with {cfg.n_large} and with {cfg.n_small} training points, and "
            f"vs the number of training points at N={w_max}; power laws fitted on log-log axes."
        ),
        columns=["sweep", "hidden units N", "training points", "test MSE"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="test MSE vs hidden units (log-log)",
                series=[
                    Series(f"{cfg.n_large} training points", large, x=log_w),
                    Series(f"{cfg.n_small} training points", small, x=log_w),
                    Series(
                        f"power law fitted to N <= {cfg.fit_upto}",
                        [math.exp(b_few) * n**s_few for n in widths],
                        x=log_w,
                    ),
                ],
                x_label="log2(N)",
                log_y=True,
            ),
            Chart(
                title=f"test MSE vs training points at N={w_max}",
                series=[Series("test MSE", by_data, x=[math.log2(n) for n in cfg.data_sizes])],
                x_label="log2(training points)",
                log_y=True,
            ),
        ],
    )
