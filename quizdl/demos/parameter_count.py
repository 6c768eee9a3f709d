"""Parameter counts: what PyTorch counts for common layers equals the closed-form formula, exactly.

Every layer is built on the demo's device and its parameters are counted with `p.numel()`; the count is
then compared with the textbook formula: a dense layer has n_in * n_out weights plus n_out biases, a
convolution C_out * (C_in / groups) * k * k + C_out (independent of the image size), an embedding V * d,
an LSTM 4 gates * (h * (n_in + h) + 2h) per layer and direction (PyTorch keeps two bias vectors, b_ih and
b_hh), a GRU 3 gates and a vanilla RNN 1. The contrast: a dense layer on a flattened image grows with the
image area while a convolution with the same number of output channels does not.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from quizdl.demos.common import fmt, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    mlp_sizes: tuple[int, ...] = (784, 256, 128, 10)  # the MNIST-style MLP of the interview card
    channels_in: int = 3  # image channels (RGB)
    channels_out: int = 64  # output channels of the convolution, output units of the dense layer
    kernel: int = 3  # convolution kernel size
    vocab: int = 5000  # embedding vocabulary size
    embed_dim: int = 128  # embedding width, also the input size of the recurrent layers
    hidden: int = 256  # hidden size of the recurrent layers, model width of attention
    heads: int = 8  # attention heads (do not change the count)
    image_sides: tuple[int, ...] = (8, 16, 32, 64)  # image sizes for the dense vs conv contrast
    bytes_per_param: int = 4  # fp32


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _rnn_formula(gates: int, n_in: int, h: int, layers: int = 1, directions: int = 1) -> int:
    """gates * (h * (n_in + h) + 2h) per layer and direction; layers above the first see directions * h inputs."""
    total = 0
    for layer in range(layers):
        inputs = n_in if layer == 0 else directions * h
        total += directions * gates * (h * inputs + h * h + 2 * h)
    return total


@demo(
    "parameter-count",
    topic="neural-networks",
    summary="parameters counted in MLP, conv, embedding, LSTM/GRU and attention layers equal the closed-form formulas",
)
def parameter_count(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    seeded(ctx)  # initial values do not matter here, but keep module init reproducible
    dev = ctx.device
    c_in, c_out, k, e, h = cfg.channels_in, cfg.channels_out, cfg.kernel, cfg.embed_dim, cfg.hidden

    # 1. the layers and their closed-form counts: (name, config, build, formula text, formula value)
    sizes = cfg.mlp_sizes
    mlp_formula = sum(a * b + b for a, b in itertools.pairwise(sizes))
    plan: list[tuple[str, str, Callable[[], nn.Module], str, int]] = [
        (
            "MLP",
            "-".join(map(str, sizes)),
            lambda: nn.Sequential(*[nn.Linear(a, b) for a, b in itertools.pairwise(sizes)]),
            "sum of n_in*n_out + n_out",
            mlp_formula,
        ),
        ("Linear", f"{e} -> {h}, no bias", lambda: nn.Linear(e, h, bias=False), "n_in*n_out", e * h),
        (
            "Conv2d",
            f"{c_in} -> {c_out}, {k}x{k}",
            lambda: nn.Conv2d(c_in, c_out, k),
            "C_out*C_in*k*k + C_out",
            c_out * c_in * k * k + c_out,
        ),
        (
            "Conv2d depthwise",
            f"{c_out} -> {c_out}, {k}x{k}, groups={c_out}",
            lambda: nn.Conv2d(c_out, c_out, k, groups=c_out),
            "C_out*(C_in/groups)*k*k + C_out",
            c_out * 1 * k * k + c_out,
        ),
        (
            "Conv2d 1x1",
            f"{c_out} -> {2 * c_out}, 1x1",
            lambda: nn.Conv2d(c_out, 2 * c_out, 1),
            "C_out*C_in + C_out",
            2 * c_out * c_out + 2 * c_out,
        ),
        ("Embedding", f"{cfg.vocab} x {e}", lambda: nn.Embedding(cfg.vocab, e), "V*d", cfg.vocab * e),
        ("RNN", f"{e} -> {h}", lambda: nn.RNN(e, h), "1*(h*(n_in+h) + 2h)", _rnn_formula(1, e, h)),
        ("GRU", f"{e} -> {h}", lambda: nn.GRU(e, h), "3*(h*(n_in+h) + 2h)", _rnn_formula(3, e, h)),
        ("LSTM", f"{e} -> {h}", lambda: nn.LSTM(e, h), "4*(h*(n_in+h) + 2h)", _rnn_formula(4, e, h)),
        (
            "LSTM 2 layers, bidirectional",
            f"{e} -> {h}",
            lambda: nn.LSTM(e, h, num_layers=2, bidirectional=True),
            "layer 2 sees 2h inputs, x2 directions",
            _rnn_formula(4, e, h, layers=2, directions=2),
        ),
        (
            "MultiheadAttention",
            f"d={h}, {cfg.heads} heads",
            lambda: nn.MultiheadAttention(h, cfg.heads),
            "4*d*d + 4*d (Q, K, V, out)",
            4 * h * h + 4 * h,
        ),
        ("LayerNorm", f"{h}", lambda: nn.LayerNorm(h), "2*d (gain, shift)", 2 * h),
        ("BatchNorm2d", f"{c_out}", lambda: nn.BatchNorm2d(c_out), "2*C (+ 2*C buffers, not parameters)", 2 * c_out),
    ]

    # 2. build each layer on the device and count its parameters
    rows: list[list[object]] = []
    counted: dict[str, int] = {}
    for i, (name, conf, build, text, formula) in enumerate(plan):
        module = build().to(dev)
        counted[name] = n = _count(module)
        rows.append([name, conf, n, text, formula, n == formula])
        ctx.progress(name, 0.8 * (i + 1) / len(plan))
    bn_buffers = sum(b.numel() for b in nn.BatchNorm2d(c_out).to(dev).buffers())

    # 3. contrast: a dense layer on the flattened image vs a convolution, as the image grows
    dense_counts, conv_counts = [], []
    for side in cfg.image_sides:
        n_in = c_in * side * side
        dense_counts.append(n := _count(nn.Linear(n_in, c_out).to(dev)))
        rows.append(
            [
                f"Linear on a {side}x{side} image",
                f"{n_in} -> {c_out}",
                n,
                "n_in*n_out + n_out",
                n_in * c_out + c_out,
                n == n_in * c_out + c_out,
            ]
        )
        conv_counts.append(n := _count(nn.Conv2d(c_in, c_out, k).to(dev)))
        rows.append(
            [
                f"Conv2d on a {side}x{side} image",
                f"{c_in} -> {c_out}, {k}x{k}",
                n,
                "C_out*C_in*k*k + C_out",
                c_out * c_in * k * k + c_out,
                n == c_out * c_in * k * k + c_out,
            ]
        )
    ctx.progress("done", 1.0)
    all_exact = all(row[-1] for row in rows)

    # 4. report
    mlp_n = counted["MLP"]
    mlp_mb = mlp_n * cfg.bytes_per_param / 1e6  # decimal megabytes
    metrics = {
        "all_exact": all_exact,
        "mlp_params": mlp_n,
        "mlp_first_layer_share": (sizes[0] * sizes[1] + sizes[1]) / mlp_n,
        "mlp_fp32_mb": mlp_mb,
        "lstm_params": counted["LSTM"],
        "gru_params": counted["GRU"],
        "rnn_params": counted["RNN"],
        "conv_params": counted["Conv2d"],
        "embedding_params": counted["Embedding"],
        "attention_params": counted["MultiheadAttention"],
        "batchnorm_buffers": bn_buffers,
        "dense_params_by_side": dense_counts,
        "conv_params_by_side": conv_counts,
    }
    mismatches = [row[0] for row in rows if not row[-1]]
    exact = (
        f"All {len(rows)} counted layers equal their closed-form formula exactly."
        if not mismatches
        else f"Counted and formula DIFFER for {', '.join(map(str, mismatches))}."
    )
    takeaway = (
        f"{exact} The {'-'.join(map(str, sizes))} MLP has {mlp_n:,} parameters ({fmt(mlp_mb)} MB in fp32, about "
        f"{fmt(4 * mlp_mb)} MB with gradients and Adam's two moments), {metrics['mlp_first_layer_share']:.0%} of them "
        f"in the first layer. An LSTM has {counted['LSTM'] / counted['RNN']:g}x and a GRU "
        f"{counted['GRU'] / counted['RNN']:g}x the parameters of a vanilla RNN of the same size. A dense layer to "
        f"{c_out} units grows from {dense_counts[0]:,} to {dense_counts[-1]:,} parameters as the image goes from "
        f"{cfg.image_sides[0]} to {cfg.image_sides[-1]} pixels a side, while the {k}x{k} convolution stays at "
        f"{conv_counts[-1]:,}" + (" whatever the size." if len(set(conv_counts)) == 1 else ".")
    )
    return DemoResult(
        header=(
            "Builds common PyTorch layers, counts their parameters with p.numel() and compares each count with "
            "the closed-form formula; then contrasts a dense layer on a flattened image with a convolution as "
            "the image grows."
        ),
        columns=["layer", "config", "counted", "formula", "formula value", "equal"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"parameters of a layer to {c_out} outputs vs image side",
                series=[
                    Series("dense", [float(v) for v in dense_counts], x=[float(s) for s in cfg.image_sides]),
                    Series(f"conv {k}x{k}", [float(v) for v in conv_counts], x=[float(s) for s in cfg.image_sides]),
                ],
                x_label="image side (pixels)",
                log_y=True,
            )
        ],
    )
