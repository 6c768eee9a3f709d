"""Pooling and shift invariance: conv features move with the input; pooling makes them (partly) stay put.

We take 16 smooth random images (white noise blurred), cut a 32 x 32 window out of each, and cut the
same window again shifted right by 1 to 8 pixels. A bank of 8 random 3x3 filters with ReLU turns each
window into feature maps, which are then left as they are, max-pooled 2x2 or 4x4, or pooled globally
(average or max over all positions). For each, the change is ||f(shifted) - f(original)|| / ||f(original)||,
comparing the same positions.
- The conv map is equivariant, not invariant: its values move with the input (checked exactly: the map
  of the shifted window equals the original map shifted), so at the same positions it changes a lot.
- Max pooling with window w tolerates shifts smaller than w, partly: the maximum of a window often stays in
  it. A shift by exactly w moves the pooled map by one cell (checked exactly), so the tolerance is local.
- Global pooling discards position altogether; only what enters or leaves at the borders changes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    images: int = 16  # random images
    window: int = 32  # side of the window fed to the features
    max_shift: int = 8  # horizontal shifts 1..max_shift
    blur: int = 3  # box blur that makes the noise smooth (neighbouring pixels correlated)
    filters: int = 8  # random 3x3 filters (+ ReLU)


POOLS = ("no pooling", "max pool 2x2", "max pool 4x4", "global average pool", "global max pool")


def _pool(fmap: Tensor, kind: str) -> Tensor:
    if kind == "no pooling":
        return fmap
    if kind == "max pool 2x2":
        return F.max_pool2d(fmap, 2)
    if kind == "max pool 4x4":
        return F.max_pool2d(fmap, 4)
    if kind == "global average pool":
        return fmap.mean(dim=(2, 3))
    return fmap.amax(dim=(2, 3))


@demo(
    "pooling-shift-invariance",
    topic="cnn",
    summary="how much features change under small input shifts: conv map vs max pooling vs global pooling",
)
def pooling_shift_invariance(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)

    # 1. data: smooth random images, large enough for every shifted window
    side = cfg.window + cfg.max_shift + cfg.blur
    noise = randn(gen, cfg.images, 1, side + cfg.blur - 1, side + cfg.blur - 1, device=ctx.device)
    images = F.avg_pool2d(noise, cfg.blur, stride=1)

    # 2. features: random 3x3 filters and ReLU (valid convolution, so no padding effects)
    conv = nn.Conv2d(1, cfg.filters, 3, bias=True).to(ctx.device)

    def window(dx: int) -> Tensor:
        return images[:, :, : cfg.window, dx : dx + cfg.window]

    with torch.no_grad():
        base_map = torch.relu(conv(window(0)))
        base = {k: _pool(base_map, k) for k in POOLS}
        change: dict[str, list[float]] = {k: [] for k in POOLS}
        equiv_err = 0.0
        cell: dict[str, list[float]] = {"max pool 2x2": [2, -1.0], "max pool 4x4": [4, -1.0]}  # window, error
        for dx in range(1, cfg.max_shift + 1):
            ctx.progress(f"shift {dx}", dx / (cfg.max_shift + 1))
            fmap = torch.relu(conv(window(dx)))
            # equivariance: the shifted window's map is the original map shifted by dx (where both exist)
            equiv_err = max(equiv_err, float((fmap[..., :-dx] - base_map[..., dx:]).abs().max().item()))
            for k in POOLS:
                f = _pool(fmap, k)
                change[k].append(float(((f - base[k]).norm() / base[k].norm()).item()))
                if k in cell and dx == cell[k][0]:  # a shift by the window: the pooled map moves one cell
                    cell[k][1] = float((f[..., :-1] - base[k][..., 1:]).abs().max().item())
    ctx.progress("done", 1.0)

    # 3. report
    shifts = list(range(1, cfg.max_shift + 1))
    rows: list[list[object]] = [[k, *[change[k][dx - 1] for dx in (1, 2, 3, 4, 8)]] for k in POOLS]
    none, mp2, mp4, gap, gmp = (change[k] for k in POOLS)
    metrics = {
        "equivariance_error": equiv_err,
        "pooled_cell_shift_error_2": cell["max pool 2x2"][1],
        "pooled_cell_shift_error_4": cell["max pool 4x4"][1],
        "change_none": none,
        "change_maxpool2": mp2,
        "change_maxpool4": mp4,
        "change_gap": gap,
        "change_gmp": gmp,
        "shifts": shifts,
    }
    ordered = none[0] > mp2[0] > gap[0] and none[0] > mp4[0] > gap[0]
    takeaway = (
        f"Shifting the input by one pixel changes the conv feature map by {fmt(none[0])} of its norm at the same "
        f"positions (the map itself just moved: it matches the shifted original to {fmt(equiv_err)}), "
        f"the 2x2 max-pooled map by {fmt(mp2[0])}, the 4x4 max-pooled map by {fmt(mp4[0])}, and the global "
        f"average and max by {fmt(gap[0])} and {fmt(gmp[0])}"
        + (": the more position is pooled away, the more invariant the output. " if ordered else ". ")
        + f"Max pooling's tolerance is local: the 2x2-pooled change grows to {fmt(mp2[1])} at a shift of 2 and the "
        f"4x4-pooled one to {fmt(mp4[3])} at 4, where each pooled map has simply moved by one cell (it matches the "
        f"shifted original to {fmt(max(cell['max pool 2x2'][1], cell['max pool 4x4'][1]))}); global average "
        f"pooling stays at {fmt(max(gap))} or less for every shift up to {cfg.max_shift}."
    )
    xs = [float(s) for s in shifts]
    return DemoResult(
        header=(
            f"Random 3x3 conv + ReLU features of {cfg.images} smooth random images, and of the same images shifted "
            f"right by 1..{cfg.max_shift} pixels; relative change ||f(shifted) - f(original)|| / ||f(original)|| at "
            "the same positions, with and without max pooling or global pooling."
        ),
        columns=["features", "shift 1", "shift 2", "shift 3", "shift 4", "shift 8"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="relative change of the features vs input shift (pixels)",
                series=[Series(k, change[k], xs) for k in POOLS],
                x_label="shift",
            )
        ],
    )
