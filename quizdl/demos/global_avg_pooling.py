"""Global average pooling: a head whose size does not depend on the image size.

Two CNNs share the same convolutional body and differ only in the head:
- GAP: average each feature map over all positions (C numbers whatever H x W is), then Linear(C, classes);
- flatten: Flatten the C x H x W maps into one vector, then Linear(C * H * W, classes). Its weight matrix
  is sized for one input size, so any other size fails the matrix multiply.
Both are trained on 32 x 32 images of stripes (class 0 horizontal, class 1 vertical, random period, phase
and noise) and then fed 16 x 16, 32 x 32 and 48 x 48 images of the same kind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import Adam, rand, randn, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    train_size: int = 32  # side of the training images
    test_sizes: tuple[int, ...] = (16, 32, 48)  # sides of the test images
    n_train: int = 64  # training images
    n_test: int = 200  # test images per size
    channels: int = 8  # feature maps in the conv body
    noise: float = 0.5  # std of the pixel noise (stripes have amplitude 1)
    steps: int = 30  # full-batch Adam steps per model
    lr: float = 0.02  # Adam learning rate


def stripes(gen: torch.Generator, n: int, size: int, noise: float, device: str) -> tuple[Tensor, Tensor]:
    """n images (n, 1, size, size) of noisy stripes and labels: 0 horizontal, 1 vertical."""
    labels = (rand(gen, n, device=device) < 0.5).long()
    period = 4.0 + 4.0 * rand(gen, n, 1, 1, device=device)  # 4 to 8 pixels, the same at every image size
    phase = 2 * math.pi * rand(gen, n, 1, 1, device=device)
    coord = torch.arange(size, device=device, dtype=torch.float32)
    rows, cols = coord.view(1, size, 1), coord.view(1, 1, size)
    along = torch.where(labels.view(n, 1, 1) == 0, rows, cols)  # horizontal stripes vary down the rows
    images = torch.sin(2 * math.pi * along / period + phase) + noise * randn(gen, n, size, size, device=device)
    return images.unsqueeze(1), labels


class Net(nn.Module):
    """Two 3x3 conv layers (the first with stride 2), then global average pooling or flatten, then a linear layer."""

    def __init__(self, head: str, cfg: Config) -> None:
        super().__init__()
        c = cfg.channels
        self.body = nn.Sequential(
            nn.Conv2d(1, c, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU()
        )  # a stride-2 stem halves H and W
        self.head = head
        side = (cfg.train_size + 1) // 2
        features = c if head == "GAP" else c * side * side
        self.fc = nn.Linear(features, 2)

    def forward(self, x: Tensor) -> Tensor:
        maps = self.body(x)  # (N, C, H, W)
        pooled = maps.mean(dim=(2, 3)) if self.head == "GAP" else maps.flatten(1)  # (N, C) vs (N, C*H*W)
        return self.fc(pooled)


@demo("global-avg-pooling", topic="cnn", summary="global average pooling accepts inputs of different sizes")
def global_avg_pooling(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: training stripes at one size, test stripes at several
    x, y = stripes(gen, cfg.n_train, cfg.train_size, cfg.noise, ctx.device)
    tests = {n: stripes(gen, cfg.n_test, n, cfg.noise, ctx.device) for n in cfg.test_sizes}

    # 2. models and 3. training: same body, same recipe, different heads
    results: dict[str, dict[int, float | str]] = {}
    params: dict[str, int] = {}
    losses: dict[str, list[float]] = {}
    for i, head in enumerate(("GAP", "flatten")):
        torch.manual_seed(ctx.seed + 1)  # the same initial conv body for both
        net = Net(head, cfg).to(ctx.device)
        params[head] = sum(p.numel() for p in net.fc.parameters())
        opt = Adam(net.parameters(), lr=cfg.lr)
        report = ticker(ctx, f"training the {head} model", i / 2, (i + 0.8) / 2)
        losses[head] = []
        for step in range(steps):
            loss = F.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses[head].append(float(loss.item()))
            if (step + 1) % max(1, steps // 5) == 0:
                report((step + 1) / steps)
        # 4. evaluate at every size; a size mismatch raises inside the linear layer
        results[head] = {}
        with torch.no_grad():
            for n, (xt, yt) in tests.items():
                try:
                    results[head][n] = float((net(xt).argmax(dim=1) == yt).float().mean().item())
                except RuntimeError as err:
                    results[head][n] = f"RuntimeError: {str(err).splitlines()[0]}"
    ctx.progress("done", 1.0)

    rows: list[list[object]] = []
    for head in ("GAP", "flatten"):
        for n in cfg.test_sizes:
            r = results[head][n]
            ok = isinstance(r, float)
            rows.append([head, params[head], f"{n}x{n}", r if ok else "-", "ok" if ok else r])

    def acc(head: str, n: int) -> float | None:
        r = results[head][n]
        return r if isinstance(r, float) else None

    gap_accs = {n: acc("GAP", n) for n in cfg.test_sizes}
    flat_fail = [n for n in cfg.test_sizes if acc("flatten", n) is None]
    gap_fail = [n for n, a in gap_accs.items() if a is None]
    metrics: dict[str, float | int | bool | None] = {
        "gap_head_params": params["GAP"],
        "flatten_head_params": params["flatten"],
        "gap_sizes_accepted": len(cfg.test_sizes) - len(gap_fail),
        "flatten_sizes_accepted": len(cfg.test_sizes) - len(flat_fail),
        "flatten_raises_on_other_sizes": all(acc("flatten", n) is None for n in cfg.test_sizes if n != cfg.train_size),
    }
    for n in cfg.test_sizes:
        metrics[f"gap_accuracy_{n}"] = acc("GAP", n)
        metrics[f"flatten_accuracy_{n}"] = acc("flatten", n)

    sizes = ", ".join(f"{n}x{n}" for n in cfg.test_sizes)
    accepted = [a for a in gap_accs.values() if a is not None]
    takeaway = (
        f"The GAP model, trained on {cfg.train_size}x{cfg.train_size} only, accepted "
        f"{len(accepted)} of {len(cfg.test_sizes)} sizes ({sizes}) with accuracies "
        f"{', '.join(f'{a:.0%}' for a in accepted)}: averaging turns any H x W into {cfg.channels} numbers. "
        f"The flatten head (a {params['flatten']}-parameter linear layer vs {params['GAP']} for GAP) reached "
        f"{acc('flatten', cfg.train_size) or 0.0:.0%} accuracy at its own size but "
        + (
            f"raised a RuntimeError at {', '.join(f'{n}x{n}' for n in flat_fail)}: its weights fix the input size."
            if flat_fail
            else "did not fail at any size in this run."
        )
    )
    return DemoResult(
        header=(
            "Two CNNs with the same conv body, one with a global-average-pooling head and one with a flatten + "
            f"linear head, are trained on {cfg.train_size}x{cfg.train_size} stripe images (horizontal vs vertical) "
            f"and fed {sizes} images."
        ),
        columns=["head", "head parameters", "input", "test accuracy", "result"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title=f"training loss at {cfg.train_size}x{cfg.train_size}",
                series=[Series("GAP", losses["GAP"]), Series("flatten", losses["flatten"])],
            )
        ],
    )
