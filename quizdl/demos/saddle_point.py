"""Saddle points: a zero gradient that is not a minimum, why gradient descent crawls there, and why Newton stops.

f(x, y) = x^2 - y^2 + y^4 / 4 has a saddle at (0, 0) (Hessian eigenvalues +2 and -2, f = 0) and two minima
at (0, +-sqrt(2)) with f = -1. Gradient descent started exactly on the line y = 0 converges to the saddle:
the gradient goes to 0 and training looks finished although it is not a minimum. Started a tiny distance
y0 off that line, it escapes, because the negative-curvature direction grows by a factor (1 + 2 lr) per
step, but only after about ln(1 / y0) / ln(1 + 2 lr) steps on a plateau. Gradient noise (as in SGD) and
momentum shorten that wait. Newton's method, w <- w - H^-1 grad, rescales every direction by 1 / curvature,
and in a negative-curvature direction that flips the step: it moves TOWARD the saddle and converges there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded, thin
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    lr: float = 0.05  # gradient-descent step size
    steps: int = 300  # steps per run
    offsets: tuple[float, ...] = (1e-2, 1e-5, 1e-8, 0.0)  # starting distance y0 from the saddle's stable line
    x0: float = 1.0  # every run starts at x = x0
    noise: float = 1e-3  # std of the Gaussian noise added to the gradient (the "SGD" run)
    momentum: float = 0.9  # heavy-ball momentum (the "momentum" run starts at y0 = 1e-8)
    newton_start: tuple[float, float] = (0.5, 0.3)  # Newton and gradient descent both start here
    escaped: float = 1.0  # |y| above this counts as escaped from the saddle


def loss(w: Tensor) -> Tensor:
    x, y = w[..., 0], w[..., 1]
    return x**2 - y**2 + y**4 / 4


def grad(w: Tensor) -> Tensor:
    """Gradient of `loss`, written out: (2x, -2y + y^3)."""
    x, y = w[..., 0], w[..., 1]
    return torch.stack([2 * x, -2 * y + y**3], dim=-1)


def hessian_diag(w: Tensor) -> Tensor:
    """The Hessian is diagonal: (2, -2 + 3 y^2)."""
    return torch.stack([torch.full_like(w[..., 0], 2.0), -2 + 3 * w[..., 1] ** 2], dim=-1)


def first_escape(ys: Tensor, threshold: float) -> int | None:
    """First step at which |y| exceeds threshold, or None."""
    hit = (ys.abs() > threshold).nonzero()
    return int(hit[0].item()) if hit.numel() else None


@demo(
    "saddle-point",
    topic="optimization",
    summary="gradient descent stalls at a saddle (zero gradient, not a minimum); noise and momentum escape, Newton is attracted",
)
def saddle_point(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    dev = ctx.device

    # 1. starting points: one batch of runs, updated together
    plain = torch.tensor([[cfg.x0, y0] for y0 in cfg.offsets], device=dev)
    noisy = torch.tensor([[cfg.x0, 0.0]], device=dev)  # exactly on the stable line, but with gradient noise
    heavy = torch.tensor([[cfg.x0, 1e-8]], device=dev)
    velocity = torch.zeros_like(heavy)
    gd_n = torch.tensor([list(cfg.newton_start)], device=dev)
    newton = gd_n.clone()

    # 2. iterate: plain GD, GD + noise, heavy-ball momentum, and GD vs Newton from one start
    ys_plain, ys_noisy, ys_heavy = [], [], []
    curves: dict[str, list[Tensor]] = {"plain": [], "noisy": [], "heavy": [], "gd_n": [], "newton": []}
    for step in range(steps):
        for key, w in (("plain", plain), ("noisy", noisy), ("heavy", heavy), ("gd_n", gd_n), ("newton", newton)):
            curves[key].append(loss(w))
        ys_plain.append(plain[:, 1])
        ys_noisy.append(noisy[:, 1])
        ys_heavy.append(heavy[:, 1])
        plain = plain - cfg.lr * grad(plain)
        noisy = noisy - cfg.lr * (grad(noisy) + cfg.noise * randn(gen, 1, 2, device=dev))
        velocity = cfg.momentum * velocity + grad(heavy)
        heavy = heavy - cfg.lr * velocity
        gd_n = gd_n - cfg.lr * grad(gd_n)
        newton = newton - grad(newton) / hessian_diag(newton)
        if (step + 1) % max(1, steps // 5) == 0:
            ctx.progress("iterating", (step + 1) / steps)
    y_plain = torch.stack(ys_plain)  # (steps, len(offsets))
    loss_curves = {k: torch.stack(v).cpu() for k, v in curves.items()}

    # 3. measure: escape times vs the linear prediction, where each run ended, Hessian there
    predicted = {y0: (math.log(cfg.escaped / y0) / math.log(1 + 2 * cfg.lr) if y0 > 0 else None) for y0 in cfg.offsets}
    escape = {y0: first_escape(y_plain[:, i], cfg.escaped) for i, y0 in enumerate(cfg.offsets)}
    escape_noisy = first_escape(torch.stack(ys_noisy)[:, 0], cfg.escaped)
    escape_heavy = first_escape(torch.stack(ys_heavy)[:, 0], cfg.escaped)
    stuck = plain[cfg.offsets.index(0.0)]
    stuck_grad = float(grad(stuck).norm().item())
    stuck_hess_min = float(hessian_diag(stuck).min().item())
    newton_end, gd_end = newton[0], gd_n[0]

    # 4. report
    rows: list[list[object]] = []
    for i, y0 in enumerate(cfg.offsets):
        end = plain[i]
        rows.append([f"GD, y0 = {y0:g}", escape[y0] if escape[y0] is not None else "never",
                     f"{predicted[y0]:.0f}" if predicted[y0] else "never", float(loss(end).item()),
                     float(grad(end).norm().item()), float(hessian_diag(end).min().item())])  # fmt: skip
    for label, esc, end in (
        (f"GD + gradient noise {cfg.noise:g}, y0 = 0", escape_noisy, noisy[0]),
        (f"momentum {cfg.momentum:g}, y0 = 1e-08", escape_heavy, heavy[0]),
        (f"GD from {cfg.newton_start}", "", gd_end),
        (f"Newton from {cfg.newton_start}", "", newton_end),
    ):
        rows.append([label, esc if esc is not None else "never", "", float(loss(end).item()),
                     float(grad(end).norm().item()), float(hessian_diag(end).min().item())])  # fmt: skip
    metrics = {
        "escape_steps": {f"{y0:g}": escape[y0] for y0 in cfg.offsets},
        "predicted_escape_steps": {f"{y0:g}": predicted[y0] for y0 in cfg.offsets},
        "escape_steps_noise": escape_noisy,
        "escape_steps_momentum": escape_heavy,
        "stuck_loss": float(loss(stuck).item()),
        "stuck_grad_norm": stuck_grad,
        "stuck_hessian_min_eig": stuck_hess_min,
        "minimum_loss": -1.0,
        "newton_end_y": float(newton_end[1].item()),
        "newton_end_loss": float(loss(newton_end).item()),
        "newton_end_grad_norm": float(grad(newton_end).norm().item()),
        "gd_end_loss_from_newton_start": float(loss(gd_end).item()),
    }
    tiny = cfg.offsets[2]
    parts = [
        f"Started exactly on the saddle's stable line, gradient descent ended with gradient norm {fmt(stuck_grad)} at "
        f"loss {fmt(metrics['stuck_loss'])}, where the Hessian still has eigenvalue {fmt(stuck_hess_min)}: a zero "
        "gradient, but a saddle, not the minimum (-1).",
        "Started "
        + ", ".join(f"{y0:g}" for y0 in cfg.offsets[:3])
        + " off it, it escaped after "
        + ", ".join(str(escape[y0]) for y0 in cfg.offsets[:3])
        + " steps (predicted ln(1/y0)/ln(1+2 lr): "
        + ", ".join(f"{predicted[y0]:.0f}" for y0 in cfg.offsets[:3])
        + "),",
        f"the wait growing with ln(1/y0). Gradient noise of {cfg.noise:g} got it off the exact saddle line in "
        f"{escape_noisy if escape_noisy is not None else 'no'} steps, and momentum {cfg.momentum:g} from y0 = {tiny:g} in "
        f"{escape_heavy if escape_heavy is not None else 'no'} (plain GD: {escape[tiny]}).",
        f"From {cfg.newton_start} gradient descent reached loss {fmt(metrics['gd_end_loss_from_newton_start'])} while "
        f"Newton's method converged to y = {fmt(metrics['newton_end_y'])}, loss {fmt(metrics['newton_end_loss'])}: "
        "the saddle.",
    ]
    series = {
        f"GD, y0 = {y0:g}": loss_curves["plain"][:, i] for i, y0 in enumerate(cfg.offsets) if y0 != cfg.offsets[1]
    }
    series["GD + noise, y0 = 0"] = loss_curves["noisy"][:, 0]
    series[f"momentum, y0 = {tiny:g}"] = loss_curves["heavy"][:, 0]
    series["Newton"] = loss_curves["newton"][:, 0]
    steps_x = thin([float(t) for t in range(steps)])
    return DemoResult(
        header=(
            "f(x, y) = x^2 - y^2 + y^4/4: a saddle at (0, 0) (f = 0), minima at y = +-sqrt(2) (f = -1). Gradient descent "
            f"(lr {cfg.lr:g}) from x = {cfg.x0:g} and small offsets y0, with gradient noise, with momentum, and Newton's "
            "method; steps until |y| > 1, and where each run ends."
        ),
        columns=[
            "run",
            "steps to escape",
            "predicted",
            "final loss",
            "final |gradient|",
            "smallest Hessian eigenvalue",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="f - f_min (the saddle plateau is at 1; the minimum at 0)",
                series=[
                    Series(name, thin([float(v) + 1.0 for v in c.tolist()]), x=steps_x) for name, c in series.items()
                ],
                log_y=True,
            )
        ],
    )
