"""What a convolution costs: parameters and multiply-adds of 1x1, depthwise-separable and standard 3x3 convs.

Parameters are counted from the modules (sum of numel) and multiply-adds (MACs) from each conv's actual
output during a forward pass (a hook: output elements x (C_in / groups) x k x k), then compared with the
formulas, which must agree exactly:
- standard k x k:        params k^2 C_in C_out + C_out,   MACs H W k^2 C_in C_out
- 1 x 1 (pointwise):     params C_in C_out + C_out,       MACs H W C_in C_out
- depthwise k x k:       params k^2 C_in + C_in,          MACs H W k^2 C_in
- separable = depthwise then pointwise: about 1/C_out + 1/k^2 of the standard conv's MACs.
Also the ResNet bottleneck (1x1 256->64, 3x3 64->64, 1x1 64->256) against one 3x3 256->256 conv, and the
interview example: 128 filters of 3x3 on a 56x56x64 input. Each layer is then timed (median of repeats, the layers taken in turn):
the measured speed-up is smaller than the MAC ratio, because depthwise and 1x1 convs do little arithmetic
per byte moved.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from quizdl.demos.common import fmt, median_forward_seconds, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    channels: int = 64  # C_in = C_out of the first comparison
    size: int = 28  # H = W of its input
    k: int = 3  # spatial kernel size
    wide: int = 256  # bottleneck comparison: outer channels
    narrow: int = 64  # bottleneck comparison: inner channels
    wide_size: int = 14  # H = W for the bottleneck comparison
    example: tuple[int, int, int] = (56, 64, 128)  # interview example: H = W, C_in, C_out
    repeats: int = 7  # timed passes per layer (median)


def _count_macs(net: nn.Module, x: Tensor) -> int:
    """Multiply-adds of every Conv2d in `net` for input x, from the outputs actually produced."""
    total = 0

    def hook(conv: nn.Module, _inp: tuple[Tensor, ...], out: Tensor) -> None:
        nonlocal total
        assert isinstance(conv, nn.Conv2d)
        kh, kw = conv.kernel_size
        total += out.numel() * (conv.in_channels // conv.groups) * kh * kw

    hooks = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    return total


@demo(
    "conv-cost",
    topic="cnn",
    summary="parameters and FLOPs of 1x1, depthwise-separable and 3x3 convs, counted vs formula, and timed",
)
def conv_cost(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    c, n, k = cfg.channels, cfg.size, cfg.k
    w, nr, m = cfg.wide, cfg.narrow, cfg.wide_size
    eh, ec_in, ec_out = cfg.example

    # 1. the layers, each with its input and the formulas for its parameters and MACs
    plan: list[tuple[str, nn.Module, tuple[int, int, int], int, int]] = [
        (f"standard {k}x{k}, {c}->{c}", nn.Conv2d(c, c, k, padding=k // 2), (c, n, n), k * k * c * c + c, n * n * k * k * c * c),
        (f"1x1, {c}->{c}", nn.Conv2d(c, c, 1), (c, n, n), c * c + c, n * n * c * c),
        (f"depthwise {k}x{k}, {c} channels", nn.Conv2d(c, c, k, padding=k // 2, groups=c), (c, n, n), k * k * c + c, n * n * k * k * c),
        (
            f"separable {k}x{k}, {c}->{c} (depthwise + 1x1)",
            nn.Sequential(nn.Conv2d(c, c, k, padding=k // 2, groups=c), nn.Conv2d(c, c, 1)),
            (c, n, n),
            (k * k * c + c) + (c * c + c),
            n * n * k * k * c + n * n * c * c,
        ),
        (f"standard 3x3, {w}->{w}", nn.Conv2d(w, w, 3, padding=1), (w, m, m), 9 * w * w + w, m * m * 9 * w * w),
        (
            f"bottleneck 1x1 {w}->{nr}, 3x3 {nr}->{nr}, 1x1 {nr}->{w}",
            nn.Sequential(nn.Conv2d(w, nr, 1), nn.Conv2d(nr, nr, 3, padding=1), nn.Conv2d(nr, w, 1)),
            (w, m, m),
            (w * nr + nr) + (9 * nr * nr + nr) + (nr * w + w),
            m * m * (w * nr + 9 * nr * nr + nr * w),
        ),
        (
            f"example: 3x3, {ec_in}->{ec_out} on {eh}x{eh}",
            nn.Conv2d(ec_in, ec_out, 3, padding=1),
            (ec_in, eh, eh),
            9 * ec_in * ec_out + ec_out,
            eh * eh * 9 * ec_in * ec_out,
        ),
    ]  # fmt: skip

    # 2. count from the modules and compare with the formulas; then time every layer, round-robin
    rows: list[list[object]] = []
    res: list[dict[str, float]] = []
    cases: list[tuple[nn.Module, Tensor]] = []
    for i, (name, net, shape, p_formula, mac_formula) in enumerate(plan):
        ctx.progress(name, i / len(plan))
        net = net.to(ctx.device).eval()
        x = randn(gen, 1, *shape, device=ctx.device)
        p_count = sum(p.numel() for p in net.parameters())
        mac_count = _count_macs(net, x)
        cases.append((net, x))
        res.append({"params": p_count, "macs": mac_count})
        rows.append(
            [name, p_count, p_formula, mac_count, mac_formula, p_count == p_formula and mac_count == mac_formula]
        )
    ctx.progress("timing", 0.9)
    for r, row, sec in zip(res, rows, median_forward_seconds(cases, cfg.repeats, 1, ctx.device), strict=True):
        r["ms"] = 1000 * sec
        row += [r["ms"], r["macs"] / r["ms"] / 1e6]
    ctx.progress("done", 1.0)

    # 3. ratios, counted and measured
    std, one, dw, sep, big, neck, ex = res
    mac_ratio_sep = std["macs"] / sep["macs"]
    formula_ratio_sep = 1 / (1 / c + 1 / (k * k))
    time_ratio_sep = std["ms"] / sep["ms"]
    mac_ratio_neck = big["macs"] / neck["macs"]
    time_ratio_neck = big["ms"] / neck["ms"]
    all_match = all(bool(r[5]) for r in rows)
    metrics = {
        "all_match": all_match,
        "params_standard": int(std["params"]),
        "params_separable": int(sep["params"]),
        "macs_standard": int(std["macs"]),
        "macs_1x1": int(one["macs"]),
        "macs_depthwise": int(dw["macs"]),
        "macs_separable": int(sep["macs"]),
        "mac_ratio_separable": mac_ratio_sep,
        "formula_ratio_separable": formula_ratio_sep,
        "time_ratio_separable": time_ratio_sep,
        "time_ratio_1x1": std["ms"] / one["ms"],
        "mac_ratio_bottleneck": mac_ratio_neck,
        "time_ratio_bottleneck": time_ratio_neck,
        "example_params": int(ex["params"]),
        "example_macs": int(ex["macs"]),
        "ms": [r["ms"] for r in res],
        "gmacs_per_s_standard": std["macs"] / std["ms"] / 1e6,
        "gmacs_per_s_depthwise": dw["macs"] / dw["ms"] / 1e6,
    }
    takeaway = (
        (
            "All parameter and multiply-add counts taken from the modules match the formulas exactly. "
            if all_match
            else "Some counts differ from the formulas: see the table. "
        )
        + f"On a {n}x{n}x{c} input, the standard {k}x{k} conv needs {std['macs']} MACs and {std['params']} parameters, "
        f"the depthwise-separable one {sep['macs']} and {sep['params']}: {fmt(mac_ratio_sep)}x fewer MACs "
        f"(1 / (1/C_out + 1/k^2) = {fmt(formula_ratio_sep)}), but only {fmt(time_ratio_sep)}x faster as measured"
        + (
            f", since the depthwise part runs at {fmt(dw['macs'] / dw['ms'] / 1e6)} GMAC/s against "
            f"{fmt(std['macs'] / std['ms'] / 1e6)} for the standard conv. "
            if time_ratio_sep < mac_ratio_sep
            else ". "
        )
        + f"The ResNet bottleneck needs {fmt(mac_ratio_neck)}x fewer MACs than one 3x3 {w}->{w} conv "
        f"({fmt(time_ratio_neck)}x faster measured). The interview example has {ex['params']} parameters and "
        f"{ex['macs']} MACs ({fmt(2 * ex['macs'] / 1e9)} GFLOPs counting multiplies and adds)."
    )
    axis = f"layer: 0 standard {k}x{k}, 1 1x1, 2 depthwise, 3 separable"
    return DemoResult(
        header=(
            "Standard, 1x1, depthwise and depthwise-separable convolutions, a ResNet bottleneck and the 56x56x64 "
            "interview example: parameters and multiply-adds counted from the modules (a forward hook) against the "
            "formulas, and the measured time of one forward pass (batch 1, median of repeats)."
        ),
        columns=["layer", "params", "params formula", "MACs", "MACs formula", "exact", "ms", "GMAC/s"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"multiply-adds (millions), {n}x{n}x{c} input",
                series=[Series("MACs (millions)", [r["macs"] / 1e6 for r in res[:4]])],
                x_label=axis,
                log_y=True,
            ),
            Chart(
                title=f"measured ms per forward pass, {n}x{n}x{c} input",
                series=[Series("ms", [r["ms"] for r in res[:4]])],
                x_label=axis,
                log_y=True,
            ),
        ],
    )
