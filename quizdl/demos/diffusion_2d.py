"""A tiny DDPM on 2-D data: learn to remove noise, then turn pure noise into points on a ring.

The data are points on a ring of radius 1 (with a little radial jitter). The forward process mixes a data
point with Gaussian noise, x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, over T steps until almost nothing
of x_0 remains (abar_T near 0). A small MLP eps_theta(x_t, t) is trained with the DDPM loss
||eps - eps_theta(x_t, t)||^2 on random t. Sampling starts from pure noise x_T ~ N(0, I) and applies the
reverse update x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) eps_theta(x_t, t)) / sqrt(alpha_t) + sigma_t z step by
step. The sampled points are compared with the pure noise they started from and with real data: the
distance to the ring | ||x|| - 1 |, the share of points within 0.1 of it, and how evenly they cover the
ring's angles (a collapsed sampler would pile up on one arc).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from quizdl.demos.common import Adam, fmt, mlp, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    radius_jitter: float = 0.03  # std of the data's radial noise around radius 1
    t_steps: int = 40  # diffusion steps T
    beta_start: float = 1e-3  # noise schedule: beta_1
    beta_end: float = 0.25  # beta_T (linear schedule; abar_T is then about 0.01)
    hidden: int = 64  # MLP width (two hidden layers)
    batch: int = 512  # fresh data points per training step
    steps: int = 300  # Adam steps
    lr: float = 0.05  # Adam learning rate, decayed linearly to 0 (high to start: few steps)
    n_samples: int = 1000  # points generated
    angle_bins: int = 12  # bins for the angular coverage


def ring(gen: torch.Generator, n: int, cfg: Config, device: str) -> Tensor:
    angle = 2 * math.pi * torch.rand(n, generator=gen)
    r = 1 + cfg.radius_jitter * torch.randn(n, generator=gen)
    return torch.stack([r * angle.cos(), r * angle.sin()], dim=1).to(device)


class Denoiser(nn.Module):
    """eps_theta(x_t, t): an MLP on [x, sin/cos features of t]."""

    def __init__(self, cfg: Config, device: str) -> None:
        super().__init__()
        self.net = mlp([2 + 4, cfg.hidden, cfg.hidden, 2], act=nn.SiLU, device=device)
        self.t_steps = cfg.t_steps

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        s = (t.float() / self.t_steps).unsqueeze(1)
        feats = torch.cat([torch.sin(math.pi * s), torch.cos(math.pi * s), torch.sin(3 * math.pi * s), s], dim=1)
        return self.net(torch.cat([x, feats], dim=1))


def ring_stats(x: Tensor, bins: int) -> dict[str, float]:
    """Distance to the unit ring, share within 0.1 of it, and angular coverage (min bin share / uniform share)."""
    dist = (x.norm(dim=1) - 1).abs()
    near = dist < 0.1
    angle = torch.atan2(x[:, 1], x[:, 0])
    idx = ((angle + math.pi) / (2 * math.pi) * bins).long().clamp(0, bins - 1)
    counts = torch.bincount(idx[near], minlength=bins).float()
    coverage = float((counts.min() / counts.sum().clamp_min(1) * bins).item())
    return {
        "mean_dist": float(dist.mean().item()),
        "near_share": float(near.float().mean().item()),
        "coverage": coverage,
    }


@demo(
    "diffusion-2d",
    topic="generative",
    summary="a tiny DDPM turns pure noise into points on a ring: distance to the data vs the starting noise",
)
def diffusion_2d(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    # 1. noise schedule
    betas = torch.linspace(cfg.beta_start, cfg.beta_end, cfg.t_steps, device=ctx.device)
    alphas = 1 - betas
    abar = torch.cumprod(alphas, dim=0)

    # 2. train eps_theta with the DDPM loss on fresh ring points and random t
    torch.manual_seed(ctx.seed + 1)
    net = Denoiser(cfg, ctx.device)
    opt = Adam(net.parameters(), lr=cfg.lr)
    progress = ticker(ctx, "training the denoiser", 0.0, 0.9)
    losses: list[float] = []
    for step in range(steps):
        opt.lr = cfg.lr * (1 - step / steps)
        x0 = ring(gen, cfg.batch, cfg, ctx.device)
        t = torch.randint(0, cfg.t_steps, (cfg.batch,), generator=gen).to(ctx.device)
        eps = randn(gen, cfg.batch, 2, device=ctx.device)
        a = abar[t].unsqueeze(1)
        loss = ((net(a.sqrt() * x0 + (1 - a).sqrt() * eps, t) - eps) ** 2).sum(dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
        if (step + 1) % max(1, steps // 10) == 0:
            progress((step + 1) / steps)

    # 3. sample: start from pure noise, apply the reverse update T times
    ctx.progress("sampling", 0.9)
    noise = randn(gen, cfg.n_samples, 2, device=ctx.device)
    x = noise
    dist_path = [ring_stats(x, cfg.angle_bins)["mean_dist"]]
    with torch.no_grad():
        for i in reversed(range(cfg.t_steps)):
            t = torch.full((cfg.n_samples,), i, device=ctx.device)
            eps_hat = net(x, t)
            x = (x - betas[i] / (1 - abar[i]).sqrt() * eps_hat) / alphas[i].sqrt()
            if i > 0:  # sigma_t^2 = beta_t * (1 - abar_{t-1}) / (1 - abar_t), the posterior variance
                var = betas[i] * (1 - abar[i - 1]) / (1 - abar[i])
                x = x + var.sqrt() * randn(gen, cfg.n_samples, 2, device=ctx.device)
            dist_path.append(ring_stats(x, cfg.angle_bins)["mean_dist"])
    ctx.progress("done", 1.0)

    # 4. compare generated points with the starting noise and with real data
    real = ring(gen, cfg.n_samples, cfg, ctx.device)
    s_gen, s_noise, s_real = (ring_stats(v, cfg.angle_bins) for v in (x, noise, real))
    rows = [
        [name, s["mean_dist"], s["near_share"], s["coverage"]]
        for name, s in (("pure noise (start)", s_noise), ("DDPM samples", s_gen), ("real data", s_real))
    ]
    metrics = {
        "samples_mean_dist": s_gen["mean_dist"],
        "noise_mean_dist": s_noise["mean_dist"],
        "abar_T": float(abar[-1].item()),
        "data_mean_dist": s_real["mean_dist"],
        "samples_near_share": s_gen["near_share"],
        "noise_near_share": s_noise["near_share"],
        "samples_coverage": s_gen["coverage"],
        "data_coverage": s_real["coverage"],
        "final_loss": losses[-1],
        "first_loss": losses[0],
    }

    # 5. takeaway from the numbers
    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    if s_gen["mean_dist"] < 0.3 * s_noise["mean_dist"]:
        verdict = (
            f"After {cfg.t_steps} denoising steps the samples lie {fmt(s_gen['mean_dist'])} from the ring on "
            f"average, against {fmt(s_noise['mean_dist'])} for the noise they started from (real data: "
            f"{fmt(s_real['mean_dist'])}); {pct(s_gen['near_share'])} are within 0.1 of it vs "
            f"{pct(s_noise['near_share'])} of the noise."
        )
    else:
        verdict = (
            f"The samples lie {fmt(s_gen['mean_dist'])} from the ring on average vs {fmt(s_noise['mean_dist'])} for "
            f"pure noise: the denoiser did not learn the ring well in {steps} steps."
        )
    coverage = (
        f" The least-covered of {cfg.angle_bins} arcs gets {fmt(s_gen['coverage'])}x its fair share "
        f"(real data {fmt(s_real['coverage'])}x): "
        + (
            "the whole ring is covered, no mode collapse."
            if s_gen["coverage"] > 0.5
            else "parts of the ring are missed."
        )
    )
    return DemoResult(
        header=(
            f"A DDPM with T = {cfg.t_steps} steps and a small MLP denoiser is trained {steps} steps on points of a "
            f"ring of radius 1, then generates {cfg.n_samples} points from pure Gaussian noise."
        ),
        columns=["points", "mean distance to ring", "share within 0.1", "coverage of the least-covered arc"],
        rows=rows,
        takeaway=verdict + coverage,
        metrics=metrics,
        charts=[
            Chart(
                title="mean distance to the ring along the reverse process",
                series=[Series("samples", dist_path), Series("real data", [s_real["mean_dist"]] * len(dist_path))],
                x_label="denoising step",
            ),
            Chart(
                title="training loss (DDPM, noise-prediction MSE)", series=[Series("loss", thin(losses))], log_y=True
            ),
        ],
    )
