"""Eager execution vs a traced graph: what tracing (tf.function, jax.jit, torch tracing) silently changes.

A small function has a data-dependent Python branch (`if x.mean() > 0: ... else: ...`) and a Python side
effect (it appends to a log list, as a print or a counter would). We run it eagerly and as captured graphs:
  - torch.jit.trace runs it once on an example input and records the tensor operations that happened. The
    branch taken for that example is baked in: on inputs that should take the other branch the traced graph
    returns wrong numbers, with only a TracerWarning. The side effect ran once, at trace time, and never
    again. (torch.jit.trace is deprecated in favour of torch.export/torch.compile, which capture the same
    kind of graph but take seconds to start; it is used here because it is instant.)
  - torch.fx.symbolic_trace runs it on placeholder values and refuses the Python branch outright
    (TraceError): a symbolic value cannot decide an `if`.
  - the fix: express the branch as a tensor operation (torch.where); both tracers then capture a graph that
    is exact for every input. The side effect still runs only at trace time: keep them out of traced code.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import torch
import torch.fx
from torch import Tensor

from quizdl.demos.common import fmt, randn, seeded
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    batch: int = 8  # rows per input
    dim: int = 16  # features per row
    inputs: int = 10  # test inputs, half with a positive mean and half with a negative one
    calls: int = 10  # calls of each version, to count the side effects


_LOG: list[str] = []  # the Python side effect: every call of the functions below appends to it


def branchy(x: Tensor) -> Tensor:
    """Data-dependent Python control flow plus a side effect."""
    _LOG.append("called")
    if x.mean() > 0:
        return torch.relu(x) * 2
    return torch.tanh(x) - 1


def branchless(x: Tensor) -> Tensor:
    """The same function with the branch as a tensor operation."""
    _LOG.append("called")
    return torch.where(x.mean() > 0, torch.relu(x) * 2, torch.tanh(x) - 1)


@demo(
    "tracing-pitfalls",
    topic="frameworks",
    summary="eager vs traced graphs: a Python branch is baked in (wrong outputs), side effects run once; torch.where fixes it",
)
def tracing_pitfalls(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    dev = ctx.device

    # 1. inputs: a positive-mean example to trace with, then test inputs of both signs
    example = randn(gen, cfg.batch, cfg.dim, device=dev).abs() + 0.1
    shifts = torch.tensor([1.0 if i % 2 == 0 else -1.0 for i in range(cfg.inputs)], device=dev)
    tests = [randn(gen, cfg.batch, cfg.dim, device=dev) + s for s in shifts]

    # 2. capture graphs: torch.jit.trace (records one run) and torch.fx (symbolic placeholders)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _LOG.clear()
        traced_branchy = torch.jit.trace(branchy, example, check_trace=False)
        traced_branchless = torch.jit.trace(branchless, example, check_trace=False)
    tracer_warned = any("might cause the trace to be incorrect" in str(w.message) for w in caught)
    try:
        torch.fx.symbolic_trace(branchy)
        fx_error = ""
    except torch.fx.proxy.TraceError as err:
        fx_error = str(err)
    fx_branchless = torch.fx.symbolic_trace(branchless)
    fx_nodes = len(list(fx_branchless.graph.nodes))
    trace_time_effects = len(_LOG)  # four traces (two jit, two fx, one of which failed)
    ctx.progress("running", 0.5)

    # 3. run everything on the test inputs; compare with eager
    def max_error(fn: object) -> list[float]:
        with torch.no_grad():
            return [float((fn(x) - branchy(x)).abs().max().item()) for x in tests]  # type: ignore[operator]

    errors = {
        "jit.trace, Python if": max_error(traced_branchy),
        "jit.trace, torch.where": max_error(traced_branchless),
        "fx, torch.where": max_error(fx_branchless),
    }
    effects = {}
    for name, fn in (
        ("eager", branchy),
        ("jit.trace, Python if", traced_branchy),
        ("jit.trace, torch.where", traced_branchless),
        ("fx, torch.where", fx_branchless),
    ):
        _LOG.clear()
        for _ in range(cfg.calls):
            fn(tests[0])
        effects[name] = len(_LOG)
    ctx.progress("done", 1.0)

    # 4. report
    pos = [i for i in range(cfg.inputs) if shifts[i] > 0]
    neg = [i for i in range(cfg.inputs) if shifts[i] < 0]
    rows: list[list[object]] = [
        ["eager", "runs the Python if every call", 0.0, 0.0, effects["eager"]],
        *[
            [
                name,
                "captured graph",
                max(errors[name][i] for i in pos),
                max(errors[name][i] for i in neg),
                effects[name],
            ]
            for name in errors
        ],
        ["fx, Python if", "refused: TraceError" if fx_error else "traced (unexpected)", "", "", ""],
    ]
    wrong = max(errors["jit.trace, Python if"][i] for i in neg)
    exact = max(max(v) for k, v in errors.items() if "where" in k)
    metrics = {
        "traced_if_error_positive": max(errors["jit.trace, Python if"][i] for i in pos),
        "traced_if_error_negative": wrong,
        "traced_where_error": exact,
        "tracer_warned": tracer_warned,
        "fx_refused_if": bool(fx_error),
        "fx_nodes": fx_nodes,
        "side_effects_eager": effects["eager"],
        "side_effects_traced": effects["jit.trace, Python if"],
        "side_effects_at_trace_time": trace_time_effects,
        "calls": cfg.calls,
    }
    takeaway = (
        f"Traced on a positive-mean example, the graph with the Python if matches eager on positive inputs "
        f"(max error {fmt(metrics['traced_if_error_positive'])}) but is off by up to {fmt(wrong)} on negative "
        f"ones"
        + (": the branch was baked in" if wrong > 1e-6 else "")
        + (", with nothing but a TracerWarning." if tracer_warned else " (and no warning was raised).")
        + (" torch.fx refused the same function (TraceError)." if fx_error else "")
        + f" Written with torch.where, both captured graphs match eager on every input (max error {fmt(exact)}). "
        f"Side effects: {cfg.calls} eager calls appended {effects['eager']} log entries, {cfg.calls} calls of a "
        f"traced graph {effects['jit.trace, Python if']}; tracing ran them {trace_time_effects} times in total."
    )
    return DemoResult(
        header=(
            "A function with a data-dependent Python branch and a side effect, run eagerly and as graphs "
            "captured by torch.jit.trace and torch.fx; max |captured - eager| on inputs with a positive and with "
            "a negative mean, and how often the side effect runs."
        ),
        columns=["version", "how", "max error, positive inputs", "max error, negative inputs", "side effects"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="max |traced - eager| per test input (even: positive mean, odd: negative)",
                series=[Series(name, [max(v, 0.0) for v in vals]) for name, vals in errors.items()],
                x_label="test input",
            )
        ],
    )
