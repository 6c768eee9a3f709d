"""Run a demo and show it: header panel, results table, charts, takeaway; or the same as JSON.

`run_and_render` is what `quizdl demo NAME` and the quiz's `d` key call. It works with any rich Console
(a terminal, a file, a recording console in tests). Torch is imported only when a demo actually runs.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from quizdl.demos.registry import DemoContext, DemoResult
from quizdl.errors import DemoError
from quizdl.ui.charts import format_number, render_chart

PROGRESS_AFTER_SECONDS = 1.0  # the progress bar appears only for demos that run longer than this
# Demos are tiny: a second intra-op thread gains nothing, and on a busy 2-core machine torch's spinning worker
# threads made the same demo 10-30x slower (measured: 0.8 s with one thread vs 13 s with two under load).
CPU_THREADS = 1
MAX_CHART_WIDTH = 100


class _LazyProgress:
    """A ctx.progress callback that shows a transient rich progress bar once the run passes ~1 s."""

    def __init__(self, console: Console, name: str) -> None:
        self.console, self.name = console, name
        self.start = time.perf_counter()
        self.progress: Progress | None = None
        self.task: Any = None

    def __call__(self, label: str, fraction: float) -> None:
        if self.progress is None:
            if time.perf_counter() - self.start < PROGRESS_AFTER_SECONDS:
                return
            self.progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("[dim]{task.fields[label]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.name, total=1.0, label="")
        self.progress.update(self.task, completed=min(max(fraction, 0.0), 1.0), label=label)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def run_demo(
    name: str, *, device: str = "auto", seed: int = 0, steps: int | None = None, progress: Any = None
) -> tuple[DemoResult, str, float]:
    """Resolve the demo and the device, run it, and return (result, device used, wall seconds).

    Unknown demo, unavailable device and steps < 1 raise DemoError.
    """
    from quizdl.demos import registry
    from quizdl.demos.device import pick_device

    if steps is not None and steps < 1:
        raise DemoError(f"--steps must be at least 1 (got {steps})")
    demo = registry.get(name)
    used = pick_device(device)
    ctx = DemoContext(device=used, seed=seed, steps=steps, progress=progress or (lambda _label, _fraction: None))
    import torch

    threads = torch.get_num_threads()
    if used == "cpu":
        torch.set_num_threads(CPU_THREADS)
    try:
        start = time.perf_counter()
        result = demo.fn(ctx)
        return result, used, time.perf_counter() - start
    finally:
        torch.set_num_threads(threads)


def run_and_render(
    name: str, *, console: Console, device: str = "auto", seed: int = 0, steps: int | None = None
) -> DemoResult:
    """Run demo `name` on `device` and render it on `console`; returns the result."""
    from quizdl.demos import registry
    from quizdl.demos.device import pick_device

    registry.get(name)  # fail before printing anything if the name or the device is wrong
    used = pick_device(device)
    console.print(f"[dim]demo[/] [bold]{name}[/] [dim]on {used}, seed {seed}…[/]")
    bar = _LazyProgress(console, name)
    try:
        result, used, seconds = run_demo(name, device=used, seed=seed, steps=steps, progress=bar)
    finally:
        bar.stop()
    render_result(result, console=console, name=name, device=used, seconds=seconds)
    return result


def format_cell(value: Any) -> Text:
    """A table cell: numbers via format_number (NaN and inf in red), everything else as text."""
    text = format_number(value)
    if isinstance(value, float) and not math.isfinite(value):
        return Text(text, style="bold red")
    return Text(text)


def results_table(result: DemoResult) -> Table:
    table = Table(show_header=True, header_style="bold", show_lines=False)
    for i, column in enumerate(result.columns):
        numeric = any(
            isinstance(row[i], int | float) and not isinstance(row[i], bool) for row in result.rows if i < len(row)
        )
        table.add_column(column, justify="right" if numeric else "left")
    for row in result.rows:
        table.add_row(*(format_cell(cell) for cell in row))
    return table


def render_result(
    result: DemoResult, *, console: Console, name: str, device: str, seconds: float | None = None
) -> None:
    """Header panel, results table, charts and takeaway of a finished demo."""
    subtitle = f"{device}" + (f", {seconds:.2f} s" if seconds is not None else "")
    console.print(Panel(result.header, title=f"[bold]{name}[/]", subtitle=f"[dim]{subtitle}[/]", expand=True))
    console.print(results_table(result))
    width = min(console.width, MAX_CHART_WIDTH)
    for chart in result.charts:
        console.print(render_chart(chart, width=width))
    console.print(Panel(Group(Text(result.takeaway)), title="[bold]takeaway[/]", border_style="green"))


def _json_safe(value: Any) -> Any:
    """Non-finite floats become the strings "NaN", "inf", "-inf" so the output is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return format_number(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def demo_payload(result: DemoResult, device: str, **extra: Any) -> dict[str, Any]:
    """What `quizdl demo NAME --json` prints, as a dict: strict-JSON-safe (non-finite numbers as strings)."""
    return _json_safe({"device": device, **extra, **result.to_dict()})


def render_json(result: DemoResult, device: str, **extra: Any) -> str:
    """The result as strict JSON (non-finite numbers as strings), with the device and any extra keys."""
    return json.dumps(demo_payload(result, device, **extra), indent=2, allow_nan=False)


_NON_FINITE = {"NaN": math.nan, "inf": math.inf, "-inf": -math.inf}


def _number(value: Any) -> Any:
    """Undo _json_safe for one value: "NaN", "inf", "-inf" become floats again."""
    return _NON_FINITE.get(value, value) if isinstance(value, str) else value


def result_from_payload(payload: dict[str, Any]) -> DemoResult:
    """Rebuild a DemoResult from demo_payload's dict (a worker's answer), non-finite numbers included.

    A table cell that is literally the text "NaN", "inf" or "-inf" comes back as that float, which renders
    the same way.
    """
    from quizdl.demos.registry import Chart, Series

    charts = [
        Chart(
            title=c["title"],
            x_label=c.get("x_label", "step"),
            log_y=bool(c.get("log_y", False)),
            series=[
                Series(
                    name=s["name"],
                    values=[float(_number(v)) for v in s["values"]],
                    x=None if s.get("x") is None else [float(_number(v)) for v in s["x"]],
                )
                for s in c["series"]
            ],
        )
        for c in payload.get("charts", [])
    ]
    return DemoResult(
        header=payload["header"],
        columns=list(payload["columns"]),
        rows=[[_number(cell) for cell in row] for row in payload["rows"]],
        takeaway=payload["takeaway"],
        metrics={k: _number(v) for k, v in payload.get("metrics", {}).items()},
        charts=charts,
    )


def run_elsewhere_and_render(
    name: str, run: Callable[..., dict[str, Any]], *, console: Console, device: str = "auto", seed: int = 0
) -> DemoResult:
    """Like run_and_render, for a demo run by another process (the quiz's warm worker).

    `run(name, device=, seed=, on_event=)` returns demo_payload's dict; its "start" event prints the same
    first line as run_and_render and its "progress" events drive the same progress bar.
    """
    bar = _LazyProgress(console, name)

    def on_event(event: dict[str, Any]) -> None:
        if event.get("event") == "start":  # the demo starts now: a cold worker has just imported torch
            console.print(f"[dim]demo[/] [bold]{name}[/] [dim]on {event.get('device')}, seed {seed}…[/]")
            bar.start = time.perf_counter()
        elif event.get("event") == "progress":
            bar(str(event.get("label", "")), float(event.get("fraction", 0.0)))

    try:
        payload = run(name, device=device, seed=seed, on_event=on_event)
    finally:
        bar.stop()
    result = result_from_payload(payload)
    render_result(result, console=console, name=name, device=payload["device"], seconds=payload.get("seconds"))
    return result
