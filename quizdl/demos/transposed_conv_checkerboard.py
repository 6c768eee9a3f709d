"""Checkerboard artifacts: transposed convolution with a kernel the stride does not divide overlaps unevenly.

A stride-2 transposed convolution spreads every input pixel onto a k x k patch of the output, with
patches 2 pixels apart. With k = 3 the patches overlap unevenly: along each axis every other output
pixel gets 1 tap, the others 2, so in 2-D the four phases (row and column parity) get 1, 2, 2 and 4 taps.
Fed a constant image, even a kernel of all-equal weights then paints a periodic checkerboard. With k = 4
(divisible by the stride) every output pixel gets exactly 2 x 2 taps: equal weights give a flat output.
Resizing first (nearest-neighbour 2x) and then applying an ordinary 3x3 conv is flat for any weights.

Equal overlap makes the artifact less likely, not impossible: with random (untrained) weights each phase
of a k = 4 kernel still sums different taps, so the output is periodic too; only training (or an
initialization that balances the phases) removes it. We measure the periodic part as the standard
deviation of the four phase means divided by the RMS of the output, in the interior (away from borders),
with equal weights and averaged over 64 random kernels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from quizdl.demos.common import fmt, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    size: int = 8  # side of the constant input image (the output is twice as large)
    kernels: int = 64  # random kernels per method (one output channel each)
    border: int = 3  # output pixels dropped at each border before measuring


def _upsamplers(channels: int) -> dict[str, nn.Module]:
    return {
        "transposed conv, k=3, s=2": nn.ConvTranspose2d(
            1, channels, 3, stride=2, padding=1, output_padding=1, bias=False
        ),
        "transposed conv, k=4, s=2": nn.ConvTranspose2d(1, channels, 4, stride=2, padding=1, bias=False),
        "nearest resize 2x, then 3x3 conv": nn.Sequential(
            nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(1, channels, 3, padding=1, bias=False)
        ),
    }


def _weight(m: nn.Module) -> Tensor:
    return m.weight if isinstance(m, nn.ConvTranspose2d) else m[1].weight  # type: ignore[index]


def _periodic(y: Tensor, border: int) -> Tensor:
    """Per channel: std of the four (row parity, column parity) means over the interior, / RMS of the interior."""
    inner = y[:, :, border:-border, border:-border]
    phases = torch.stack([inner[:, :, i::2, j::2].mean(dim=(2, 3)) for i in (0, 1) for j in (0, 1)], dim=-1)
    rms = inner.pow(2).mean(dim=(2, 3)).sqrt()
    return (phases.std(dim=-1, unbiased=False) / rms.clamp_min(1e-12))[0]


@demo(
    "transposed-conv-checkerboard",
    topic="cnn",
    summary="transposed conv k=3 s=2 paints a checkerboard on a constant image; k=4 s=2 or resize-then-conv is flat",
)
def transposed_conv_checkerboard(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    seeded(ctx)
    x = torch.ones(1, 1, cfg.size, cfg.size, device=ctx.device)  # 1. a constant image

    rows: list[list[object]] = []
    equal: dict[str, float] = {}
    random: dict[str, float] = {}
    maps: dict[str, list[float]] = {}
    taps: dict[str, str] = {}
    for i, (name, up) in enumerate(_upsamplers(cfg.kernels).items()):
        ctx.progress(name, i / 3)
        up = up.to(ctx.device)
        with torch.no_grad():
            # 2. random kernels (PyTorch's default initialization), one per output channel
            y_rand = up(x)
            random[name] = float(_periodic(y_rand, cfg.border).mean().item())
            # 3. all-equal weights: the output shows the overlap pattern itself
            _weight(up).fill_(1.0)
            y_eq = up(x)
            equal[name] = float(_periodic(y_eq, cfg.border)[0].item())
        inner = y_eq[0, 0, cfg.border : -cfg.border, cfg.border : -cfg.border]
        counts = sorted(round(float(inner[a::2, b::2].mean().item()), 6) for a in (0, 1) for b in (0, 1))
        taps[name] = ", ".join(f"{c:g}" for c in counts)  # the four phases' values: taps per output pixel
        maps[name] = [float(v) for v in y_eq[0, 0, cfg.size, :].tolist()]  # one row through the middle
        rows.append([name, f"{y_eq.shape[-2]} x {y_eq.shape[-1]}", taps[name], equal[name], random[name]])
    ctx.progress("done", 1.0)

    k3, k4, resize = (n for n in _upsamplers(1))
    metrics = {
        "periodic_k3_equal": equal[k3],
        "periodic_k4_equal": equal[k4],
        "periodic_resize_equal": equal[resize],
        "periodic_k3_random": random[k3],
        "periodic_k4_random": random[k4],
        "periodic_resize_random": random[resize],
        "phase_values_k3": taps[k3],
        "phase_values_k4": taps[k4],
        "kernels": cfg.kernels,
    }
    flat = 1e-6
    takeaway = (
        f"On a constant image with all-equal weights, the k=3 stride-2 transposed conv gives the four phases "
        f"{taps[k3]} taps per pixel: a periodic part of {fmt(equal[k3])} of the output's RMS, a checkerboard"
        + (". " if equal[k3] > 0.1 else " (weaker than expected). ")
        + f"With k=4 the phases get {taps[k4]} taps (periodic part {fmt(equal[k4])}) and resize-then-conv gives "
        f"{fmt(equal[resize])}"
        + (": both flat. " if max(equal[k4], equal[resize]) < flat else ". ")
        + f"With {cfg.kernels} random kernels, k=3 gives {fmt(random[k3])} and k=4 still {fmt(random[k4])}"
        + (
            ": equal overlap removes the structural cause, but untrained weights can still paint a pattern, "
            if random[k4] > 0.05
            else ", "
        )
        + f"while resize-then-conv stays at {fmt(random[resize])} for any weights (away from the borders)."
    )
    return DemoResult(
        header=(
            f"Upsamples a constant {cfg.size}x{cfg.size} image 2x three ways and measures the periodic (checkerboard) "
            "part of the output: std of the four row/column-parity means over the RMS, in the interior; with "
            f"all-equal weights and averaged over {cfg.kernels} random kernels."
        ),
        columns=[
            "upsampler",
            "output",
            "taps per phase (equal weights)",
            "periodic part, equal",
            "periodic part, random",
        ],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="one output row, constant input, all-equal weights",
                series=[Series(n, v) for n, v in maps.items()],
                x_label="column",
            )
        ],
    )
