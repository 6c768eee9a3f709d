"""Batch-norm folding: in eval mode a BatchNorm is an affine map per channel, so it merges into the layer before.

At inference a BatchNorm uses its running statistics: y = gamma * (z - mean) / sqrt(var + eps) + beta,
a fixed scale a = gamma / sqrt(var + eps) and shift per channel. When z = W x + b comes from a conv or
linear layer, the two collapse into one layer with W' = a * W (each output channel's filter scaled) and
b' = a * (b - mean) + beta. We build a small CNN with three BatchNorms (after two convs and one linear
layer), give them non-trivial statistics, fold them, and compare: outputs (float32 and float64), layer
count, parameters and buffers, the element-wise operations the BatchNorms cost, and the measured time.
In train mode a BatchNorm normalizes with the current batch's statistics, so there is nothing fixed to
fold: the folded network does not match it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from quizdl.demos.common import fmt, median_forward_seconds, rand, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    channels: tuple[int, int] = (16, 32)  # output channels of the two convs
    hidden: int = 16  # width of the linear layer with a BatchNorm1d
    classes: int = 4  # outputs
    size: int = 16  # input images are 3 x size x size
    batch: int = 64  # images per forward pass
    stat_batches: int = 5  # train-mode passes that set the running statistics
    repeats: int = 15  # timed forward passes per network (median reported)


def _net(cfg: Config) -> nn.Sequential:
    c1, c2 = cfg.channels
    return nn.Sequential(
        nn.Conv2d(3, c1, 3, padding=1),
        nn.BatchNorm2d(c1),
        nn.ReLU(),
        nn.Conv2d(c1, c2, 3, padding=1, stride=2, bias=False),  # no bias: common before a BatchNorm
        nn.BatchNorm2d(c2),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(c2, cfg.hidden),
        nn.BatchNorm1d(cfg.hidden),
        nn.ReLU(),
        nn.Linear(cfg.hidden, cfg.classes),
    )


@torch.no_grad()
def _fold(layer: nn.Conv2d | nn.Linear, bn: nn.BatchNorm1d | nn.BatchNorm2d) -> nn.Conv2d | nn.Linear:
    """A copy of `layer` that computes bn(layer(x)) with bn in eval mode (its running statistics)."""
    a = bn.weight / torch.sqrt(bn.running_var + bn.eps)  # per-channel scale
    bias = layer.bias if layer.bias is not None else torch.zeros_like(bn.running_mean)
    if isinstance(layer, nn.Conv2d):
        new: nn.Conv2d | nn.Linear = nn.Conv2d(
            layer.in_channels,
            layer.out_channels,
            layer.kernel_size,  # type: ignore[arg-type]
            stride=layer.stride,  # type: ignore[arg-type]
            padding=layer.padding,  # type: ignore[arg-type]
            dilation=layer.dilation,  # type: ignore[arg-type]
            groups=layer.groups,
            bias=True,
        )
    else:
        new = nn.Linear(layer.in_features, layer.out_features, bias=True)
    new = new.to(device=layer.weight.device, dtype=layer.weight.dtype)
    new.weight.copy_(layer.weight * a.reshape(-1, *([1] * (layer.weight.dim() - 1))))
    new.bias.copy_(a * (bias - bn.running_mean) + bn.bias)
    return new


def _fold_all(net: nn.Sequential) -> nn.Sequential:
    """The network with every (conv or linear, BatchNorm) pair replaced by one folded layer."""
    out: list[nn.Module] = []
    mods = list(net)
    i = 0
    while i < len(mods):
        m = mods[i]
        nxt = mods[i + 1] if i + 1 < len(mods) else None
        if isinstance(m, nn.Conv2d | nn.Linear) and isinstance(nxt, nn.BatchNorm1d | nn.BatchNorm2d):
            out.append(_fold(m, nxt))
            i += 2
        else:
            out.append(m)
            i += 1
    return nn.Sequential(*out)


@demo(
    "batchnorm-folding",
    topic="deployment-practice",
    summary="fold eval-mode BatchNorm into the conv/linear before it: same outputs to 1e-5, fewer layers and ops",
)
def batchnorm_folding(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)

    # 1. data: images with a non-zero mean and uneven channel scales, so the statistics are far from 0 and 1
    def images(n: int) -> Tensor:
        x = randn(gen, n, 3, cfg.size, cfg.size, device=ctx.device)
        return x * torch.tensor([1.0, 2.0, 0.5], device=ctx.device).reshape(1, 3, 1, 1) + 0.7

    # 2. model: a small CNN; train-mode passes set the running statistics, gamma and beta drawn at random
    net = _net(cfg).to(ctx.device)
    bns = [m for m in net if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            bn.momentum = None  # running statistics = plain average over the passes
            bn.weight.copy_(0.5 + rand(gen, bn.num_features, device=ctx.device))
            bn.bias.copy_(0.5 * randn(gen, bn.num_features, device=ctx.device))
        net.train()
        for _ in range(cfg.stat_batches):
            net(images(cfg.batch))
    net.eval()
    ctx.progress("folding", 0.3)

    # 3. fold and compare outputs on fresh inputs
    folded = _fold_all(net).eval()
    x = images(cfg.batch)
    with torch.no_grad():
        y_ref = net(x)
        y_fold = folded(x)
        max_err = float((y_fold - y_ref).abs().max().item())
        scale = float(y_ref.abs().max().item())
        net64 = copy.deepcopy(net).double().eval()  # the same network in float64: what is left is rounding
        err64 = float((_fold_all(net64).eval()(x.double()) - net64(x.double())).abs().max().item())
        net_train = copy.deepcopy(net).train()  # train mode: the batch's own statistics, no fixed fold matches
        train_err = float((net_train(x) - y_fold).abs().max().item())

    # 4. count layers, parameters, buffers and the BatchNorms' element-wise work
    def params(m: nn.Module) -> int:
        return sum(p.numel() for p in m.parameters())

    def buffers(m: nn.Module) -> int:
        return sum(b.numel() for b in m.buffers())

    bn_elements = 0

    def count(_mod: nn.Module, _inp: tuple[Tensor, ...], out: Tensor) -> None:
        nonlocal bn_elements
        bn_elements += out.numel()

    hooks = [bn.register_forward_hook(count) for bn in bns]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    bn_ops = 2 * bn_elements  # eval-mode BatchNorm: one multiply and one add per element (scale, shift)
    layers_before, layers_after = len(net), len(folded)
    bn_params = sum(params(bn) for bn in bns)

    # 5. time both networks (median of repeats)
    ctx.progress("timing", 0.6)
    t_ref, t_fold = median_forward_seconds([(net, x), (folded, x)], cfg.repeats, 1, ctx.device)
    ctx.progress("done", 1.0)

    rows: list[list[object]] = [
        ["with BatchNorm (eval)", layers_before, len(bns), params(net), buffers(net), bn_ops, 1000 * t_ref, max_err],
        ["folded", layers_after, 0, params(folded), buffers(folded), 0, 1000 * t_fold, 0.0],
        ["with BatchNorm (train mode)", layers_before, len(bns), params(net), buffers(net), bn_ops, "", train_err],
    ]
    metrics = {
        "max_abs_error": max_err,
        "relative_error": max_err / scale,
        "max_abs_error_float64": err64,
        "train_mode_error": train_err,
        "output_scale": scale,
        "layers_before": layers_before,
        "layers_after": layers_after,
        "batchnorms_folded": len(bns),
        "params_before": params(net),
        "params_after": params(folded),
        "buffers_before": buffers(net),
        "buffers_after": buffers(folded),
        "batchnorm_ops_per_batch": bn_ops,
        "batchnorm_params": bn_params,
        "ms_before": 1000 * t_ref,
        "ms_after": 1000 * t_fold,
    }
    speed = t_ref / t_fold
    takeaway = (
        f"Folding the {len(bns)} BatchNorms changes the outputs by at most {fmt(max_err)} in float32 (outputs up to "
        f"{fmt(scale)}; {fmt(err64)} in float64, so it is exact up to rounding) and removes {layers_before - layers_after} "
        f"of {layers_before} layers, {buffers(net) - buffers(folded)} buffers (running statistics), "
        f"{params(net) - params(folded)} parameters ({bn_params} gamma and beta, less {bn_params - params(net) + params(folded)} "
        f"new biases) and {bn_ops} element-wise operations per batch of {cfg.batch}. "
        f"Measured: {fmt(1000 * t_ref)} ms vs {fmt(1000 * t_fold)} ms per batch "
        + (f"({fmt(speed)}x faster). " if speed > 1.05 else "(no clear speed-up at this size). ")
        + f"The same folded network differs from the train-mode BatchNorm by {fmt(train_err)}"
        + (
            ": only the eval-mode (running-statistics) BatchNorm is a fixed affine map that can be folded."
            if train_err > 100 * max(max_err, 1e-7)
            else "."
        )
    )
    return DemoResult(
        header=(
            "A small CNN with BatchNorm after two convs and one linear layer, then the same CNN with each BatchNorm "
            "folded into the layer before it (W' = a W, b' = a (b - mean) + beta, a = gamma / sqrt(var + eps)); "
            "outputs compared on fresh inputs, layers and operations counted, forward passes timed."
        ),
        columns=[
            "network",
            "layers",
            "BatchNorms",
            "parameters",
            "buffers",
            "BatchNorm ops per batch",
            "ms per batch",
            "max |output - folded output|",
        ],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="first 40 outputs: with BatchNorm (eval) and folded (they overlap)",
                series=[
                    Series("with BatchNorm", [float(v) for v in y_ref.reshape(-1)[:40].tolist()]),
                    Series("folded", [float(v) for v in y_fold.reshape(-1)[:40].tolist()]),
                ],
                x_label="output index",
            )
        ],
    )
