"""Why networks need a non-linearity: stacked linear layers collapse to one, and XOR is out of reach.

Part 1: five nn.Linear layers with nothing between them compute W5(W4(...(W1 x + b1)...)) + b5, which is
just one affine map W x + b. We read W and b off the stack (push in 0 and the unit vectors) and compare
that single layer with the stack on random inputs: equal up to float rounding. With a ReLU between the
layers the same recipe fails badly. Part 2: XOR (four noisy clusters, opposite corners share a label) is
not linearly separable, so a deep linear net cannot beat 3 of 4 clusters, while a small ReLU or tanh MLP
learns it perfectly.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from quizdl.demos.common import Adam, fmt, mlp, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    width: int = 8  # width of the stacked layers in part 1
    depth: int = 5  # number of stacked layers in part 1
    probes: int = 256  # random inputs for the collapse check
    per_cluster: int = 50  # XOR points per corner
    noise: float = 0.25  # std of the XOR clusters around (+-1, +-1)
    hidden: int = 16  # hidden width of the XOR models
    lr: float = 0.05  # Adam step size
    steps: int = 100  # full-batch Adam steps per model


def collapse(net: nn.Module, width: int, device: str) -> tuple[Tensor, Tensor]:
    """The (W, b) of the single affine map net(x) would be if it were affine: b = net(0), W e_i = net(e_i) - b."""
    with torch.no_grad():
        b = net(torch.zeros(1, width, device=device))
        w = net(torch.eye(width, device=device)) - b  # row i is W @ e_i
    return w.T, b.squeeze(0)


def adam_train(net: nn.Module, x: Tensor, y: Tensor, cfg: Config, steps: int) -> tuple[list[float], float]:
    """Full-batch Adam on binary cross-entropy (softplus form); returns accuracy per step and the final loss."""
    opt = Adam(net.parameters(), lr=cfg.lr)
    accs: list[float] = []
    for step in range(steps + 1):
        z = net(x).squeeze(1)
        loss = (nn.functional.softplus(z) - y * z).mean()  # = binary cross-entropy with logits
        accs.append(float(((z > 0).float() == y).float().mean().item()))
        if step == steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    return accs, float(loss.item())


@demo("nonlinearity", topic="activations", summary="stacked linear layers collapse to one; XOR needs a non-linearity")
def run(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. part 1: a stack of linear layers vs the single affine map read off it, and the same with ReLUs
    sizes = [cfg.width] * (cfg.depth + 1)
    probe = randn(gen, cfg.probes, cfg.width, device=ctx.device)
    collapse_diff: dict[str, float] = {}
    scale: dict[str, float] = {}
    for act_name, act in (("none", nn.Identity), ("ReLU", nn.ReLU)):
        net = mlp(sizes, act=act, device=ctx.device)
        w, b = collapse(net, cfg.width, ctx.device)
        with torch.no_grad():
            out = net(probe)
            collapse_diff[act_name] = float((out - (probe @ w.T + b)).abs().max().item())
            scale[act_name] = float(out.abs().max().item())
    ctx.progress("XOR", 0.2)

    # 2. part 2 data: XOR clusters around the four corners, label 1 where x1 * x2 > 0
    corners = torch.tensor([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]], device=ctx.device)
    x = corners.repeat_interleave(cfg.per_cluster, dim=0)
    x = x + cfg.noise * randn(gen, len(x), 2, device=ctx.device)
    y = (corners[:, 0] * corners[:, 1] > 0).float().repeat_interleave(cfg.per_cluster)

    # 3. models: three linear layers with no activation, and the same shape with ReLU or tanh
    models = {
        "deep linear (no activation)": mlp([2, cfg.hidden, cfg.hidden, 1], act=nn.Identity, device=ctx.device),
        "MLP with ReLU": mlp([2, cfg.hidden, cfg.hidden, 1], act=nn.ReLU, device=ctx.device),
        "MLP with tanh": mlp([2, cfg.hidden, cfg.hidden, 1], act=nn.Tanh, device=ctx.device),
    }
    curves: dict[str, list[float]] = {}
    losses: dict[str, float] = {}
    for i, (name, net) in enumerate(models.items()):
        ctx.progress(name, 0.2 + 0.8 * i / len(models))
        curves[name], losses[name] = adam_train(net, x, y, cfg, steps)
    ctx.progress("done", 1.0)

    # 4. report
    lin, relu, tanh = (curves[name][-1] for name in models)
    lin_name = next(iter(models))
    lin_peak = max(curves[lin_name])
    rows: list[list[object]] = [
        [
            f"{cfg.depth} stacked Linear({cfg.width}, {cfg.width}), no activation",
            "max |stack - single map|",
            collapse_diff["none"],
            f"outputs up to {fmt(scale['none'])}",
        ],
        [
            f"{cfg.depth} stacked Linear({cfg.width}, {cfg.width}) with ReLU",
            "max |stack - single map|",
            collapse_diff["ReLU"],
            f"outputs up to {fmt(scale['ReLU'])}",
        ],
    ] + [
        [
            name,
            "XOR training accuracy",
            curves[name][-1],
            f"best {max(curves[name]):.0%}, final loss {fmt(losses[name])}",
        ]
        for name in models
    ]
    metrics = {
        "collapse_max_abs_diff_linear": collapse_diff["none"],
        "collapse_max_abs_diff_relu": collapse_diff["ReLU"],
        "xor_accuracy_linear": lin,
        "xor_best_accuracy_linear": lin_peak,
        "xor_final_loss_linear": losses[lin_name],
        "xor_accuracy_relu": relu,
        "xor_accuracy_tanh": tanh,
    }
    collapsed = collapse_diff["none"] < 1e-4 < collapse_diff["ReLU"]
    takeaway = (
        f"The {cfg.depth}-layer linear stack and the single affine map read off it differ by at most "
        f"{fmt(collapse_diff['none'])} (float rounding)"
        + (", so the stack IS one linear layer" if collapsed else "")
        + f"; with ReLUs in between the same recipe is off by {fmt(collapse_diff['ReLU'])}. On XOR, the deep "
        f"linear net ended at {lin:.0%} accuracy (best {lin_peak:.0%} along the way; a line can get at most 3 "
        f"of the 4 clusters, 75%) with loss {fmt(losses[lin_name])} (chance: 0.693), while the "
        f"ReLU MLP reached {relu:.0%} and the tanh MLP {tanh:.0%}"
        + (": the non-linearity is what lets depth add expressive power." if min(relu, tanh) > lin + 0.15 else ".")
    )
    return DemoResult(
        header=(
            "Part 1: do stacked linear layers compute anything a single linear layer cannot? Part 2: XOR, the "
            "classic non-linearly-separable problem, learned by a deep linear net vs small MLPs with ReLU/tanh "
            "(binary cross-entropy; chance level is ln 2 = 0.693)."
        ),
        columns=["model", "measure", "value", "note"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="XOR training accuracy",
                series=[Series(name, curves[name]) for name in models],
            )
        ],
    )
