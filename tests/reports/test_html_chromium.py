"""The HTML report in a real browser: headless Chromium (Debian's `chromium`, installed by .ci/run).

It loads the page, dumps the DOM after load (the SVG charts are there), takes phone and desktop screenshots
(kept in the test's temp dir) whose pixels show the chart colours, and the console stays silent.
Skipped locally when Chromium is missing; under CI=true a missing Chromium fails the test.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

from quizdl.reports.render_html import render_html
from quizdl.reports.stats import build_report
from quizdl.reports.svg import BAR, HEAT
from quizdl.store.engine import open_engine
from tests.reports.history import ALICE, TODAY, play, small_bank

pytestmark = pytest.mark.chromium


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: CI must run the browser test (.ci/run installs it)")
    pytest.skip("headless Chromium is not installed (apt-get install chromium)")


def run_chromium(*args: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--enable-logging=stderr", "--v=0", *args]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def console_problems(stderr: str) -> list[str]:
    """Console output of the page (there is no script, so any is a problem) and uncaught errors."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def png_pixels(path: Path) -> tuple[int, int, Counter[tuple[int, int, int]]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes): (width, height, colour counts)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    counts: Counter[tuple[int, int, int]] = Counter()
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        counts.update(zip(line[0::channels], line[1::channels], line[2::channels], strict=True))
        prev = line
    return width, height, counts


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


@pytest.fixture
def page(tmp_path: Path) -> Path:
    engine = open_engine(f"sqlite:///{tmp_path / 'history.db'}")
    pid = play(engine, "alice", ALICE)
    html = render_html(build_report(engine, pid, small_bank(), TODAY))
    engine.dispose()
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_the_dom_after_load_has_the_charts(page: Path) -> None:
    result = run_chromium("--dump-dom", page.as_uri())
    dom = result.stdout
    assert dom.count("<svg") == 4 and dom.count('class="day"') == 365 and dom.count('class="bar"') == 48
    assert "Why is &lt;script&gt;alert('x')&lt;/script&gt; | a &amp; b?" in dom  # text, not markup
    assert "<script" not in dom
    assert console_problems(result.stderr) == []


@pytest.mark.parametrize(("name", "size"), [("phone", "390,3400"), ("desktop", "1100,2400")])
def test_screenshots_show_the_charts(page: Path, name: str, size: str) -> None:
    shot = page.parent / f"report-{name}.png"
    result = run_chromium(f"--screenshot={shot}", f"--window-size={size}", page.as_uri())
    assert console_problems(result.stderr) == []
    width, height, colours = png_pixels(shot)
    assert (width, height) == tuple(int(n) for n in size.split(","))
    assert colours[rgb(BAR)] > 1000  # the forecast and interval bars are drawn
    assert colours[rgb(HEAT[0])] > 5000  # the calendar's empty days
    assert sum(colours[rgb(c)] for c in HEAT[1:]) > 100  # and its study days
    assert colours[rgb("#8250df")] > 300  # the EF histogram
