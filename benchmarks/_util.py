"""Small helpers shared by the benchmark scripts: repeat a measurement, summarise it, print a table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    samples: list[float]
    unit: str = "ms"
    budget: float | None = None  # the figure holds when its median is at most this
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def holds(self) -> bool | None:
        return None if self.budget is None else self.median <= self.budget


def repeat(fn: Callable[[], float], times: int) -> list[float]:
    return [fn() for _ in range(times)]


def timed_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def print_table(figures: list[Figure], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in ("figure", "median", "min", "max", "budget", "holds"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for f in figures:
        budget = fmt(f.budget, f.unit) if f.budget is not None else "-"
        holds = {True: "[green]yes[/]", False: "[red]NO[/]", None: "-"}[f.holds]
        name = f"{f.name} [dim]{f.note}[/]" if f.note else f.name
        table.add_row(
            name, fmt(f.median, f.unit), fmt(min(f.samples), f.unit), fmt(max(f.samples), f.unit), budget, holds
        )
    Console(width=120).print(table)
