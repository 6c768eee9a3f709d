"""How long each demo takes as a whole process: `python -m quizdl demo NAME --device cpu`, as a user runs it.

Every demo runs --repeat times, each run beside a bare `python -c "import torch"` (so machine noise hits
both alike). The table shows per demo the whole-process median, its ratio to the import floor, its own
compute (median whole process minus the median floor of the same rounds; budget 1.0 s), the in-process compute seconds and
headline metric from one extra `--json` run, and the medians across demos. It prints figures; it is not a
test.

    python benchmarks/demos.py [--repeat 3] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "COLUMNS": "100"}


def demo_names() -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "quizdl", "demo", "list", "--json"],
        capture_output=True, text=True, check=True, env=env(), cwd=ROOT,
    )  # fmt: skip
    return [row["name"] for row in json.loads(out.stdout)]


def wall_seconds(name: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "quizdl", "demo", name, "--device", "cpu"],
        check=True, stdout=subprocess.DEVNULL, env=env(), cwd=ROOT,
    )  # fmt: skip
    return time.perf_counter() - start


def headline(name: str) -> tuple[str, float | None]:
    """The demo's first metric as `key=value`, and its in-process compute seconds, from a --json run."""
    out = subprocess.run(
        [sys.executable, "-m", "quizdl", "demo", name, "--device", "cpu", "--json"],
        capture_output=True, text=True, check=True, env=env(), cwd=ROOT,
    )  # fmt: skip
    data: dict[str, Any] = json.loads(out.stdout)
    metrics = data.get("metrics", {})
    if not metrics:
        return "-", data.get("seconds")
    key, value = next(iter(metrics.items()))
    shown = f"{value:.4g}" if isinstance(value, float) else str(value)
    return f"{key}={shown}", data.get("seconds")


def torch_import_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True, env=env(), cwd=ROOT)
    return time.perf_counter() - start


COMPUTE_BUDGET_S = 1.0  # a demo's own compute: its whole process minus a bare `import torch` of the same rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per demo (default 3)")
    parser.add_argument("--only", nargs="*", default=None, help="benchmark only these demos")
    parser.add_argument("--no-metric", action="store_true", help="skip the extra --json run per demo")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    names = args.only or demo_names()
    samples: dict[str, list[float]] = {name: [] for name in names}
    floors: list[float] = []
    for round_ in range(args.repeat):
        for name in names:
            floor = torch_import_seconds()  # beside every run, so machine noise hits both alike
            floors.append(floor)
            wall = wall_seconds(name)
            samples[name].append(wall)
            print(f"\rround {round_ + 1}/{args.repeat}: {name:<32}", end="", file=sys.stderr, flush=True)
    print("\r" + " " * 70 + "\r", end="", file=sys.stderr)
    extras = {name: ("-", None) if args.no_metric else headline(name) for name in names}

    from rich.console import Console
    from rich.table import Table

    floor = statistics.median(floors)
    table = Table(
        title=f"quizdl demo NAME --device cpu, {args.repeat} runs each; bare `import torch` median {floor:.2f} s"
    )
    columns = ("demo", "whole process", "x import", "own compute", f"<= {COMPUTE_BUDGET_S:g} s", "in-process",
               "headline metric")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column in ("demo", "headline metric") else "right")
    own_medians, ratios = [], []
    for name in names:
        med = statistics.median(samples[name])
        own = med - floor  # medians of the same rounds: robust to one slow run of either
        own_medians.append(own)
        ratios.append(med / floor)
        metric, compute = extras[name]
        ok = "[green]yes[/]" if own <= COMPUTE_BUDGET_S else "[red]NO[/]"
        compute_text = f"{compute:.2f}" if isinstance(compute, int | float) else "-"
        table.add_row(name, f"{med:.2f}", f"{med / floor:.2f}", f"{own:.2f}", ok, compute_text, metric)
    table.add_section()
    held = sum(own <= COMPUTE_BUDGET_S for own in own_medians)
    table.add_row(
        f"median across {len(names)} demos", f"{statistics.median(samples[n][0] for n in names):.2f}",
        f"{statistics.median(ratios):.2f}", f"{statistics.median(own_medians):.2f}",
        f"{held}/{len(names)}", "", f"worst x import {max(ratios):.2f}",
    )  # fmt: skip
    Console(width=160).print(table)
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} (1 min) at the end")


if __name__ == "__main__":
    main()
