"""BatchNorm vs GroupNorm at small batch sizes: noisy batch statistics vs per-example statistics.

BatchNorm2d normalises each channel with the mean and variance over the batch and the spatial positions,
(N, H, W). With a batch of 2 those statistics come from just two examples, so they are noisy, and a given
example's normalised output depends strongly on which other example shares its batch. In training that
noise also differs from what the network sees at inference (running averages), one reason BatchNorm's
accuracy drops at small batch sizes. GroupNorm normalises each example over groups of channels and its
own spatial positions, (C/G, H, W): no statistic crosses the batch, so the output for an example is the
same whatever its batchmates and batch size, and identical in training and eval mode.

We draw feature maps whose channels have their own means and scales and whose examples differ (a
per-example, per-channel shift, as real features do), and measure (1) the error of BatchNorm's batch mean
and variance against the population values for batch sizes 2 to 32; (2) how far one fixed example's
BatchNorm output moves away from its eval-mode output (population statistics) when it shares a training
batch with random others; (3) the same for GroupNorm, against the example normalised on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    channels: int = 16  # C
    size: int = 4  # H = W
    groups: int = 4  # GroupNorm groups (4 channels each)
    pool: int = 2048  # examples in the population the batches are drawn from
    example_effect: float = 0.8  # std of the per-example, per-channel shift (in units of the channel scale)
    pixel_noise: float = 0.6  # std of the per-position noise (same units)
    batch_sizes: tuple[int, ...] = (2, 4, 8, 16, 32)  # batch sizes compared
    trials: int = 64  # random batches per batch size for the statistics
    probe_trials: int = 16  # random sets of batchmates per batch size for the fixed example


@demo(
    "groupnorm-small-batch",
    topic="normalization",
    summary="BatchNorm's statistics and outputs are noisy at batch size 2; GroupNorm's do not depend on the batch",
)
def groupnorm_small_batch(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    c, s = cfg.channels, cfg.size

    # 1. data: a population of feature maps with per-channel means/scales and per-example shifts
    ch_mean = (randn(gen, 1, c, 1, 1, device=ctx.device) * 2.0).detach()
    ch_scale = torch.exp(randn(gen, 1, c, 1, 1, device=ctx.device) * 0.5)
    shift = randn(gen, cfg.pool, c, 1, 1, device=ctx.device) * cfg.example_effect
    x = ch_mean + ch_scale * (shift + randn(gen, cfg.pool, c, s, s, device=ctx.device) * cfg.pixel_noise)
    pop_mean = x.mean(dim=(0, 2, 3))
    pop_var = x.var(dim=(0, 2, 3), unbiased=False)

    # 2. the layers: BatchNorm2d with the population as its running statistics, GroupNorm (no affine part)
    bn = nn.BatchNorm2d(c, affine=False).to(ctx.device)
    bn.running_mean.copy_(pop_mean)
    bn.running_var.copy_(pop_var)
    gn = nn.GroupNorm(cfg.groups, c, affine=False).to(ctx.device)
    probe = x[:1]
    with torch.no_grad():
        probe_eval = bn.eval()(probe)  # what the network sees for this example at inference
        probe_gn_alone = gn(probe)
        gn_train_vs_eval = float((gn.train()(x[:32]) - gn.eval()(x[:32])).abs().max().item())

    rows: list[list[object]] = []
    noise_mean: list[float] = []
    noise_var: list[float] = []
    bn_change: list[float] = []
    gn_change: list[float] = []
    for i, b in enumerate(cfg.batch_sizes):
        # 3. noise of BatchNorm's batch statistics: many random batches of size b, vectorised
        idx = torch.randint(1, cfg.pool, (cfg.trials, b), generator=gen).to(ctx.device)
        batches = x[idx]  # (trials, b, C, H, W)
        b_mean = batches.mean(dim=(1, 3, 4))
        b_var = batches.var(dim=(1, 3, 4), unbiased=False)
        noise_mean.append(float(((b_mean - pop_mean) / pop_var.sqrt()).pow(2).mean().sqrt().item()))
        noise_var.append(float(((b_var - pop_var) / pop_var).pow(2).mean().sqrt().item()))

        # 4. one fixed example inside random batches: BatchNorm (train mode) vs GroupNorm
        bn.train()
        bn.momentum = 0.0  # do not let these probes move the running statistics
        d_bn, d_gn = [], []
        with torch.no_grad():
            for t in range(cfg.probe_trials):
                batch = torch.cat([probe, x[idx[t % cfg.trials, : b - 1]]])
                d_bn.append(float((bn(batch)[:1] - probe_eval).abs().mean().item()))
                d_gn.append(float((gn(batch)[:1] - probe_gn_alone).abs().max().item()))
        bn_change.append(sum(d_bn) / len(d_bn))
        gn_change.append(max(d_gn))
        rows.append([b, noise_mean[-1], noise_var[-1], bn_change[-1], gn_change[-1]])
        ctx.progress("batch sizes", (i + 1) / len(cfg.batch_sizes))

    # 5. report
    small, large = cfg.batch_sizes[0], cfg.batch_sizes[-1]
    metrics = {
        "bn_mean_noise_small": noise_mean[0],
        "bn_mean_noise_large": noise_mean[-1],
        "bn_var_noise_small": noise_var[0],
        "bn_var_noise_large": noise_var[-1],
        "bn_output_shift_small": bn_change[0],
        "bn_output_shift_large": bn_change[-1],
        "gn_output_change_max": max(gn_change),
        "gn_train_vs_eval_max": gn_train_vs_eval,
        "noise_ratio_small_over_large": noise_mean[0] / noise_mean[-1],
        "expected_ratio_sqrt": (large / small) ** 0.5,
        "small_batch": small,
        "large_batch": large,
    }
    exact = max(gn_change) < 1e-6 and gn_train_vs_eval < 1e-6
    takeaway = (
        f"BatchNorm's batch mean was off from the population mean by {fmt(noise_mean[0])} standard deviations "
        f"(rms) at batch size {small} and {fmt(noise_mean[-1])} at {large} (ratio {fmt(metrics['noise_ratio_small_over_large'])}, "
        f"sqrt({large}/{small}) = {fmt(metrics['expected_ratio_sqrt'])}); its variance was off by {fmt(100 * noise_var[0], 2)}% "
        f"vs {fmt(100 * noise_var[-1], 2)}%. So one example's normalised output in a training batch differed from its "
        f"eval-mode output by {fmt(bn_change[0])} on average at batch size {small}, {fmt(bn_change[-1])} at {large}. "
        + (
            f"GroupNorm's output for the same example was identical with any batchmates and batch size (max "
            f"difference {fmt(max(gn_change))}) and the same in train and eval mode."
            if exact
            else f"GroupNorm's output changed by up to {fmt(max(gn_change))}, which should not happen."
        )
    )
    xs = [float(b) for b in cfg.batch_sizes]
    return DemoResult(
        header=(
            f"Draws random batches of {small} to {large} feature maps (C={c}, {s}x{s}) and measures the error of "
            "BatchNorm's batch statistics, how far one fixed example's BatchNorm output moves from its eval-mode "
            f"output, and whether its GroupNorm ({cfg.groups} groups) output moves at all."
        ),
        columns=[
            "batch size",
            "BN batch-mean error (std units, rms)",
            "BN batch-variance error (relative, rms)",
            "BN: |train output - eval output| of one example",
            "GN: max change of that example's output",
        ],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="one example's normalised output: batch-dependent deviation vs batch size",
                series=[Series("BatchNorm", bn_change, x=xs), Series("GroupNorm", gn_change, x=xs)],
                x_label="batch size",
            ),
            Chart(
                title="error of BatchNorm's batch mean (population std units)",
                series=[Series("BatchNorm batch mean", noise_mean, x=xs)],
                x_label="batch size",
                log_y=True,
            ),
        ],
    )
