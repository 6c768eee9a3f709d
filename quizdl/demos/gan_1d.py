"""A GAN in one dimension: a generator learns to turn noise into samples of N(mu, sigma).

The generator G maps standard normal noise through a small MLP to one number; the discriminator D, another
small MLP, outputs the logit that its input is real. They are trained in turns: D to tell real samples
from G's (binary cross-entropy), G to make D call its samples real (the non-saturating loss,
-log D(G(z))). Nothing ever tells G the target mean or spread: it only gets D's gradient. We compare the
mean and standard deviation of G's samples with the real ones before and after training, plus the
1-D Wasserstein distance (mean gap between the sorted samples).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, fmt, mlp, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    real_mean: float = 4.0  # mu of the real distribution
    real_std: float = 1.25  # sigma of the real distribution
    noise_dim: int = 4  # size of the generator's input noise
    hidden: int = 32  # hidden width of G and D (two hidden layers each)
    batch: int = 256  # real and fake samples per step
    steps: int = 200  # training steps (one D update and one G update each)
    lr: float = 3e-3  # Adam learning rate for both, decayed linearly to 0 (damps G/D oscillation)
    beta1: float = 0.5  # Adam beta1, the usual GAN setting
    n_eval: int = 4000  # samples used to measure mean and std
    bins: int = 30  # histogram bins for the chart


def stats(samples: Tensor, real: Tensor) -> dict[str, float]:
    """Mean, std, and the 1-D Wasserstein distance to equally many real samples."""
    w1 = (samples.flatten().sort().values - real.flatten().sort().values).abs().mean()
    return {"mean": float(samples.mean().item()), "std": float(samples.std().item()), "w1": float(w1.item())}


def histogram(x: Tensor, lo: float, hi: float, bins: int) -> list[float]:
    """Density (share per bin) of x over [lo, hi]."""
    counts = torch.histc(x.detach().float().cpu(), bins=bins, min=lo, max=hi)
    return [float(c) / x.numel() for c in counts.tolist()]


@demo("gan-1d", topic="generative", summary="a tiny GAN learning a 1-D distribution: real vs generated")
def gan_1d(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: real samples from N(mu, sigma), drawn fresh every step; fixed noise for evaluation
    def real(n: int) -> Tensor:
        return cfg.real_mean + cfg.real_std * randn(gen, n, 1, device=ctx.device)

    z_eval, x_eval = randn(gen, cfg.n_eval, cfg.noise_dim, device=ctx.device), real(cfg.n_eval)

    # 2. models: G (noise -> sample) and D (sample -> logit "real")
    g_net = mlp([cfg.noise_dim, cfg.hidden, cfg.hidden, 1], act=nn.LeakyReLU, device=ctx.device)
    d_net = mlp([1, cfg.hidden, cfg.hidden, 1], act=nn.LeakyReLU, device=ctx.device)
    with torch.no_grad():
        before_samples = g_net(z_eval)
    before = stats(before_samples, x_eval)

    # 3. train in turns: D on real vs fake, then G to fool D
    opt_g = Adam(g_net.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))
    opt_d = Adam(d_net.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))
    ones = torch.ones(cfg.batch, 1, device=ctx.device)
    zeros = torch.zeros(cfg.batch, 1, device=ctx.device)
    report = ticker(ctx, "training G and D", 0.0, 0.95)
    bce = F.binary_cross_entropy_with_logits
    d_losses: list[float] = []
    g_losses: list[float] = []
    gen_means: list[float] = []
    for step in range(steps):
        opt_g.lr = opt_d.lr = cfg.lr * (1 - step / steps)
        fake = g_net(randn(gen, cfg.batch, cfg.noise_dim, device=ctx.device))
        # D step: real -> 1, fake -> 0 (fake detached: this step must not change G)
        d_loss = bce(d_net(real(cfg.batch)), ones) + bce(d_net(fake.detach()), zeros)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        # G step: make D call the fakes real; the gradients it leaves on D are cleared before D's next step
        g_loss = bce(d_net(fake), ones)  # non-saturating: -log D(G(z))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        d_losses.append(float(d_loss.item()))
        g_losses.append(float(g_loss.item()))
        gen_means.append(float(fake.detach().mean().item()))
        if (step + 1) % max(1, steps // 10) == 0:
            report((step + 1) / steps)

    # 4. measure: generated vs real after training
    with torch.no_grad():
        after_samples = g_net(z_eval)
    after = stats(after_samples, x_eval)
    ctx.progress("done", 1.0)

    rows: list[list[object]] = [
        ["real N(mu, sigma)", stats(x_eval, x_eval)["mean"], stats(x_eval, x_eval)["std"], 0.0],
        ["generator before training", before["mean"], before["std"], before["w1"]],
        [f"generator after {steps} steps", after["mean"], after["std"], after["w1"]],
    ]
    mean_err = abs(after["mean"] - cfg.real_mean)
    std_err = abs(after["std"] - cfg.real_std) / cfg.real_std
    metrics = {
        "real_mean": cfg.real_mean,
        "real_std": cfg.real_std,
        "gen_mean_before": before["mean"],
        "gen_std_before": before["std"],
        "wasserstein_before": before["w1"],
        "gen_mean_after": after["mean"],
        "gen_std_after": after["std"],
        "wasserstein_after": after["w1"],
        "mean_abs_error_after": mean_err,
        "std_rel_error_after": std_err,
        "final_d_loss": d_losses[-1],
    }
    learned = mean_err < 0.25 * cfg.real_std and std_err < 0.35  # tolerance: a quarter sigma, 35% of sigma
    takeaway = (
        f"Before training G's samples have mean {fmt(before['mean'])} and std {fmt(before['std'])}; after {steps} "
        f"steps, mean {fmt(after['mean'])} and std {fmt(after['std'])} against the real {fmt(cfg.real_mean)} and "
        f"{fmt(cfg.real_std)} (Wasserstein distance {fmt(before['w1'])} -> {fmt(after['w1'])}). "
        + (
            f"G matched the mean within {mean_err / cfg.real_std:.0%} of sigma and the std within {std_err:.0%}, "
            "from D's gradient alone, without ever seeing mu or sigma. "
            if learned
            else "G did not match the real distribution within tolerance in this run (GAN training is fragile). "
        )
        + f"D's final loss is {fmt(d_losses[-1])} (2 ln 2 = 1.39 when D can no longer tell real from fake)."
    )
    lo, hi = cfg.real_mean - 4 * cfg.real_std, cfg.real_mean + 4 * cfg.real_std
    centers = [lo + (hi - lo) * (i + 0.5) / cfg.bins for i in range(cfg.bins)]
    return DemoResult(
        header=(
            f"A generator (MLP on {cfg.noise_dim}-D noise) and a discriminator are trained adversarially for {steps} "
            f"steps on samples of N({fmt(cfg.real_mean)}, {fmt(cfg.real_std)}^2); mean and std of real vs generated "
            "samples, before and after."
        ),
        columns=["samples", "mean", "std", "Wasserstein distance to real"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="histogram: real vs generated (share of samples per bin)",
                series=[
                    Series("real", histogram(x_eval, lo, hi, cfg.bins), centers),
                    Series("generated, before", histogram(before_samples, lo, hi, cfg.bins), centers),
                    Series("generated, after", histogram(after_samples, lo, hi, cfg.bins), centers),
                ],
                x_label="x",
            ),
            Chart(
                title="mean of the generated batch during training",
                series=[
                    Series("generated mean", thin(gen_means)),
                    Series("real mean", [cfg.real_mean] * 2, [0, steps - 1]),
                ],
            ),
            Chart(title="losses", series=[Series("D", thin(d_losses)), Series("G", thin(g_losses))]),
        ],
    )
