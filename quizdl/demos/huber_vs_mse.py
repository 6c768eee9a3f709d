"""MSE vs Huber vs MAE on a line with a few large outliers: which fit gets dragged away.

The data lie on y = 2 x + 1 plus small Gaussian noise, except for a handful of points at the right end
whose targets are shifted far down (corrupted labels). MSE squares each residual, so those few points
dominate its gradient and pull the slope and intercept toward them; Huber's gradient is capped at delta
per point and MAE's at 1, so their fits stay near the true line. The same linear model is trained
full-batch from the same start with each loss, and the MSE fit is checked against the closed-form least
squares solution. We also measure, at the true parameters, which share of each loss's gradient comes from
the outliers (the sum over points of |d loss_i / d(w, b)|).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import Adam, fmt, rand, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    n_clean: int = 190  # points on the true line (plus noise)
    n_outliers: int = 10  # corrupted points at the right end of the x range
    true_slope: float = 2.0  # y = true_slope * x + true_intercept
    true_intercept: float = 1.0
    noise: float = 0.3  # std of the Gaussian noise on clean points
    outlier_shift: float = -25.0  # corrupted targets are moved by this much
    outlier_x: float = 1.6  # outliers sit at x in [outlier_x, 2]; clean x is uniform in [-2, 2]
    delta: float = 1.0  # Huber threshold: quadratic below, linear above
    steps: int = 400  # full-batch Adam steps per loss
    lr: float = 0.1  # Adam learning rate at the start, decayed linearly to 1% (MAE needs the decay)


def _mse(r: Tensor, _delta: float) -> Tensor:
    return (r**2).mean()


def _huber(r: Tensor, delta: float) -> Tensor:
    a = r.abs()
    return torch.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta)).mean()


def _mae(r: Tensor, _delta: float) -> Tensor:
    return r.abs().mean()


LOSSES: dict[str, Callable[[Tensor, float], Tensor]] = {"MSE": _mse, "Huber": _huber, "MAE": _mae}


def fit(x: Tensor, y: Tensor, loss: Callable[[Tensor, float], Tensor], cfg: Config, steps: int, progress) -> dict:
    """Full-batch Adam on y ~ w x + b from (0, 0); returns the final parameters and the slope per step."""
    w = torch.zeros((), device=x.device, requires_grad=True)
    b = torch.zeros((), device=x.device, requires_grad=True)
    opt = Adam([w, b], lr=cfg.lr)
    slopes: list[Tensor] = []
    for step in range(steps):
        opt.lr = cfg.lr * (1 - 0.99 * step / max(steps - 1, 1))
        opt.zero_grad()
        loss(y - (w * x + b), cfg.delta).backward()
        opt.step()
        slopes.append(w.detach().clone())
        if (step + 1) % max(1, steps // 5) == 0:
            progress((step + 1) / steps)
    return {"w": float(w.item()), "b": float(b.item()), "slopes": [float(s) for s in torch.stack(slopes).tolist()]}


def outlier_gradient_share(x: Tensor, y: Tensor, is_out: Tensor, loss, cfg: Config) -> float:
    """At the TRUE (w, b): the outliers' share of the summed per-example gradient norms |d loss_i / d(w, b)|."""
    r = (y - (cfg.true_slope * x + cfg.true_intercept)).detach().requires_grad_(True)
    (dl_dr,) = torch.autograd.grad(loss(r, cfg.delta) * r.numel(), r)  # per-example d loss_i / d r_i
    per_example = dl_dr.abs() * torch.sqrt(x**2 + 1)  # since d r_i / d(w, b) = -(x_i, 1)
    return float((per_example[is_out].sum() / per_example.sum()).item())


