"""Shared helpers for the demo tests: run a demo once per session on the CPU, check a result's shape."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest

from quizdl.demos import registry
from quizdl.demos.registry import DemoContext, DemoResult

_CACHE: dict[tuple[str, int], DemoResult] = {}


def run_cpu(name: str, seed: int = 0) -> DemoResult:
    """Run demo `name` on the CPU with `seed` (default steps); cached for the whole test session."""
    key = (name, seed)
    if key not in _CACHE:
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # as `quizdl demo` does on the CPU (see quizdl.ui.demo_view.CPU_THREADS)
        try:
            _CACHE[key] = registry.get(name).fn(DemoContext(device="cpu", seed=seed))
        finally:
            torch.set_num_threads(threads)
    return _CACHE[key]


def check_shape(result: DemoResult) -> None:
    """Every row fills every column, the texts are present, metrics are JSON-able, charts hold numbers."""
    assert result.header.strip() and result.takeaway.strip()
    assert result.columns and result.rows
    for row in result.rows:
        assert len(row) == len(result.columns), row
    assert result.metrics
    json.dumps(result.metrics)  # NaN/inf allowed here; render_json makes them strings
    for chart in result.charts:
        assert chart.series
        for series in chart.series:
            assert all(isinstance(v, float | int) for v in series.values), series.name
            assert any(math.isfinite(v) for v in series.values), f"{chart.title}: {series.name} has no finite value"
            if series.x is not None:
                assert len(series.x) == len(series.values)


@pytest.fixture(scope="session")
def demo_run() -> Callable[..., DemoResult]:
    """`demo_run(name, seed=0)`: the cached CPU result of a demo."""
    return run_cpu
