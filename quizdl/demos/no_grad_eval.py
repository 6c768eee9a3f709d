"""torch.no_grad() and model.eval() are two different switches.

One MLP with BatchNorm and Dropout runs a forward pass in the four combinations of train()/eval() and
grad/no_grad (plus torch.inference_mode). For each we measure what autograd keeps for the backward pass
(tensors saved, counted with torch.autograd.graph.saved_tensors_hooks, and their bytes), whether the output
requires grad, the forward time, whether two passes on the same batch give the same output (dropout), and
whether the BatchNorm running statistics moved.

no_grad changes what is RECORDED (nothing saved, no graph, less memory and time) but not what is COMPUTED;
eval() changes what is computed (dropout off, BatchNorm uses its running statistics) but still records a
graph. Validation needs both: no_grad alone in train mode still drops units and silently updates BatchNorm's
running statistics with validation data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    batch: int = 512  # examples in the batch
    n_in: int = 64  # input features
    hidden: int = 256  # units per hidden layer (two hidden layers)
    dropout: float = 0.5  # dropout probability
    repeats: int = 5  # timed forward passes per setting (the median is reported)


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()
    elif device == "mps":
        torch.mps.synchronize()


def _model(cfg: Config, device: str) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(cfg.n_in, cfg.hidden),
        nn.BatchNorm1d(cfg.hidden),
        nn.ReLU(),
        nn.Dropout(cfg.dropout),
        nn.Linear(cfg.hidden, cfg.hidden),
        nn.BatchNorm1d(cfg.hidden),
        nn.ReLU(),
        nn.Dropout(cfg.dropout),
        nn.Linear(cfg.hidden, 1),
    ).to(device)


def _saved(forward: Callable[[], Tensor]) -> tuple[Tensor, int, int]:
    """Run forward() and count the tensors autograd saves for backward (and their distinct bytes)."""
    count = 0
    storages: dict[int, int] = {}

    def pack(t: Tensor) -> Tensor:
        nonlocal count
        count += 1
        storages[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = forward()
    return out, count, sum(storages.values())


@demo(
    "no-grad-eval",
    topic="frameworks",
    summary="no_grad stores no graph (0 saved tensors, less time) but keeps dropout/BatchNorm; eval() is the other switch",
)
def no_grad_eval(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device

    # 1. data and model
    x = randn(gen, cfg.batch, cfg.n_in, device=dev)
    net = _model(cfg, dev)
    bn = net[1]
    assert isinstance(bn, nn.BatchNorm1d)
    with torch.no_grad():  # warm up (allocations, kernels) and give BatchNorm some running statistics
        for _ in range(3):
            net(x)

    settings: list[tuple[str, bool, Callable[[], AbstractContextManager[object]]]] = [
        ("train(), grad", True, nullcontext),
        ("train(), no_grad", True, torch.no_grad),
        ("eval(), grad", False, nullcontext),
        ("eval(), no_grad", False, torch.no_grad),
        ("eval(), inference_mode", False, torch.inference_mode),
    ]
    res: dict[str, dict[str, object]] = {}
    outputs: dict[str, Tensor] = {}
    for i, (name, training, mode) in enumerate(settings):
        net.train(training)
        # 2. what autograd stores, and whether the output carries a graph
        before = bn.running_mean.clone()
        with mode():
            out, n_saved, n_bytes = _saved(lambda: net(x))
            again = net(x)
        moved = float((bn.running_mean - before).abs().max().item())
        # 3. forward time (median of a few passes)
        times = []
        for _ in range(cfg.repeats):
            _sync(dev)
            t0 = time.perf_counter()
            with mode():
                net(x)
            _sync(dev)
            times.append(time.perf_counter() - t0)
        outputs[name] = out.detach().clone()
        res[name] = {
            "saved": n_saved,
            "bytes": n_bytes,
            "requires_grad": bool(out.requires_grad),
            "has_graph": out.grad_fn is not None,
            "deterministic": bool(torch.equal(out, again)),
            "bn_moved": moved,
            "ms": 1000 * sorted(times)[len(times) // 2],
        }
        ctx.progress(name, (i + 1) / len(settings))

    # 4. the values: no_grad does not change what eval() computes; eval() changes what train() computes
    eval_gap = float((outputs["eval(), grad"] - outputs["eval(), no_grad"]).abs().max().item())
    infer_gap = float((outputs["eval(), grad"] - outputs["eval(), inference_mode"]).abs().max().item())
    train_eval_gap = float((outputs["train(), no_grad"] - outputs["eval(), no_grad"]).abs().max().item())

    # 5. report
    names = [s[0] for s in settings]
    rows = [
        [
            name,
            r["saved"],
            r["bytes"] / 1e6,
            r["requires_grad"],
            r["deterministic"],
            r["bn_moved"] > 0,
            r["ms"],
        ]
        for name, r in res.items()
    ]
    g, ng = res["train(), grad"], res["train(), no_grad"]
    eg, eng = res["eval(), grad"], res["eval(), no_grad"]
    metrics = {name.replace("(), ", "_").replace(" ", "_"): dict(r) for name, r in res.items()} | {
        "saved_train_grad": g["saved"],
        "saved_train_no_grad": ng["saved"],
        "saved_eval_grad": eg["saved"],
        "saved_eval_no_grad": eng["saved"],
        "saved_mb_grad": g["bytes"] / 1e6,
        "time_ratio_no_grad": float(ng["ms"]) / float(g["ms"]),
        "eval_output_gap_grad_vs_no_grad": eval_gap,
        "eval_output_gap_grad_vs_inference_mode": infer_gap,
        "train_vs_eval_output_gap": train_eval_gap,
    }
    takeaway = (
        f"A forward pass with gradients saved {g['saved']} tensors ({fmt(g['bytes'] / 1e6)} MB) for backward; "
        f"under no_grad it saved {ng['saved']} and the output has requires_grad={ng['requires_grad']} "
        f"(median {fmt(float(ng['ms']))} ms vs {fmt(float(g['ms']))} ms, a noisy timing). But no_grad does not "
        f"switch off training behaviour: in train() mode under no_grad two passes on the same batch "
        f"{'agree' if ng['deterministic'] else 'differ (dropout)'} and BatchNorm's running mean "
        f"{'moved' if float(ng['bn_moved']) > 0 else 'stayed put'}. eval() is the other switch: outputs become "
        f"{'deterministic' if eng['deterministic'] and eg['deterministic'] else 'still random'}, the running "
        f"statistics {'stay put' if float(eng['bn_moved']) == 0 else 'still move'}, and the eval outputs with "
        f"and without no_grad differ by {fmt(eval_gap)}, yet eval() with gradients still saved {eg['saved']} "
        f"tensors. Validation needs both switches."
    )
    return DemoResult(
        header=(
            "An MLP with BatchNorm and Dropout, one forward pass in each combination of train()/eval() and "
            "grad/no_grad (and inference_mode): what autograd saves for backward, whether the output carries a "
            "graph, whether outputs are repeatable, whether BatchNorm's running statistics move, and time."
        ),
        columns=[
            "mode",
            "tensors saved for backward",
            "saved MB",
            "output requires_grad",
            "same output twice",
            "BN running stats moved",
            "forward ms",
        ],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="tensors saved for backward per mode (1 = train/grad ... 5 = eval/inference_mode)",
                series=[
                    Series(
                        "saved tensors",
                        [float(res[n]["saved"]) for n in names],  # type: ignore[arg-type]
                        x=[float(i + 1) for i in range(len(names))],
                    )
                ],
                x_label="mode",
            )
        ],
    )
