"""VAE: the reparameterization trick lets gradients through the sampling step; beta trades reconstruction for KL.

Part 1, gradients through sampling. An encoder outputs a mean mu and a spread sigma, a code z is sampled from
N(mu, sigma^2), and a loss f(z) = ||z - c||^2 is computed, whose expectation has a closed form:
E f = ||mu - c||^2 + sum(sigma^2), so dE/dmu = 2 (mu - c) and dE/dlog(sigma) = 2 sigma^2. Three ways to get the
gradient from samples are compared with that oracle:
- sampling directly (torch.distributions.Normal.sample): the sample is a constant to autograd, so nothing
  flows back and mu receives no gradient at all;
- the reparameterization z = mu + sigma * eps, eps ~ N(0, I) (Normal.rsample): z is a differentiable function
  of mu and sigma, and the average gradient matches the oracle up to Monte-Carlo error;
- the score-function (REINFORCE) estimator f(z) * dlog q(z)/dmu, which needs no reparameterization and is
  also unbiased, but whose per-sample spread is much larger.

Part 2, the beta trade-off. A small VAE (2-d latent) is trained on 8-d data lying near a curved 2-d surface,
minimizing reconstruction + beta * KL(q(z|x) || N(0, I)) for several beta (all in one batched training run,
each beta with its own weights). Larger beta pulls the codes toward the prior (lower KL, fewer nats of
information about x) and reconstructs worse; smaller beta does the opposite.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.distributions import Normal

from quizdl.demos.common import Adam, fmt, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    code_dim: int = 4  # part 1: size of z
    n_samples: int = 4096  # part 1: Monte-Carlo samples for the gradient estimates
    betas: tuple[float, ...] = (0.1, 1.0, 4.0)  # part 2: KL weights compared
    data_dim: int = 8  # part 2: observed dimensions
    latent_dim: int = 2  # part 2: VAE code size
    hidden: int = 32  # part 2: encoder and decoder hidden width
    n_data: int = 256  # part 2: training points
    noise: float = 0.1  # part 2: observation noise of the data
    steps: int = 150  # part 2: full-batch Adam steps
    lr: float = 0.01  # part 2: Adam learning rate


def gradient_check(cfg: Config, gen: torch.Generator, device: str) -> dict[str, float]:
    """Part 1: the three estimators of dE[f(z)]/dmu (and d/dlog sigma) against the closed form."""
    mu = randn(gen, cfg.code_dim, device=device).requires_grad_(True)
    log_sigma = (0.3 * randn(gen, cfg.code_dim, device=device) - 0.5).requires_grad_(True)
    c = randn(gen, cfg.code_dim, device=device)
    eps = randn(gen, cfg.n_samples, cfg.code_dim, device=device)
    sigma = log_sigma.exp()
    exact_mu = 2 * (mu - c).detach()
    exact_ls = 2 * sigma.detach() ** 2

    def f(z: Tensor) -> Tensor:  # per-sample loss
        return ((z - c) ** 2).sum(dim=-1)

    # (a) direct sampling: autograd sees a constant
    torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen).item()))
    z_direct = Normal(mu, sigma).sample((cfg.n_samples,))
    direct_connected = bool(f(z_direct).mean().requires_grad)
    direct_grad = 0.0  # nothing can flow back: no graph connects the loss to mu
    if direct_connected:  # never expected; kept so the number is measured, not asserted
        direct_grad = float(torch.autograd.grad(f(z_direct).mean(), mu)[0].norm().item())
    # (b) reparameterization: z = mu + sigma * eps
    z = mu + sigma * eps
    g_mu, g_ls = torch.autograd.grad(f(z).mean(), [mu, log_sigma])
    per_sample_reparam = 2 * (z - c).detach()  # d f(z_n) / d mu for each sample
    # (c) score function: f(z) * (z - mu) / sigma^2, with z detached
    zd = z.detach()
    per_sample_score = f(zd).unsqueeze(-1) * (zd - mu.detach()) / sigma.detach() ** 2
    g_score = per_sample_score.mean(dim=0)

    def rel(g: Tensor) -> float:
        return float(((g - exact_mu).norm() / exact_mu.norm()).item())

    # Monte-Carlo standard error of the reparameterized mean, relative to |exact|
    se_reparam = float((per_sample_reparam.std(dim=0) / math.sqrt(cfg.n_samples)).norm().item() / exact_mu.norm())
    return {
        "direct_connected": direct_connected,
        "direct_grad_norm": direct_grad,
        "reparam_grad_norm": float(g_mu.norm().item()),
        "exact_grad_norm": float(exact_mu.norm().item()),
        "reparam_rel_error": rel(g_mu),
        "reparam_rel_se": se_reparam,
        "reparam_logsigma_rel_error": float(((g_ls - exact_ls).norm() / exact_ls.norm()).item()),
        "score_rel_error": rel(g_score),
        "score_grad_norm": float(g_score.norm().item()),
        "reparam_sample_std": float(per_sample_reparam.std(dim=0).mean().item()),
        "score_sample_std": float(per_sample_score.std(dim=0).mean().item()),
    }


class BatchedMLP(nn.Module):
    """M independent 2-layer MLPs evaluated at once: input (M, n, a) -> (M, n, b)."""

    def __init__(self, m: int, sizes: tuple[int, int, int]) -> None:
        super().__init__()
        a, h, b = sizes
        self.w1 = nn.Parameter(torch.randn(m, a, h) / math.sqrt(a))
        self.b1 = nn.Parameter(torch.zeros(m, 1, h))
        self.w2 = nn.Parameter(torch.randn(m, h, b) / math.sqrt(h))
        self.b2 = nn.Parameter(torch.zeros(m, 1, b))

    def forward(self, x: Tensor) -> Tensor:
        return torch.baddbmm(self.b2, torch.tanh(torch.baddbmm(self.b1, x, self.w1)), self.w2)


def beta_sweep(cfg: Config, ctx: DemoContext, gen: torch.Generator, steps: int) -> dict[str, list[float]]:
    """Part 2: one VAE per beta, trained side by side; final reconstruction error and KL per beta."""
    # data: a curved 2-d surface embedded in 8-d, plus noise
    u = randn(gen, cfg.n_data, 2, device=ctx.device)
    a = randn(gen, 2, cfg.data_dim, device=ctx.device)
    b = randn(gen, 2, cfg.data_dim, device=ctx.device)
    x = torch.tanh(u @ a) + 0.5 * torch.sin(u @ b) + cfg.noise * randn(gen, cfg.n_data, cfg.data_dim, device=ctx.device)
    m = len(cfg.betas)
    betas = torch.tensor(cfg.betas, device=ctx.device)
    torch.manual_seed(ctx.seed + 1)
    enc = BatchedMLP(m, (cfg.data_dim, cfg.hidden, 2 * cfg.latent_dim)).to(ctx.device)
    dec = BatchedMLP(m, (cfg.latent_dim, cfg.hidden, cfg.data_dim)).to(ctx.device)
    opt = Adam([*enc.parameters(), *dec.parameters()], lr=cfg.lr)
    xs = x.expand(m, -1, -1)
    eps_gen = torch.Generator().manual_seed(ctx.seed + 2)
    progress = ticker(ctx, "training VAEs", 0.2, 1.0)
    history: list[list[float]] = []
    for step in range(steps):
        mu, log_var = enc(xs).chunk(2, dim=-1)
        z = mu + (0.5 * log_var).exp() * randn(eps_gen, *mu.shape, device=ctx.device)  # reparameterized
        recon = ((dec(z) - xs) ** 2).sum(dim=-1).mean(dim=1)  # (M,) squared error per example
        kl = (0.5 * (mu**2 + log_var.exp() - 1 - log_var)).sum(dim=-1).mean(dim=1)  # (M,) nats per example
        loss = (recon + betas * kl).sum()  # each VAE's parameters see only their own term
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append([float(v) for v in (recon + betas * kl).tolist()])
        if (step + 1) % max(1, steps // 10) == 0:
            progress((step + 1) / steps)
    with torch.no_grad():  # final evaluation, with the posterior mean as the code
        mu, log_var = enc(xs).chunk(2, dim=-1)
        recon = ((dec(mu) - xs) ** 2).sum(dim=-1).mean(dim=1)
        kl = (0.5 * (mu**2 + log_var.exp() - 1 - log_var)).sum(dim=-1).mean(dim=1)
    return {
        "recon": [float(v) for v in recon.tolist()],
        "kl": [float(v) for v in kl.tolist()],
        "curves": [list(c) for c in zip(*history, strict=True)],
        "data_var": [float(x.var(dim=0, unbiased=False).sum().item())],
    }


@demo(
    "vae-reparameterization",
    topic="generative",
    summary="reparameterized samples pass gradients (checked vs closed form), direct samples don't; beta vs KL",
)
def vae_reparameterization(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    # 1. gradient through sampling, three ways, against the closed form
    ctx.progress("gradient check", 0.0)
    g = gradient_check(cfg, gen, ctx.device)
    # 2. beta sweep: reconstruction vs KL
    sweep = beta_sweep(cfg, ctx, gen, steps)
    ctx.progress("done", 1.0)

    rows: list[list[object]] = [
        ["direct Normal.sample()", "gradient d/dmu", g["direct_grad_norm"], "-", "-"],
        [
            "reparameterized mu + sigma*eps",
            "gradient d/dmu",
            g["reparam_grad_norm"],
            g["reparam_rel_error"],
            g["reparam_sample_std"],
        ],
        [
            "score function (REINFORCE)",
            "gradient d/dmu",
            g["score_grad_norm"],
            g["score_rel_error"],
            g["score_sample_std"],
        ],
        ["closed form 2 (mu - c)", "gradient d/dmu", g["exact_grad_norm"], 0.0, "-"],
    ]
    for beta, recon, kl in zip(cfg.betas, sweep["recon"], sweep["kl"], strict=True):
        rows.append([f"VAE, beta = {beta:g}", "reconstruction error / KL (nats)", recon, kl, "-"])
    metrics: dict[str, float | bool | int] = {
        "reparam_rel_error": g["reparam_rel_error"],
        "direct_sample_connected": g["direct_connected"],
        "direct_grad_norm": g["direct_grad_norm"],
        "reparam_grad_norm": g["reparam_grad_norm"],
        "exact_grad_norm": g["exact_grad_norm"],
        "reparam_rel_standard_error": g["reparam_rel_se"],
        "reparam_logsigma_rel_error": g["reparam_logsigma_rel_error"],
        "score_rel_error": g["score_rel_error"],
        "variance_ratio_score_vs_reparam": (g["score_sample_std"] / g["reparam_sample_std"]) ** 2,
        "data_variance": sweep["data_var"][0],
    }
    for beta, recon, kl in zip(cfg.betas, sweep["recon"], sweep["kl"], strict=True):
        metrics[f"recon_beta{beta:g}"] = recon
        metrics[f"kl_beta{beta:g}"] = kl
    recons, kls = sweep["recon"], sweep["kl"]
    monotone = all(a < b for a, b in itertools.pairwise(recons)) and all(a > b for a, b in itertools.pairwise(kls))
    metrics["tradeoff_monotone"] = monotone

    # 3. takeaway from the numbers
    first = (
        "Sampling with Normal.sample() leaves mu with "
        + ("no gradient at all (the sample is detached from the graph)" if not g["direct_connected"] else "a gradient")
        + f"; with z = mu + sigma*eps the gradient has norm {fmt(g['reparam_grad_norm'])} against "
        f"{fmt(g['exact_grad_norm'])} in closed form (relative error {fmt(g['reparam_rel_error'])}, Monte-Carlo "
        f"standard error {fmt(g['reparam_rel_se'])}). The score-function estimator is unbiased too (relative error "
        f"{fmt(g['score_rel_error'])}) but its per-sample variance is {fmt(metrics['variance_ratio_score_vs_reparam'])}x "
        "larger."
    )
    pairs = ", ".join(
        f"beta {beta:g}: reconstruction {fmt(r)}, KL {fmt(k)}"
        for beta, r, k in zip(cfg.betas, recons, kls, strict=True)
    )
    second = (
        f" Raising beta trades reconstruction for KL ({pairs})."
        if monotone
        else f" Across beta the trade-off was not monotone in this run ({pairs})."
    )
    return DemoResult(
        header=(
            "Part 1: the gradient of E[||z - c||^2] with respect to the encoder mean mu, estimated from "
            f"{cfg.n_samples} samples of z ~ N(mu, sigma^2) three ways and checked against the closed form. Part 2: "
            f"a 2-d VAE trained {steps} steps on 8-d data for beta = {', '.join(f'{b:g}' for b in cfg.betas)}."
        ),
        columns=["what", "measured", "value (norm / reconstruction)", "rel. error / KL", "per-sample std"],
        rows=rows,
        takeaway=first + second,
        metrics=metrics,
        charts=[
            Chart(
                title="reconstruction error and KL vs beta",
                series=[
                    Series("reconstruction error", recons, [float(b) for b in cfg.betas]),
                    Series("KL (nats)", kls, [float(b) for b in cfg.betas]),
                ],
                x_label="beta",
            ),
            Chart(
                title="training loss (reconstruction + beta * KL)",
                series=[Series(f"beta {b:g}", thin(c)) for b, c in zip(cfg.betas, sweep["curves"], strict=True)],
                log_y=True,
            ),
        ],
    )
