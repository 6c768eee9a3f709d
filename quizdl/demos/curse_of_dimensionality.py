"""The curse of dimensionality, and why data on a low-dimensional manifold escapes it.

Two kinds of data in d dimensions, for d from 2 to 512:
  - "full": points uniform in the cube [0, 1]^d, so the data really fills d dimensions;
  - "manifold": a curved 2-D surface (2 intrinsic coordinates u, mapped through a fixed smooth map to
    8 features) placed in d >= 8 dimensions by a random orthonormal embedding, so it has d coordinates but
    intrinsic dimension 2 (at d = 2 it is the unit square of u itself).
For each we measure the relative distance contrast (farthest - nearest) / nearest from a query to the data
set (it tends to 0 when all points are about equally far: distances concentrate), and the test error of a
k-nearest-neighbour regressor of a target that depends on two coordinates, with a fixed number of
training points. In the cube, the contrast collapses and k-NN drifts toward predicting the mean; on the
manifold both stay where they were at d = 2, because an orthonormal embedding preserves every distance.
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
    dims: tuple[int, ...] = (2, 8, 32, 128, 512)  # ambient dimensions
    n_train: int = 500  # training points (also the data set for the distance contrast)
    n_test: int = 200  # query / test points
    k: int = 5  # neighbours averaged by the k-NN regressor
    manifold_features: int = 8  # the 2-D surface is drawn in this many smooth features before embedding


def _surface(u: Tensor) -> Tensor:
    """A smooth, curved 2-D surface: 8 features of the intrinsic coordinates u in [0, 1]^2."""
    a, b = u[:, :1], u[:, 1:2]
    return torch.cat(
        [a, b, torch.sin(3 * a), torch.cos(3 * b), a * b, torch.sin(2 * (a + b)), a * a, torch.cos(2 * a - b)], dim=1
    )


def _target(c: Tensor) -> Tensor:
    """The regression target: a function of two coordinates (intrinsic ones on the manifold)."""
    return torch.sin(2 * math.pi * c[:, 0]) + torch.cos(2 * math.pi * c[:, 1])


def _contrast_and_knn(xtr: Tensor, ytr: Tensor, xte: Tensor, yte: Tensor, k: int) -> tuple[float, float]:
    dist = torch.cdist(xte, xtr)  # (test, train)
    contrast = ((dist.max(dim=1).values - dist.min(dim=1).values) / dist.min(dim=1).values).mean()
    idx = dist.topk(k, dim=1, largest=False).indices
    pred = ytr[idx].mean(dim=1)
    return float(contrast.item()), float((pred - yte).pow(2).mean().item())


@demo(
    "curse-of-dimensionality",
    topic="fundamentals",
    summary="distance contrast and k-NN error vs dimension: uniform data collapses, a 2-D manifold in d dims does not",
)
def curse_of_dimensionality(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device
    n = cfg.n_train + cfg.n_test

    # 1. manifold data: intrinsic coordinates and their smooth 8-feature surface (the same for every d)
    u = rand(gen, n, 2, device=dev)
    surface = _surface(u)
    y_manifold = _target(u)

    contrast: dict[str, list[float]] = {"full": [], "manifold": []}
    knn: dict[str, list[float]] = {"full": [], "manifold": []}
    for i, d in enumerate(cfg.dims):
        # 2. full-dimensional data: uniform in the d-cube; the target uses its first two coordinates
        x = rand(gen, n, d, device=dev)
        y = _target(x)
        # 3. the manifold placed in d dimensions by a random orthonormal embedding (d >= 8); below 8
        #    dimensions it is just the unit square of its intrinsic coordinates
        if d >= cfg.manifold_features:
            q, _ = torch.linalg.qr(randn(gen, d, cfg.manifold_features, device=dev))
            xm = surface @ q.T
        else:
            xm = u
        for name, data, target in (("full", x, y), ("manifold", xm, y_manifold)):
            c, e = _contrast_and_knn(
                data[: cfg.n_train], target[: cfg.n_train], data[cfg.n_train :], target[cfg.n_train :], cfg.k
            )
            contrast[name].append(c)
            knn[name].append(e)
        ctx.progress(f"d={d}", (i + 1) / len(cfg.dims))

    # 4. report
    var = float(y_manifold.var().item())  # both targets have variance ~1 (sin + cos of uniform angles)
    rows = [
        [d, contrast["full"][j], contrast["manifold"][j], knn["full"][j], knn["manifold"][j]]
        for j, d in enumerate(cfg.dims)
    ]
    lo, hi = cfg.dims[0], cfg.dims[-1]
    metrics = {
        "dims": list(cfg.dims),
        "contrast_full": contrast["full"],
        "contrast_manifold": contrast["manifold"],
        "knn_mse_full": knn["full"],
        "knn_mse_manifold": knn["manifold"],
        "target_variance": var,
    }
    m_contrast, m_knn = contrast["manifold"], knn["manifold"]
    stable = max(m_knn[1:]) < 1.2 * min(m_knn[1:]) and max(m_contrast[1:]) < 1.2 * min(m_contrast[1:])
    takeaway = (
        f"In the uniform cube, the distance contrast (farthest - nearest) / nearest falls from "
        f"{fmt(contrast['full'][0])} at d={lo} to {fmt(contrast['full'][-1])} at d={hi}"
        + (": every point is about equally far away" if contrast["full"][-1] < 0.5 else "")
        + f", and {cfg.k}-NN test MSE with {cfg.n_train} points rises from {fmt(knn['full'][0])} to "
        f"{fmt(knn['full'][-1])} (predicting the mean scores about {fmt(var)}). On the 2-D manifold the contrast "
        f"stays at {fmt(m_contrast[-1])} and the k-NN error at {fmt(m_knn[-1])} for d={hi}"
        + (
            ", the same as at d=8: what counts is the intrinsic dimension, not the number of coordinates."
            if stable
            else f" (at d=8: {fmt(m_contrast[1])} and {fmt(m_knn[1])})."
        )
    )
    dx = [math.log2(d) for d in cfg.dims]
    return DemoResult(
        header=(
            f"Uniform points in the d-cube vs a curved 2-D surface embedded in d dimensions, d = {lo}..{hi}: the "
            f"relative distance contrast from a query to {cfg.n_train} points, and the test error of {cfg.k}-NN "
            "regression of a target that depends on two coordinates."
        ),
        columns=["d", "contrast (cube)", "contrast (manifold)", "k-NN MSE (cube)", "k-NN MSE (manifold)"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="relative distance contrast vs dimension",
                series=[Series("uniform cube", contrast["full"], x=dx), Series("2-D manifold", m_contrast, x=dx)],
                x_label="log2(d)",
                log_y=True,
            ),
            Chart(
                title=f"{cfg.k}-NN test MSE vs dimension",
                series=[Series("uniform cube", knn["full"], x=dx), Series("2-D manifold", m_knn, x=dx)],
                x_label="log2(d)",
            ),
        ],
    )
