"""Dilated convolution: a large receptive field from few weights, at full resolution.

Six ways to grow the receptive field with L layers of C = 16 channels:
- stacked 3x3 convs (dilation 1): field 2L + 1, 9 C^2 weights per layer, against (2L + 1)^2 C^2 for one
  kernel with the same field (three 3x3 layers: 27 C^2, one 7x7: 49 C^2);
- 3x3 convs with dilations 1, 2, 4, 8: field 2^(L+1) - 1 for the same weights;
- one large k x k kernel with that same field: k^2 C^2 weights, far more;
- 3x3 convs with stride 2: the same field as the dilated stack, but the map shrinks 2x per layer;
- 3x3 convs all with dilation 2: the field grows (4L + 1), but the taps fall only on every other pixel,
  so the field is a sparse grid ("gridding"): only about a quarter of its pixels reach the output.
The receptive field is measured from gradients (the input region where one output pixel's gradient is
non-zero, positive weights so nothing cancels), together with the share of that region actually
reached; the parameters are counted from the modules and the output size measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from quizdl.demos.common import footprint_box, input_gradient, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    channels: int = 16  # channels in and out of every layer (for the parameter counts)
    depth: int = 4  # layers per stack
    size: int = 64  # side of the input image (measured output sizes are for this input)


def _layers(kind: str, depth: int, channels: int) -> list[nn.Conv2d]:
    """The conv layers of one design with `depth` layers (a single big kernel for "large kernel")."""
    if kind == "stacked 3x3":
        return [nn.Conv2d(channels, channels, 3, padding=1) for _ in range(depth)]
    if kind == "dilated 3x3 (1, 2, 4, ...)":
        return [nn.Conv2d(channels, channels, 3, padding=2**i, dilation=2**i) for i in range(depth)]
    if kind == "one large kernel":
        k = 2 ** (depth + 1) - 1  # the dilated stack's field
        return [nn.Conv2d(channels, channels, k, padding=k // 2)]
    if kind == "one kernel, plain stack's field":
        k = 2 * depth + 1
        return [nn.Conv2d(channels, channels, k, padding=k // 2)]
    if kind == "strided 3x3 (stride 2)":
        return [nn.Conv2d(channels, channels, 3, padding=1, stride=2) for _ in range(depth)]
    if kind == "dilated 3x3 (all 2)":
        return [nn.Conv2d(channels, channels, 3, padding=2, dilation=2) for _ in range(depth)]
    raise ValueError(kind)


KINDS = (
    "stacked 3x3",
    "one kernel, plain stack's field",
    "dilated 3x3 (1, 2, 4, ...)",
    "one large kernel",
    "strided 3x3 (stride 2)",
    "dilated 3x3 (all 2)",
)


def _single_channel(conv: nn.Conv2d) -> nn.Conv2d:
    """A 1-channel copy of a conv's geometry with positive weights (the field does not depend on channels)."""
    c = nn.Conv2d(1, 1, conv.kernel_size, stride=conv.stride, padding=conv.padding, dilation=conv.dilation, bias=False)
    with torch.no_grad():
        c.weight.uniform_(0.1, 1.0)
    return c


def _field(convs: list[nn.Conv2d], size: int, device: str) -> tuple[int, float, int]:
    """Width of the central output pixel's gradient footprint, the share of that box reached, output side."""
    net = nn.Sequential(*[_single_channel(c) for c in convs]).to(device)
    g, out_size = input_gradient(net, size, device)
    _, _, width, _, share = footprint_box(g)
    return width, share, out_size


