"""Receptive field: measured from gradients, against the formula, for stacks with and without stride and dilation.

The receptive field of an output unit is the input region that can change it. We measure it directly:
backpropagate from one output pixel to the input and take the width of the region where the gradient
is non-zero (every weight positive and no bias, so nothing cancels to an accidental zero). The formula,
layer by layer with kernel k, dilation d and stride s:

    r_l = r_(l-1) + (k_l - 1) * d_l * J_(l-1),   J_l = J_(l-1) * s_l,   r_0 = 1, J_0 = 1

where the jump J is the distance in input pixels between neighbouring units of layer l. We also measure
the jump, as the shift between the footprints of two neighbouring output pixels. Stride or pooling
multiplies the growth of every later layer; dilation multiplies the growth of its own layer only.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from quizdl.demos.common import footprint_box, input_gradient, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo

Layer = tuple[str, int, int, int]  # (kind "conv" or "avgpool", kernel, stride, dilation)


@dataclass(frozen=True)
class Config:
    depth: int = 4  # layers per stack (the receptive field is measured after each)
    size: int = 96  # side of the input image (large enough that no field touches the border)
    # each stack: a name and its layers
    stacks: tuple[tuple[str, tuple[Layer, ...]], ...] = (
        ("3x3, stride 1", (("conv", 3, 1, 1),) * 4),
        ("3x3, stride 2 in layer 1 only", (("conv", 3, 2, 1),) + (("conv", 3, 1, 1),) * 3),
        ("3x3, stride 2 everywhere", (("conv", 3, 2, 1),) * 4),
        ("3x3, dilation 1, 2, 4, 8", (("conv", 3, 1, 1), ("conv", 3, 1, 2), ("conv", 3, 1, 4), ("conv", 3, 1, 8))),
        ("3x3 conv, 2x2 avg pool, alternating", (("conv", 3, 1, 1), ("avgpool", 2, 2, 1)) * 2),
        ("5x5, stride 1", (("conv", 5, 1, 1),) * 4),
    )


def formula(layers: tuple[Layer, ...]) -> tuple[list[int], list[int]]:
    """Receptive field and jump after each layer, from the recurrence."""
    r, j = 1, 1
    rs, js = [], []
    for _kind, k, s, d in layers:
        r += (k - 1) * d * j
        j *= s
        rs.append(r)
        js.append(j)
    return rs, js


def _module(kind: str, k: int, s: int, d: int) -> nn.Module:
    if kind == "avgpool":
        return nn.AvgPool2d(k, stride=s)
    conv = nn.Conv2d(1, 1, k, stride=s, dilation=d, padding=d * (k - 1) // 2, bias=False)
    with torch.no_grad():
        conv.weight.uniform_(0.1, 1.0)  # positive weights: a zero gradient means "not connected"
    return conv


def measure(layers: tuple[Layer, ...], size: int, device: str) -> tuple[int, int, int]:
    """Footprint width and height of the central output pixel, and the shift to its right neighbour's."""
    net = nn.Sequential(*[_module(*layer) for layer in layers]).to(device)
    left, _, width, height, _ = footprint_box(input_gradient(net, size, device)[0])
    left_next = footprint_box(input_gradient(net, size, device, col_offset=1)[0])[0]
    return width, height, left_next - left


@demo(
    "receptive-field",
    topic="cnn",
    summary="receptive field measured from input gradients vs the formula, with and without stride and dilation",
)
def receptive_field(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    seeded(ctx)

    # 1. for each stack and each depth: the formula and the measured footprint
    rows: list[list[object]] = []
    measured: dict[str, list[int]] = {}
    matches = checks = 0
    square = True
    total = len(cfg.stacks) * cfg.depth
    for si, (name, layers) in enumerate(cfg.stacks):
        rs, js = formula(layers)
        widths: list[int] = []
        jumps: list[int] = []
        for depth in range(1, cfg.depth + 1):
            ctx.progress(name, (si * cfg.depth + depth - 1) / total)
            width, height, jump = measure(layers[:depth], cfg.size, ctx.device)
            widths.append(width)
            jumps.append(jump)
            square &= width == height
        measured[name] = widths
        ok = widths == rs and jumps == js
        matches += sum(w == r for w, r in zip(widths, rs, strict=True)) + sum(
            a == b for a, b in zip(jumps, js, strict=True)
        )
        checks += 2 * cfg.depth
        rows.append(
            [
                name,
                ", ".join(map(str, rs)),
                ", ".join(map(str, widths)),
                ", ".join(map(str, js)),
                ", ".join(map(str, jumps)),
                ok,
            ]
        )
    ctx.progress("done", 1.0)

    # 2. report
    names = [n for n, _ in cfg.stacks]
    plain, first_s2, all_s2, dil = (measured[n][-1] for n in names[:4])
    metrics: dict[str, object] = {
        "checks": checks,
        "matching": matches,
        "all_match": matches == checks,
        "square_footprints": square,
        "depth": cfg.depth,
        "rf_stride1": measured[names[0]],
        "rf_stride2_first": measured[names[1]],
        "rf_stride2_all": measured[names[2]],
        "rf_dilated": measured[names[3]],
        "rf_conv_pool": measured[names[4]],
        "rf_5x5": measured[names[5]],
    }
    takeaway = (
        f"{matches} of {checks} measured receptive fields and jumps match the recurrence"
        + (" exactly. " if matches == checks else " (see the table for the mismatch). ")
        + f"After {cfg.depth} 3x3 layers the field is {plain} pixels at stride 1 (2 per layer), {first_s2} when "
        f"only the first layer has stride 2 (each later layer then adds (3 - 1) x 2 = 4), {all_s2} with stride 2 "
        f"everywhere and {dil} with dilations 1, 2, 4, 8: both double the growth per layer, but stride does it by "
        f"shrinking the map (jump {formula(cfg.stacks[2][1])[1][-1]}) while dilation keeps full resolution (jump 1)."
    )
    xs = [float(d) for d in range(1, cfg.depth + 1)]
    return DemoResult(
        header=(
            "Receptive field of the central output pixel of several conv stacks, measured as the width of the input "
            "region with non-zero gradient (positive weights), against r_l = r_(l-1) + (k - 1) d J_(l-1), "
            "J_l = J_(l-1) s; the jump J is measured as the shift between neighbouring output pixels' footprints."
        ),
        columns=["stack", "formula, layers 1..4", "measured", "jump formula", "jump measured", "match"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="measured receptive field (pixels) vs depth",
                series=[Series(n, [float(w) for w in measured[n]], xs) for n in names],
                x_label="layers",
                log_y=True,
            )
        ],
    )
