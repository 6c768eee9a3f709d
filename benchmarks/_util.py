"""Small helpers shared by the benchmark scripts: repeat a measurement, summarise it, print a table.

A budget is either absolute (`budget`, in the figure's unit) or a ratio to a floor measured in the same run
(`ratio_budget` over `floor`, another Figure): the figure holds when its median is at most that many times
the floor's median, so the verdict does not depend on how fast the machine is.
"""

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
    floor: Figure | None = None  # the bare cost of the same work, measured in the same run
    ratio_budget: float | None = None  # the figure holds when median / floor.median is at most this

    def __post_init__(self) -> None:
        if self.ratio_budget is not None and self.floor is None:
            raise ValueError(f"{self.name}: a ratio budget needs a floor")
        if self.ratio_budget is not None and self.budget is not None:
            raise ValueError(f"{self.name}: either an absolute budget or a ratio budget, not both")

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def ratio(self) -> float | None:
        """The median over the floor's median (both in the same unit), or None without a floor."""
        if self.floor is None:
            return None
        return self.median / self.floor.median if self.floor.median > 0 else float("inf")

    @property
    def holds(self) -> bool | None:
        if self.ratio_budget is not None:
            assert self.ratio is not None
            return self.ratio <= self.ratio_budget
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
    for column in ("figure", "median", "min", "max", "x floor", "budget", "holds"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for f in figures:
        if f.ratio_budget is not None:
            budget = f"{f.ratio_budget:.2f}x floor"
        else:
            budget = fmt(f.budget, f.unit) if f.budget is not None else "-"
        ratio = fmt(f.ratio, "x") if f.ratio is not None else "-"
        holds = {True: "[green]yes[/]", False: "[red]NO[/]", None: "-"}[f.holds]
        name = f"{f.name} [dim]{f.note}[/]" if f.note else f.name
        low, high = fmt(min(f.samples), f.unit), fmt(max(f.samples), f.unit)
        table.add_row(name, fmt(f.median, f.unit), low, high, ratio, budget, holds)
    Console(width=130).print(table)