@demo(
    "huber-vs-mse",
    topic="loss-functions",
    summary="a line with 5% large outliers: MSE's slope is dragged away, Huber and MAE stay near the truth",
)
def huber_vs_mse(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: a noisy line, plus a few points at the right end with far-off targets
    x_clean = rand(gen, cfg.n_clean, device=ctx.device) * 4 - 2
    x_out = cfg.outlier_x + rand(gen, cfg.n_outliers, device=ctx.device) * (2 - cfg.outlier_x)
    x = torch.cat([x_clean, x_out])
    y = cfg.true_slope * x + cfg.true_intercept + cfg.noise * randn(gen, x.numel(), device=ctx.device)
    is_out = torch.arange(x.numel(), device=ctx.device) >= cfg.n_clean
    y = torch.where(is_out, y + cfg.outlier_shift, y)

    # 2. oracle: closed-form least squares, with and without the outliers
    def lstsq(xs: Tensor, ys: Tensor) -> tuple[float, float]:
        design = torch.stack([xs, torch.ones_like(xs)], dim=1).double()
        sol = torch.linalg.lstsq(design.cpu(), ys.double().cpu().unsqueeze(1)).solution.squeeze(1)
        return float(sol[0]), float(sol[1])

    ls_w, ls_b = lstsq(x, y)
    clean_w, clean_b = lstsq(x[~is_out], y[~is_out])

    # 3. train the same linear model with each loss
    fits = {}
    for i, (name, loss) in enumerate(LOSSES.items()):
        fits[name] = fit(x, y, loss, cfg, steps, ticker(ctx, f"fitting with {name}", i / 3, (i + 1) / 3))
        fits[name]["share"] = outlier_gradient_share(x, y, is_out, loss, cfg)

    # 4. errors in the parameters
    for f in fits.values():
        f["slope_err"] = abs(f["w"] - cfg.true_slope)
        f["intercept_err"] = abs(f["b"] - cfg.true_intercept)
    mse, hub, mae = fits["MSE"], fits["Huber"], fits["MAE"]
    mse_vs_lstsq = max(abs(mse["w"] - ls_w), abs(mse["b"] - ls_b))

    # 5. report
    out_pct = 100 * cfg.n_outliers / (cfg.n_clean + cfg.n_outliers)
    rows = [[name, f["w"], f["b"], f["slope_err"], f["intercept_err"], f["share"]] for name, f in fits.items()]
    rows.append(["least squares, clean points only", clean_w, clean_b, abs(clean_w - cfg.true_slope),
                 abs(clean_b - cfg.true_intercept), 0.0])  # fmt: skip
    metrics = {
        "true_slope": cfg.true_slope,
        "slope_mse": mse["w"],
        "slope_huber": hub["w"],
        "slope_mae": mae["w"],
        "slope_error_mse": mse["slope_err"],
        "slope_error_huber": hub["slope_err"],
        "slope_error_mae": mae["slope_err"],
        "intercept_error_mse": mse["intercept_err"],
        "intercept_error_huber": hub["intercept_err"],
        "intercept_error_mae": mae["intercept_err"],
        "outlier_gradient_share_mse": mse["share"],
        "outlier_gradient_share_huber": hub["share"],
        "outlier_gradient_share_mae": mae["share"],
        "mse_fit_vs_least_squares": mse_vs_lstsq,
        "slope_error_clean_least_squares": abs(clean_w - cfg.true_slope),
    }
    robust_best = min(hub["slope_err"], mae["slope_err"])
    if mse["slope_err"] > 3 * robust_best:
        verdict = (
            f"the MSE slope came out at {fmt(mse['w'])} (error {fmt(mse['slope_err'])}), while Huber gave "
            f"{fmt(hub['w'])} (error {fmt(hub['slope_err'])}) and MAE {fmt(mae['w'])} (error {fmt(mae['slope_err'])})"
        )
    else:
        verdict = (
            f"all three slopes ended close together (MSE {fmt(mse['w'])}, Huber {fmt(hub['w'])}, MAE {fmt(mae['w'])}), "
            "so the outliers did not separate the losses here"
        )
    takeaway = (
        f"With {cfg.n_outliers} of {cfg.n_clean + cfg.n_outliers} targets ({out_pct:.0f}%) corrupted and a true "
        f"slope of {fmt(cfg.true_slope)}, {verdict}. At the true line the outliers supply "
        f"{100 * mse['share']:.0f}% of the summed per-example gradient size under MSE, against "
        f"{100 * hub['share']:.0f}% under Huber and {100 * mae['share']:.0f}% under MAE. Trained MSE matches closed-form least squares to {fmt(mse_vs_lstsq)}."
    )
    return DemoResult(
        header=(
            f"Fits y = w x + b to points on y = {cfg.true_slope:g} x + {cfg.true_intercept:g} with {out_pct:.0f}% "
            f"of the targets shifted by {cfg.outlier_shift:g}, using MSE, Huber (delta {cfg.delta:g}) and MAE, "
            "same model, same start, full-batch Adam with a decaying learning rate."
        ),
        columns=[
            "loss",
            "slope w",
            "intercept b",
            "|w - true|",
            "|b - true|",
            "outliers' share of per-example |grad| at true line",
        ],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"slope during training (true slope {cfg.true_slope:g})",
                series=[Series(name, thin(f["slopes"])) for name, f in fits.items()]
                + [Series("true slope", [cfg.true_slope] * len(thin(mse["slopes"])))],
            )
        ],
    )
