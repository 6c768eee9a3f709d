"""Terminal charts: braille lines per series, legend, log scale, NaN/inf and empty input never crash."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from quizdl.demos.registry import Chart, Series
from quizdl.ui.charts import chart_lines, format_number, render_chart, sparkline

ROOT = Path(__file__).resolve().parents[2]
NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (1.0, "1"),
        (0.123456, "0.1235"),
        (12.3456, "12.35"),
        (1234.56, "1235"),
        (123456.0, "1.23e+05"),
        (-2.5e-7, "-2.50e-07"),
        (NAN, "NaN"),
        (INF, "inf"),
        (-INF, "-inf"),
        (3, "3"),
        (True, "yes"),
        ("text", "text"),
    ],
)
def test_format_number(value: object, text: str) -> None:
    assert format_number(value) == text


def test_lines_fit_the_width_and_show_every_series_in_the_legend() -> None:
    chart = Chart(
        "loss",
        [Series("falling", [10 * math.exp(-i / 10) for i in range(50)]), Series("flat", [1.0] * 50)],
        log_y=True,
    )
    for width in (40, 80, 120):
        lines = chart_lines(chart, width=width, height=8)
        assert all(len(line) <= width for line in lines), width
    text = "\n".join(chart_lines(chart, width=80))
    assert "loss (log scale)" in text
    assert "━━ falling" in text and "━━ flat" in text
    assert any(0x2800 < ord(ch) <= 0x28FF for ch in text)  # braille dots were drawn


def test_colours_differ_per_series() -> None:
    chart = Chart("two", [Series("a", [0.0, 1.0]), Series("b", [1.0, 0.0])])
    styles = {span.style for span in render_chart(chart, width=60).spans}
    assert "cyan" in styles and "magenta" in styles


def test_nan_and_inf_leave_gaps_and_are_reported() -> None:
    chart = Chart(
        "exploding", [Series("grad norm", [1.0, 10.0, 1e4, INF, NAN, NAN]), Series("ok", [1.0] * 6)], log_y=True
    )
    text = "\n".join(chart_lines(chart, width=70))
    assert "3 non-finite or <= 0 not plotted, first at x=3" in text


def test_log_scale_skips_zero_and_negative_values() -> None:
    chart = Chart("log", [Series("s", [1.0, 0.0, -1.0, 100.0])], log_y=True)
    text = "\n".join(chart_lines(chart, width=50))
    assert "2 non-finite or <= 0 not plotted" in text
    assert "100" in text  # top axis label


def test_nothing_finite_and_single_points_do_not_crash() -> None:
    assert "nothing to plot" in "\n".join(chart_lines(Chart("empty", [Series("s", [NAN, INF])])))
    assert "nothing to plot" in "\n".join(chart_lines(Chart("none", [Series("s", [])])))
    one = chart_lines(Chart("one", [Series("s", [5.0])]), width=30, height=3)
    assert any(0x2800 < ord(ch) <= 0x28FF for line in one for ch in line)


def test_explicit_x_values_label_the_axis() -> None:
    chart = Chart("per layer", [Series("s", [1.0, 2.0, 3.0], x=[1.0, 2.0, 20.0])], x_label="layer")
    axis = chart_lines(chart, width=60)[-2]
    assert axis.split() == ["1", "layer", "20"]


def test_sparkline() -> None:
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([1.0, NAN, 2.0]) == "▁×█"
    assert sparkline([NAN]) == "×"
    assert len(sparkline(list(range(100)), width=20)) == 20
    assert sparkline([1, 10, 100], log_y=True) == "▁▅█"


def test_charts_do_not_import_torch() -> None:
    code = "import sys, quizdl.ui.charts, quizdl.ui.demo_view; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
