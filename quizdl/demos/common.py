"""Small helpers shared by demo modules: seeding, synthetic data, a tiny MLP, a train loop, formatting.

Every helper is device-honest: tensors are created on the CPU from a seeded generator (so a seed gives
the same data on every device) and then moved to `device`. Results come back as plain Python numbers.

    gen = seeded(ctx)                               # torch.manual_seed(ctx.seed) + a CPU generator
    x = randn(gen, 256, 8, device=ctx.device)       # synthetic data on the demo's device
    net = mlp([8, 32, 1], act=nn.ReLU, device=ctx.device)
    losses = train(net, lambda: F.mse_loss(net(x), y), steps=200, lr=0.1,
                   progress=ticker(ctx, "training"))
    takeaway = f"loss fell from {fmt(losses[0])} to {fmt(losses[-1])}"

Use `train`, or `SGD` / `Adam` below, rather than torch.optim: creating the first torch.optim optimizer
imports torch._dynamo, about 1-2 s of CPU per process, more than a whole demo's budget.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
from collections.abc import Callable, Iterable, Sequence

import torch
from torch import Tensor, nn

from quizdl.demos.registry import DemoContext
from quizdl.numbers import format_number

__all__ = [
    "SGD",
    "Adam",
    "fmt",
    "footprint_box",
    "grad_norm",
    "input_gradient",
    "median_forward_seconds",
    "mlp",
    "rand",
    "randn",
    "seeded",
    "sync",
    "teacher_task",
    "thin",
    "ticker",
    "to_floats",
    "train",
]


# --- seeding and data ----------------------------------------------------------------------------------


def seeded(ctx: DemoContext, offset: int = 0) -> torch.Generator:
    """Seed torch globally (module init uses it) and return a CPU generator seeded with ctx.seed + offset."""
    torch.manual_seed(ctx.seed + offset)
    gen = torch.Generator()
    gen.manual_seed(ctx.seed + offset)
    return gen


def randn(gen: torch.Generator, *shape: int, device: str) -> Tensor:
    """Standard normal samples drawn on the CPU from `gen` (same numbers on every device), moved to device."""
    return torch.randn(*shape, generator=gen, device="cpu").to(device)


def rand(gen: torch.Generator, *shape: int, device: str) -> Tensor:
    """Uniform [0, 1) samples drawn on the CPU from `gen`, moved to device."""
    return torch.rand(*shape, generator=gen, device="cpu").to(device)


def teacher_task(
    gen: torch.Generator, dim: int, hidden: int, classes: int, *, device: str
) -> Callable[[int], tuple[Tensor, Tensor]]:
    """A classification task labelled by a fixed random ReLU network: `task(n)` draws n (inputs, labels).

    Labels are the argmax of the teacher's centred outputs, so every class occurs; the teacher is drawn
    once from `gen`, each call draws fresh inputs."""
    w1 = randn(gen, dim, hidden, device=device) / dim**0.5
    w2 = randn(gen, hidden, classes, device=device)

    def task(n: int) -> tuple[Tensor, Tensor]:
        x = randn(gen, n, dim, device=device)
        z = torch.relu(x @ w1)
        return x, ((z - z.mean(dim=0)) @ w2).argmax(dim=1)

    return task


# --- models --------------------------------------------------------------------------------------------


def mlp(
    sizes: Sequence[int],
    *,
    act: Callable[[], nn.Module] = nn.ReLU,
    device: str,
    bias: bool = True,
    final_act: bool = False,
) -> nn.Sequential:
    """Linear layers of the given sizes with `act()` between them (and after the last if final_act)."""
    if len(sizes) < 2:
        raise ValueError("mlp needs at least an input and an output size")
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out, bias=bias))
        if i < len(sizes) - 2 or final_act:
            layers.append(act())
    return nn.Sequential(*layers).to(device)


# --- receptive fields ----------------------------------------------------------------------------------


def input_gradient(net: nn.Module, size: int, device: str, col_offset: int = 0) -> tuple[Tensor, int]:
    """Gradient of one output pixel (the centre, shifted `col_offset` columns) of a 1-channel conv stack
    with respect to a size x size input of ones, as an (H, W) tensor, and the output's side length.

    Its non-zero footprint is the pixel's receptive field, measured rather than computed by formula
    (give the convs positive weights so nothing cancels to exactly 0)."""
    x = torch.ones(1, 1, size, size, device=device, requires_grad=True)
    out = net(x)
    c = out.shape[-1] // 2
    (g,) = torch.autograd.grad(out[0, 0, c, c + col_offset], x)
    return g[0, 0], int(out.shape[-1])


def footprint_box(grad: Tensor) -> tuple[int, int, int, int, float]:
    """(left, top, width, height, share of the box that is non-zero) of a gradient's non-zero footprint."""
    nz = grad != 0
    rows = torch.nonzero(nz.any(dim=1)).flatten()
    cols = torch.nonzero(nz.any(dim=0)).flatten()
    if not cols.numel():
        return 0, 0, 0, 0, 0.0
    top, left = int(rows.min().item()), int(cols.min().item())
    box = nz[top : int(rows.max().item()) + 1, left : int(cols.max().item()) + 1]
    return left, top, int(box.shape[1]), int(box.shape[0]), float(box.float().mean().item())


# --- training ------------------------------------------------------------------------------------------


