"""Batch vs layer vs instance norm: which axes each one normalizes, and which one depends on the batch.

BatchNorm standardizes every feature over the batch, LayerNorm every sample over its features, and
InstanceNorm every (sample, channel) over its spatial positions. We feed the same skewed data to all three
and measure the mean and std along each axis afterwards. Then we push one fixed sample through each layer
inside batches of different sizes and compare its output: BatchNorm's depends on who else is in the
batch (and a batch of one is an error), LayerNorm's does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from quizdl.demos.common import fmt, randn, seeded, to_floats
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    batch: int = 64  # samples in the main batch
    features: int = 16  # features per sample (BatchNorm1d / LayerNorm)
    channels: int = 4  # channels per sample for InstanceNorm1d
    length: int = 32  # spatial positions per channel for InstanceNorm1d
    feature_shift: float = 4.0  # per-feature offsets are drawn from +-feature_shift
    sample_shift: float = 2.0  # std of a per-sample offset shared by all its features
    small_batches: tuple[int, ...] = (2, 4, 8, 16, 32)  # batch sizes for the dependence test


def axis_stats(y: Tensor, dim: int | tuple[int, ...]) -> tuple[float, float]:
    """(mean |mean|, mean |std - 1|) of y reduced over `dim`: both ~0 iff y is standardized along dim."""
    mean = y.mean(dim=dim)
    std = y.std(dim=dim, unbiased=False)
    return float(mean.abs().mean().item()), float((std - 1).abs().mean().item())


def make_data(cfg: Config, gen: torch.Generator, n: int, device: str) -> Tensor:
    """(n, features) data with per-feature offsets/scales and a per-sample offset: skewed along both axes."""
    shift = (torch.linspace(-1, 1, cfg.features) * cfg.feature_shift).to(device)
    scale = torch.linspace(0.5, 3.0, cfg.features).to(device)
    per_sample = randn(gen, n, 1, device=device) * cfg.sample_shift
    return randn(gen, n, cfg.features, device=device) * scale + shift + per_sample


@demo(
    "normalization",
    topic="normalization",
    summary="batch vs layer vs instance norm: which axes are normalized, dependence on batch size",
)
def run(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)

    # 1. data: (batch, features) for BatchNorm/LayerNorm, (batch, channels, length) for InstanceNorm
    x = make_data(cfg, gen, cfg.batch, ctx.device)
    ch_shift = torch.linspace(-3, 3, cfg.channels, device=ctx.device).view(1, -1, 1)
    x_seq = randn(gen, cfg.batch, cfg.channels, cfg.length, device=ctx.device) * 2.0 + ch_shift
    ctx.progress("normalizing", 0.1)

    # 2. the three layers, without learned scale/shift so we see the raw normalization
    bn = nn.BatchNorm1d(cfg.features, affine=False).to(ctx.device).train()
    ln = nn.LayerNorm(cfg.features, elementwise_affine=False).to(ctx.device)
    inorm = nn.InstanceNorm1d(cfg.channels, affine=False).to(ctx.device)

    # 3. which axes end up standardized: dim 0 = per feature (over the batch), dim 1 = per sample
    with torch.no_grad():
        y_bn, y_ln, y_in = bn(x), ln(x), inorm(x_seq)
    over_batch, over_features, over_positions = "per feature", "per sample", "per (sample, channel)"
    stats = {  # (layer, statistics taken over) -> (mean |mean|, mean |std - 1|)
        ("input (N, F)", over_batch): axis_stats(x, 0),
        ("input (N, F)", over_features): axis_stats(x, 1),
        ("BatchNorm1d", over_batch): axis_stats(y_bn, 0),
        ("BatchNorm1d", over_features): axis_stats(y_bn, 1),
        ("LayerNorm", over_features): axis_stats(y_ln, 1),
        ("LayerNorm", over_batch): axis_stats(y_ln, 0),
        ("input (N, C, L)", over_positions): axis_stats(x_seq, 2),
        ("InstanceNorm1d", over_positions): axis_stats(y_in, 2),
    }
    ctx.progress("batch dependence", 0.5)

    # 4. batch dependence: sample 0 of the big batch, normalized inside smaller batches of other samples
    fillers = make_data(cfg, gen, max(cfg.small_batches), ctx.device)
    fillers_seq = randn(gen, max(cfg.small_batches), cfg.channels, cfg.length, device=ctx.device) * 2.0
    with torch.no_grad():
        refs = {"BatchNorm": y_bn[:1], "LayerNorm": y_ln[:1], "InstanceNorm": y_in[:1]}
        diffs: dict[str, list[float]] = {name: [] for name in refs}
        for size in cfg.small_batches:
            batch = torch.cat([x[:1], fillers[: size - 1]])
            batch_seq = torch.cat([x_seq[:1], fillers_seq[: size - 1] + ch_shift])
            outs = {"BatchNorm": bn(batch), "LayerNorm": ln(batch), "InstanceNorm": inorm(batch_seq)}
            for name, out in outs.items():
                diffs[name].append(float((out[:1] - refs[name]).abs().max().item()))
        try:
            bn(x[:1])
            batch_of_one = "works"
        except ValueError:
            batch_of_one = "ValueError"
    ctx.progress("done", 1.0)

    # 5. report: one row per (layer, axis); the batch-dependence column on each layer's own axis
    smallest = cfg.small_batches[0]
    own_axis = {
        ("BatchNorm1d", over_batch): "BatchNorm",
        ("LayerNorm", over_features): "LayerNorm",
        ("InstanceNorm1d", over_positions): "InstanceNorm",
    }
    rows: list[list[object]] = [
        [layer, over, mean, std, diffs[own_axis[(layer, over)]][0] if (layer, over) in own_axis else ""]
        for (layer, over), (mean, std) in stats.items()
    ]
    bn_f_mean, bn_f_std = stats[("BatchNorm1d", over_batch)]
    bn_s_mean, bn_s_std = stats[("BatchNorm1d", over_features)]
    ln_s_mean, ln_s_std = stats[("LayerNorm", over_features)]
    ln_f_mean, ln_f_std = stats[("LayerNorm", over_batch)]
    in_cell, in_cell_std = stats[("InstanceNorm1d", over_positions)]
    bn_small = diffs["BatchNorm"][0]
    ln_any = max(diffs["LayerNorm"])
    in_any = max(diffs["InstanceNorm"])
    metrics = {
        "bn_feature_mean_abs": bn_f_mean,
        "bn_feature_std_dev": bn_f_std,
        "bn_sample_mean_abs": bn_s_mean,
        "bn_sample_std_dev": bn_s_std,
        "ln_feature_mean_abs": ln_f_mean,
        "ln_feature_std_dev": ln_f_std,
        "ln_sample_mean_abs": ln_s_mean,
        "ln_sample_std_dev": ln_s_std,
        "in_cell_mean_abs": in_cell,
        "in_cell_std_dev": in_cell_std,
        "in_input_cell_mean_abs": stats[("input (N, C, L)", over_positions)][0],
        "bn_change_by_batch_size": {str(b): d for b, d in zip(cfg.small_batches, diffs["BatchNorm"], strict=True)},
        "bn_max_change_smallest_batch": bn_small,
        "ln_max_change_any_batch": ln_any,
        "in_max_change_any_batch": in_any,
        "bn_batch_of_one": batch_of_one,
    }
    bn_ok = bn_f_mean < 1e-3 and bn_f_std < 1e-2
    ln_ok = ln_s_mean < 1e-3 and ln_s_std < 1e-2
    in_ok = in_cell < 1e-3 and in_cell_std < 1e-2
    depends = bn_small > 100 * max(ln_any, in_any, 1e-6)
    takeaway = (
        f"BatchNorm {'standardized' if bn_ok else 'did NOT standardize'} each feature over the batch "
        f"(|mean| {fmt(bn_f_mean)}, |std-1| {fmt(bn_f_std)}) but left each sample skewed (|mean| "
        f"{fmt(bn_s_mean)}); LayerNorm {'standardized' if ln_ok else 'did NOT standardize'} each sample "
        f"(|mean| {fmt(ln_s_mean)}) but left the features skewed (|mean| {fmt(ln_f_mean)}); InstanceNorm "
        f"{'standardized' if in_ok else 'did NOT standardize'} each (sample, channel) over its positions "
        f"(|mean| {fmt(in_cell)}). The same sample's "
        f"BatchNorm output moved by up to {fmt(bn_small)} in a batch of {smallest} (a batch of one: "
        f"{batch_of_one}), LayerNorm's by {fmt(ln_any)} and InstanceNorm's by {fmt(in_any)}: "
        + (
            "BatchNorm depends on the rest of the batch, the other two do not."
            if depends
            else "no clear batch dependence showed up here."
        )
    )
    return DemoResult(
        header=(
            "The same skewed data through BatchNorm, LayerNorm and InstanceNorm (no affine). Mean and std per "
            "feature (over the batch), per sample (over its features) and per (sample, channel) (over positions) "
            "show which axis each layer normalizes: |mean| ~0 and |std - 1| ~0. Δ: how far sample 0's output "
            "moves when it is normalized in a small batch of other samples instead of the full one."
        ),
        columns=["layer", "statistics", "|mean|", "|std - 1|", f"Δ, batch of {smallest}"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="max change of sample 0's output vs the batch it was normalized in",
                series=[
                    Series(name, [max(d, 1e-9) for d in values], x=[float(b) for b in cfg.small_batches])
                    for name, values in diffs.items()
                ],
                x_label="batch size",
                log_y=True,
            ),
            Chart(
                title="per-feature mean over the batch after each layer",
                series=[
                    Series("BatchNorm", to_floats(y_bn.mean(0))),
                    Series("LayerNorm", to_floats(y_ln.mean(0))),
                ],
                x_label="feature",
            ),
        ],
    )
