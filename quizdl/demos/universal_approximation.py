"""Universal approximation: one hidden layer fits a wiggly 1-D function better and better as it widens.

The target f(x) = sin(4 pi x)(1 - x/2) + x/2 on [-1, 1] has four full periods. A network with one hidden
layer of n units computes sum_j v_j g(a_j (x - c_j)) + b. We draw the hidden units at random (centres c_j
spread over the domain, random slopes and signs) and fit the output layer (v, b) exactly by least squares,
so each error is what the best read-out of that hidden layer achieves: an upper bound on what a width-n
network can do, with no optimiser luck involved. Features are nested (width 2n keeps the first n units),
and each width is averaged over a few random hidden layers.

The contrast: ReLU and tanh (non-polynomial) errors fall by orders of magnitude as the width grows, while a
polynomial activation g(z) = z^2 never gets better than the best quadratic, whatever the width; and outside
the training domain (x in [1, 1.5]) no width helps: the theorem covers a compact domain only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, rand, seeded, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    widths: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128)  # hidden units
    n_train: int = 256  # evenly spaced training points on [-1, 1]
    n_test: int = 2000  # random test points inside the domain
    n_outside: int = 500  # random points in [1, 1.5], outside the training domain
    draws: int = 3  # random hidden layers per width (errors are averaged)
    max_slope: float = 10.0  # tanh / square slopes are drawn from [1, max_slope]
    ridge: float = 1e-10  # relative ridge on the least-squares read-out (numerical safety only)
    chart_width: int = 16  # the narrow ReLU net whose fitted curve is charted next to the widest one


def _dtype(device: str) -> torch.dtype:
    return torch.float32 if device == "mps" else torch.float64  # MPS has no float64


def _target(x: Tensor) -> Tensor:
    return torch.sin(4 * math.pi * x) * (1 - 0.5 * x) + 0.5 * x


def _readout(feats: Tensor, y: Tensor, ridge: float) -> Tensor:
    """Least-squares output weights for each draw: feats (draws, n, k), y (n, 1) -> (draws, k, 1)."""
    gram = feats.transpose(1, 2) @ feats
    lam = ridge * gram.diagonal(dim1=1, dim2=2).mean(dim=1)
    eye = torch.eye(gram.shape[-1], dtype=gram.dtype, device=gram.device)
    return torch.linalg.solve(gram + lam[:, None, None] * eye, feats.transpose(1, 2) @ y)


@demo(
    "universal-approximation",
    topic="fundamentals",
    summary="one hidden layer: fit error of a wiggly 1-D function vs width; ReLU/tanh improve, x^2 cannot",
)
def universal_approximation(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev, dt = ctx.device, _dtype(ctx.device)

    # 1. data: a dense training grid, random test points inside the domain and some outside it
    x = torch.linspace(-1, 1, cfg.n_train, device=dev, dtype=dt).unsqueeze(1)
    xt = (2 * rand(gen, cfg.n_test, 1, device=dev) - 1).to(dt)
    xo = (1 + 0.5 * rand(gen, cfg.n_outside, 1, device=dev)).to(dt)
    y, yt, yo = _target(x), _target(xt), _target(xo)

    # 2. hidden layers: random centres, signs and slopes for the widest net; narrower nets take a prefix
    wmax = max(cfg.widths)
    sign = (2 * (rand(gen, cfg.draws, 1, wmax, device=dev) < 0.5).to(dt) - 1).to(dt)
    slope = sign * (1 + (cfg.max_slope - 1) * rand(gen, cfg.draws, 1, wmax, device=dev).to(dt))
    centre = (2 * rand(gen, cfg.draws, 1, wmax, device=dev) - 1).to(dt)
    acts: dict[str, tuple[Callable[[Tensor], Tensor], Tensor]] = {
        "ReLU": (torch.relu, sign),  # ReLU(s (x - c)) with s = +-1: a hinge at c
        "tanh": (torch.tanh, slope),
        "square (polynomial)": (torch.square, slope),
    }

    # 3. fit the read-out of every width exactly, measure errors inside and outside the domain
    test: dict[str, list[float]] = {}
    train: dict[str, list[float]] = {}
    outside: dict[str, list[float]] = {}
    curves: dict[int, Tensor] = {}
    for i, (name, (g, a)) in enumerate(acts.items()):
        test[name], train[name], outside[name] = [], [], []
        for n in cfg.widths:

            def feats(z: Tensor, n: int = n, g: Callable[[Tensor], Tensor] = g, a: Tensor = a) -> Tensor:
                h = g(a[..., :n] * (z.unsqueeze(0) - centre[..., :n]))  # (draws, points, n)
                return torch.cat([h, torch.ones_like(h[..., :1])], dim=-1)

            v = _readout(feats(x), y, cfg.ridge)
            train[name].append(float((feats(x) @ v - y).pow(2).mean().item()))
            test[name].append(float((feats(xt) @ v - yt).pow(2).mean().item()))
            outside[name].append(float((feats(xo) @ v - yo).pow(2).mean().item()))
            if g is torch.relu and n in (cfg.chart_width, wmax):
                curves[n] = (feats(x) @ v)[0]  # the first draw's fitted curve
        ctx.progress(name, (i + 1) / len(acts))

    # 4. oracle for the polynomial activation: the best quadratic fit a + b x + c x^2
    quad = torch.cat([torch.ones_like(x), x, x * x], dim=1).unsqueeze(0)
    wq = _readout(quad, y, 0.0)
    quad_test = float((torch.cat([torch.ones_like(xt), xt, xt * xt], dim=1) @ wq[0] - yt).pow(2).mean().item())

    # 5. report
    names = list(acts)
    relu, tanh, sq = names
    variance = float(yt.var().item())
    rows = [
        [n, *(test[name][j] for name in names), outside[relu][j], outside[tanh][j]] for j, n in enumerate(cfg.widths)
    ]
    lo, hi = cfg.widths[0], cfg.widths[-1]
    sq_gap = max(abs(v - quad_test) / quad_test for v, n in zip(test[sq], cfg.widths, strict=True) if n >= 3)
    metrics = {
        "widths": list(cfg.widths),
        "test_mse_relu": test[relu],
        "test_mse_tanh": test[tanh],
        "test_mse_square": test[sq],
        "train_mse_relu": train[relu],
        "train_mse_tanh": train[tanh],
        "outside_mse_relu": outside[relu],
        "outside_mse_tanh": outside[tanh],
        "quadratic_fit_test_mse": quad_test,
        "square_vs_quadratic_gap": sq_gap,
        "target_variance": variance,
    }
    falls = test[relu][-1] < 0.01 * test[relu][0] and test[tanh][-1] < 0.01 * test[tanh][0]
    outside_best = min(outside[relu][-1], outside[tanh][-1])
    takeaway = (
        f"Inside the domain the test MSE {'falls' if falls else 'changes'} from {fmt(test[relu][0])} to "
        f"{fmt(test[relu][-1])} (ReLU) and from {fmt(test[tanh][0])} to {fmt(test[tanh][-1])} (tanh) as the hidden "
        f"layer grows from {lo} to {hi} units (the target's variance is {fmt(variance)}). The polynomial activation "
        f"z^2 stays at {fmt(test[sq][-1])} even with {hi} units"
        + (
            f": its network is a quadratic, and matches the best quadratic fit ({fmt(quad_test)}) to a relative "
            f"{fmt(sq_gap)}."
            if sq_gap < 1e-6
            else f" (the best quadratic fit: {fmt(quad_test)})."
        )
        + " Outside the domain, "
        + (
            f"width does not help: the widest nets are off by {fmt(outside[relu][-1])} (ReLU) and "
            f"{fmt(outside[tanh][-1])} (tanh), so the theorem's compact domain matters."
            if outside_best > 100 * max(test[relu][-1], test[tanh][-1])
            else f"the widest nets reach {fmt(outside[relu][-1])} (ReLU) and {fmt(outside[tanh][-1])} (tanh)."
        )
    )
    wx = [float(n) for n in cfg.widths]
    return DemoResult(
        header=(
            "One hidden layer of n random units (centres spread over [-1, 1]) with the output layer fitted exactly "
            "by least squares, on a target with four periods; test error inside the domain for ReLU, tanh and a "
            "polynomial activation z^2, and error outside the domain (x in [1, 1.5])."
        ),
        columns=["width", *(f"test MSE {name}" for name in names), "outside MSE ReLU", "outside MSE tanh"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="test MSE vs hidden width",
                series=[Series(name, test[name], x=wx) for name in names],
                x_label="hidden units",
                log_y=True,
            ),
            Chart(
                title="the target and two ReLU fits",
                series=[
                    Series("target f(x)", to_floats(y), x=to_floats(x)),
                    Series(f"{cfg.chart_width} ReLU units", to_floats(curves[cfg.chart_width]), x=to_floats(x)),
                    Series(f"{wmax} ReLU units", to_floats(curves[wmax]), x=to_floats(x)),
                ],
                x_label="x",
            ),
        ],
    )
