"""Convolution arithmetic: output sizes and receptive fields, measured on real nn.Conv2d layers.

1. Output size. A conv with kernel k, stride s and padding p maps an n x n input to
   floor((n + 2p - k) / s) + 1 per side. "Valid" (p = 0) shrinks the map by k - 1; "same" (p = (k - 1) / 2
   for odd k, stride 1) keeps it. We build each conv, run it and compare the shape with the formula.
2. Receptive field. Each extra 3x3 layer lets an output pixel see one more pixel on every side: 2L + 1
   after L layers at stride 1. Striding multiplies the growth: r_L = r_{L-1} + (k - 1) * (product of the
   earlier strides), 2^(L+1) - 1 for all-stride-2 3x3 layers. We measure it as the width of the region of
   the input where the gradient of one output pixel is non-zero (weights positive, so nothing cancels).
   The gradient is also far from flat inside that region: most of it sits near the center.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from quizdl.demos.common import footprint_box, input_gradient, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    # (input size n, kernel k, stride s, padding p or "same") for the output-size check
    shapes: tuple[tuple[int, int, int, int | str], ...] = (
        (32, 3, 1, 0),
        (32, 3, 1, 1),
        (32, 3, 1, "same"),
        (32, 5, 1, 0),
        (32, 5, 1, 2),
        (32, 7, 1, 3),
        (32, 3, 2, 0),
        (32, 3, 2, 1),
        (31, 5, 2, 2),
        (28, 4, 3, 1),
    )
    max_layers: int = 5  # receptive field: stacks of 1..max_layers 3x3 convs
    stride2_layers: int = 5  # receptive field: stacks of 1..stride2_layers stride-2 3x3 convs
    rf_input: int = 129  # side of the input used to measure receptive fields


def output_size(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


def measured_receptive_field(layers: int, stride: int, size: int, device: str) -> tuple[int, list[float]]:
    """Width of the input region that one output pixel depends on, and the gradient profile along a row."""
    convs = [nn.Conv2d(1, 1, 3, stride=stride, padding=1, bias=False) for _ in range(layers)]
    net = nn.Sequential(*convs).to(device)
    with torch.no_grad():
        for c in convs:
            c.weight.uniform_(0.1, 1.0)  # positive weights: no accidental cancellation to exactly 0
    g, _ = input_gradient(net, size, device)
    width = footprint_box(g)[2]
    profile = g.abs().sum(dim=0)
    return width, [float(v) for v in (profile / profile.sum()).tolist()]


@demo("conv-arithmetic", topic="cnn", summary="valid vs same padding output sizes, receptive field growth")
def conv_arithmetic(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    seeded(ctx)

    # 1. output sizes: build each conv, run it, compare with the formula
    rows: list[list[object]] = []
    size_ok = 0
    same_kept: list[bool] = []
    ctx.progress("output sizes", 0.0)
    for n, k, s, p in cfg.shapes:
        conv = nn.Conv2d(1, 1, k, stride=s, padding=p).to(ctx.device)
        measured = int(conv(torch.zeros(1, 1, n, n, device=ctx.device)).shape[-1])
        pad = (k - 1) // 2 if p == "same" else int(p)
        half_pad = pad == (k - 1) // 2 and k % 2 == 1
        mode = "valid" if pad == 0 else ("same" if s == 1 else "half padding: ceil(n/s)") if half_pad else "padded"
        expected = output_size(n, k, s, pad)
        size_ok += measured == expected
        if mode == "same":
            same_kept.append(measured == n)
        setting = f"n={n} k={k} s={s} p={p!r}".replace("'", "") + f" ({mode}{', keeps n' if measured == n else ''})"
        rows.append(["output size", setting, expected, measured, measured == expected])

    # 2. receptive fields: gradient of one output pixel w.r.t. the input
    rf1: list[int] = []
    rf2: list[int] = []
    profile: list[float] = []
    total = cfg.max_layers + cfg.stride2_layers
    for layers in range(1, cfg.max_layers + 1):
        ctx.progress("receptive field, stride 1", (len(rf1) + 1) / (total + 1))
        width, prof = measured_receptive_field(layers, 1, cfg.rf_input, ctx.device)
        rf1.append(width)
        profile = prof
        rows.append(["receptive field", f"{layers} x (3x3, stride 1)", 2 * layers + 1, width, width == 2 * layers + 1])
    for layers in range(1, cfg.stride2_layers + 1):
        ctx.progress("receptive field, stride 2", (cfg.max_layers + layers) / (total + 1))
        width, _ = measured_receptive_field(layers, 2, cfg.rf_input, ctx.device)
        rf2.append(width)
        expected = 2 ** (layers + 1) - 1
        rows.append(["receptive field", f"{layers} x (3x3, stride 2)", expected, width, width == expected])
    ctx.progress("done", 1.0)

    # 3. how concentrated the gradient is: share of it in the central columns (about a third of the field)
    center, half = len(profile) // 2, rf1[-1] // 2
    third = max(1, round(rf1[-1] / 6))
    central_cols = 2 * third + 1
    central_share = sum(profile[center - third : center + third + 1])
    rf_ok = sum(w == 2 * i + 3 for i, w in enumerate(rf1)) + sum(w == 2 ** (i + 2) - 1 for i, w in enumerate(rf2))
    metrics: dict[str, float | int | bool] = {
        "output_sizes_checked": len(cfg.shapes),
        "output_sizes_matching": size_ok,
        "receptive_fields_checked": len(rf1) + len(rf2),
        "receptive_fields_matching": rf_ok,
        "all_match": size_ok == len(cfg.shapes) and rf_ok == len(rf1) + len(rf2),
        "central_columns": central_cols,
        "central_gradient_share": central_share,
    }
    for i, w in enumerate(rf1, start=1):
        metrics[f"receptive_field_stride1_L{i}"] = w
    for i, w in enumerate(rf2, start=1):
        metrics[f"receptive_field_stride2_L{i}"] = w

    n_conv = len(cfg.shapes)
    takeaway = (
        f"{size_ok} of {n_conv} conv output sizes match floor((n + 2p - k) / s) + 1"
        + (" exactly" if size_ok == n_conv else " (a mismatch: see the table)")
        + f"; padding (k-1)/2 at stride 1 kept the size in {sum(same_kept)} of {len(same_kept)} cases. "
        "The receptive field measured through gradients is "
        f"{', '.join(map(str, rf1))} pixels wide after 1..{len(rf1)} stacked 3x3 convs"
        + (" (2L + 1)" if rf1 == [2 * i + 1 for i in range(1, len(rf1) + 1)] else "")
        + f", but {', '.join(map(str, rf2))} with stride 2"
        + (", roughly doubling per layer. " if rf2 == [2 ** (i + 1) - 1 for i in range(1, len(rf2) + 1)] else ". ")
        + f"Inside the {rf1[-1]}-pixel field of {len(rf1)} layers, the central {central_cols} columns "
        f"({central_cols / rf1[-1]:.0%} of the width) carry {central_share:.0%} of the gradient"
        + (": the effective receptive field is smaller than the theoretical one." if central_share > 0.6 else ".")
    )
    xs1 = [float(i) for i in range(1, len(rf1) + 1)]
    xs2 = [float(i) for i in range(1, len(rf2) + 1)]
    lo, hi = center - half, center + half + 1
    return DemoResult(
        header=(
            "Builds real nn.Conv2d layers: checks their output sizes against floor((n + 2p - k) / s) + 1 for valid "
            "and same padding and strides, then measures the receptive field of stacked 3x3 convs as the input "
            "region where one output pixel's gradient is non-zero."
        ),
        columns=["check", "setting", "formula", "measured", "match"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="receptive field (pixels) vs number of 3x3 layers",
                series=[
                    Series("stride 1", [float(w) for w in rf1], xs1),
                    Series("stride 2", [float(w) for w in rf2], xs2),
                ],
                x_label="layers",
            ),
            Chart(
                title=f"share of the gradient per input column, {len(rf1)} layers of 3x3 stride 1",
                series=[Series("gradient share", profile[lo:hi], [float(i - center) for i in range(lo, hi)])],
                x_label="column offset from the center",
            ),
        ],
    )