class SGD:
    """Plain SGD with optional momentum and weight decay (torch.optim.SGD's update), without torch.optim."""

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.buffers: list[Tensor | None] = [None] * len(self.params)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad + self.weight_decay * p if self.weight_decay else p.grad
            if self.momentum:
                buf = self.buffers[i]
                self.buffers[i] = buf = g.clone() if buf is None else buf.mul_(self.momentum).add_(g)
                g = buf
            p.add_(g, alpha=-self.lr)


class Adam:
    """Adam (torch.optim.Adam's update, L2 weight decay added to the gradient), without torch.optim."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        pairs = [(p, m, v) for p, m, v in zip(self.params, self.m, self.v, strict=True) if p.grad is not None]
        if not pairs:
            return
        self.t += 1
        b1, b2 = self.betas
        params, ms, vs = (list(t) for t in zip(*pairs, strict=True))
        grads = [p.grad for p in params]
        if self.weight_decay:
            grads = torch._foreach_add(grads, params, alpha=self.weight_decay)
        torch._foreach_lerp_(ms, grads, 1 - b1)  # m = b1 m + (1 - b1) g
        torch._foreach_mul_(vs, b2)
        torch._foreach_addcmul_(vs, grads, grads, value=1 - b2)  # v = b2 v + (1 - b2) g^2
        denom = torch._foreach_sqrt(vs)
        torch._foreach_div_(denom, math.sqrt(1 - b2**self.t))
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, ms, denom, value=-self.lr / (1 - b1**self.t))


def grad_norm(params: Iterable[nn.Parameter]) -> float:
    """Total L2 norm of the gradients of `params` (parameters without a gradient are skipped)."""
    grads = [p.grad.detach() for p in params if p.grad is not None]
    if not grads:
        return 0.0
    return float(torch.stack(torch._foreach_norm(grads)).norm().item())


def train(
    model: nn.Module,
    loss_fn: Callable[[], Tensor],
    *,
    steps: int,
    lr: float,
    optimizer: str = "sgd",
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    clip_norm: float | None = None,
    progress: Callable[[float], None] | None = None,
    on_step: Callable[[int, float], None] | None = None,
    stop_on_nonfinite: bool = False,
) -> list[float]:
    """Full-batch training of `model` on `loss_fn()`; returns the loss at each step (before its update).

    optimizer: "sgd" (with optional momentum) or "adam". clip_norm: clip the total gradient norm.
    on_step(step, grad_norm) is called after backward (and before clipping) at every step.
    progress(fraction) is called about ten times. stop_on_nonfinite: stop once the loss is NaN/inf.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    opt: SGD | Adam
    if optimizer == "sgd":
        opt = SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    elif optimizer == "adam":
        opt = Adam(params, lr=lr, weight_decay=weight_decay)
    else:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    losses: list[float] = []
    every = max(1, steps // 10)
    for step in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        value = float(loss.item())
        losses.append(value)
        if on_step is not None:
            on_step(step, grad_norm(params))
        if stop_on_nonfinite and not math.isfinite(value):
            break
        if clip_norm is not None:
            nn.utils.clip_grad_norm_(params, clip_norm)
        opt.step()
        if progress is not None and (step + 1) % every == 0:
            progress((step + 1) / steps)
    return losses


def ticker(ctx: DemoContext, label: str, start: float = 0.0, end: float = 1.0) -> Callable[[float], None]:
    """A progress(fraction) callback mapping 0..1 onto start..end of the whole demo, reported as `label`."""

    def report(fraction: float) -> None:
        ctx.progress(label, start + (end - start) * min(max(fraction, 0.0), 1.0))

    return report


# --- timing --------------------------------------------------------------------------------------------


def sync(device: str) -> None:
    """Wait for queued GPU work, so a timer measures the computation and not just its launch."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    elif device.startswith("mps"):
        torch.mps.synchronize()


@torch.no_grad()
def median_forward_seconds(
    cases: Sequence[tuple[nn.Module, Tensor]], repeats: int, warmup: int, device: str
) -> list[float]:
    """Median seconds per forward pass of each (net, input), timed round-robin so load bursts hit all alike."""
    for net, x in cases:
        for _ in range(warmup):
            net(x)
    sync(device)
    times: list[list[float]] = [[] for _ in cases]
    for _ in range(repeats):
        for i, (net, x) in enumerate(cases):
            t0 = time.perf_counter()
            net(x)
            sync(device)
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


# --- results -------------------------------------------------------------------------------------------


def to_floats(t: Tensor) -> list[float]:
    """A tensor (any device, any shape) as a flat list of Python floats."""
    return [float(v) for v in t.detach().reshape(-1).cpu().tolist()]


def thin(values: Sequence[float], max_points: int = 200) -> list[float]:
    """At most max_points values, evenly picked (first and last kept), for charts and JSON."""
    n = len(values)
    if n <= max_points:
        return [float(v) for v in values]
    idx = [round(i * (n - 1) / (max_points - 1)) for i in range(max_points)]
    return [float(values[i]) for i in idx]


def fmt(x: float, digits: int = 3) -> str:
    """A number for a takeaway sentence: the tables' rule with 3 significant digits (bools as True/False)."""
    return str(x) if isinstance(x, bool) else format_number(x, digits, sci_digits=digits)