@demo(
    "dilated-convolution",
    topic="cnn",
    summary="receptive field and parameters: dilated 3x3 stack vs plain stack vs one large kernel vs stride",
)
def dilated_convolution(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    seeded(ctx)

    # 1. build every design at depths 1..L: parameters from the modules, field and coverage from gradients
    rf: dict[str, list[int]] = {k: [] for k in KINDS}
    params: dict[str, list[int]] = {k: [] for k in KINDS}
    cover: dict[str, list[float]] = {k: [] for k in KINDS}
    side: dict[str, list[int]] = {k: [] for k in KINDS}
    for i, kind in enumerate(KINDS):
        ctx.progress(kind, i / len(KINDS))
        for depth in range(1, cfg.depth + 1):
            convs = _layers(kind, depth, cfg.channels)
            width, covered, out_side = _field(convs, cfg.size, ctx.device)
            rf[kind].append(width)
            cover[kind].append(covered)
            side[kind].append(out_side)
            params[kind].append(sum(p.numel() for c in convs for p in c.parameters()))
    ctx.progress("done", 1.0)

    # 2. report the deepest version of each design
    rows: list[list[object]] = [
        [
            kind,
            len(_layers(kind, cfg.depth, 1)),
            rf[kind][-1],
            params[kind][-1],
            cover[kind][-1],
            f"{side[kind][-1]} x {side[kind][-1]}",
        ]
        for kind in KINDS
    ]
    stacked, single, dilated, large, strided, grid = KINDS
    names = ("stacked", "single", "dilated", "large", "strided", "grid")
    metrics: dict[str, object] = {
        "depth": cfg.depth,
        "channels": cfg.channels,
        "input_size": cfg.size,
        **{f"rf_{k}": rf[kind] for k, kind in zip(names, KINDS, strict=True)},
        **{f"params_{k}": params[kind] for k, kind in zip(names, KINDS, strict=True)},
        "coverage_dilated": cover[dilated][-1],
        "coverage_grid": cover[grid][-1],
        "coverage_stacked": cover[stacked][-1],
        "output_side_dilated": side[dilated][-1],
        "output_side_strided": side[strided][-1],
    }
    i3 = min(3, cfg.depth) - 1
    takeaway = (
        f"Stacking {i3 + 1} 3x3 layers gives a {rf[stacked][i3]}-pixel field with {params[stacked][i3]} parameters, one "
        f"{rf[single][i3]}x{rf[single][i3]} kernel the same field with {params[single][i3]}. "
        f"With {cfg.depth} layers of 3x3 weights ({params[dilated][-1]} parameters, the same as the plain stack), "
        f"dilations 1, 2, 4, 8 give a {rf[dilated][-1]}-pixel receptive field against {rf[stacked][-1]} for the plain "
        f"stack; one {rf[large][-1]}x{rf[large][-1]} kernel with the same field needs {params[large][-1]} parameters "
        f"({params[large][-1] / params[dilated][-1]:.0f}x more). Stride 2 reaches the same {rf[strided][-1]} pixels but "
        f"shrinks the {cfg.size}x{cfg.size} map to {side[strided][-1]}x{side[strided][-1]}, while the dilated stack "
        f"keeps {side[dilated][-1]}x{side[dilated][-1]}. Dilation 2 in every layer reaches {rf[grid][-1]} pixels but "
        f"only {cover[grid][-1]:.0%} of them feed the output (gridding), against {cover[dilated][-1]:.0%} with "
        "rates 1, 2, 4, 8."
    )
    xs = [float(d) for d in range(1, cfg.depth + 1)]
    return DemoResult(
        header=(
            f"Six ways to grow the receptive field with up to {cfg.depth} layers of {cfg.channels} channels: the field "
            "is measured as the input region where one output pixel's gradient is non-zero, with the share of that "
            "region actually reached; parameters are counted from the modules."
        ),
        columns=["design", "layers", "receptive field", "parameters", "share of field reached", "output size"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="receptive field (pixels) vs depth",
                series=[Series(k, [float(v) for v in rf[k]], xs) for k in KINDS],
                x_label="layers",
                log_y=True,
            ),
            Chart(
                title="parameters vs depth (single kernels: one layer with the field of that many layers)",
                series=[Series(k, [float(v) for v in params[k]], xs) for k in (stacked, single, dilated, large)],
                x_label="layers",
                log_y=True,
            ),
        ],
    )
