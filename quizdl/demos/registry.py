"""The demo registry, the context a demo runs in, and the result it returns.

Demo modules (one per demo, `quizdl/demos/<name_with_underscores>.py`) import torch freely; this
module does not, so listing names and resolving a card's `demo:` stays cheap until a demo actually runs.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quizdl.errors import DemoError

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Series:
    """One line of a chart: y values at x = 0, 1, 2 ... (or at `x` when given)."""

    name: str
    values: list[float]
    x: list[float] | None = None


@dataclass(frozen=True)
class Chart:
    title: str
    series: list[Series]
    x_label: str = "step"
    log_y: bool = False


@dataclass
class DemoResult:
    """What a demo measured. Everything the user reads is built from these numbers."""

    header: str  # what is tested and why, 1-3 sentences
    columns: list[str]  # table header
    rows: list[list[Any]]  # table body: str, int, float or bool cells
    takeaway: str  # built from the measured numbers (f-strings), never a canned claim
    metrics: dict[str, Any] = field(default_factory=dict)  # headline numbers; tests assert on them
    charts: list[Chart] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "columns": self.columns,
            "rows": self.rows,
            "takeaway": self.takeaway,
            "metrics": self.metrics,
            "charts": [
                {
                    "title": c.title,
                    "x_label": c.x_label,
                    "log_y": c.log_y,
                    "series": [{"name": s.name, "values": s.values, "x": s.x} for s in c.series],
                }
                for c in self.charts
            ],
        }


ProgressFn = Callable[[str, float], None]  # (what is running, fraction done 0..1)


def _no_progress(_label: str, _fraction: float) -> None:
    return None


@dataclass(frozen=True)
class DemoContext:
    device: str  # "cpu", "cuda" or "mps": create every tensor and module on it
    seed: int = 0
    steps: int | None = None  # None: the demo's own default
    progress: ProgressFn = _no_progress

    def steps_or(self, default: int) -> int:
        return self.steps if self.steps is not None else default


DemoFn = Callable[[DemoContext], DemoResult]


@dataclass(frozen=True)
class Demo:
    name: str
    topic: str
    summary: str
    fn: DemoFn


REGISTRY: dict[str, Demo] = {}


def demo(name: str, *, topic: str, summary: str) -> Callable[[DemoFn], DemoFn]:
    """Register a demo under `name`. A duplicate name is a programming error and raises."""

    def register(fn: DemoFn) -> DemoFn:
        if name in REGISTRY:
            raise ValueError(f"demo {name!r} is registered twice ({REGISTRY[name].fn.__module__}, {fn.__module__})")
        REGISTRY[name] = Demo(name=name, topic=topic, summary=summary, fn=fn)
        return fn

    return register


_SKIP_MODULES = {"registry", "device", "common", "worker"}


def load_all() -> dict[str, Demo]:
    """Import every demo module (this imports torch) and return the registry, sorted by name."""
    import quizdl.demos as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _SKIP_MODULES and not info.name.startswith("_"):
            importlib.import_module(f"quizdl.demos.{info.name}")
    return dict(sorted(REGISTRY.items()))


def get(name: str) -> Demo:
    """The demo called `name`; an unknown name raises DemoError suggesting close matches.

    A demo lives in the module named after it (`dying-relu` in dying_relu.py), so running one imports
    just that module; only an unknown name pays for importing them all to suggest close matches.
    """
    if name not in REGISTRY and KEBAB.match(name):
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"quizdl.demos.{name.replace('-', '_')}")
    if name in REGISTRY:
        return REGISTRY[name]
    demos = load_all()
    if name in demos:
        return demos[name]
    close = difflib.get_close_matches(name, list(demos), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else "run `quizdl demo list` to see them"
    raise DemoError(f"unknown demo {name!r}: {hint}")
