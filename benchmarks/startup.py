"""How fast quizdl starts: `quizdl --help` and the first question on screen, against the import floor.

The floor is `python -c "import typer, rich.console, sqlalchemy.orm, yaml"`: what any CLI built on these
libraries pays before doing anything. Budget: both figures within 1.3x the floor, measured in the same run.
Run: python benchmarks/startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _util import Figure, print_table

FLOOR = [sys.executable, "-c", "import typer, rich.console, sqlalchemy.orm, yaml"]
QUIZDL = [sys.executable, "-m", "quizdl"]
BUDGET_RATIO = 1.3


def wall_ms(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return (time.perf_counter() - start) * 1000


def first_question_ms(env: dict[str, str]) -> float:
    """Start a quiz and stop the clock when the first question's panel header ('1/') reaches stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen([*QUIZDL, "quiz", "--limit", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    seen = b""
    while b"1/1" not in seen:
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            raise RuntimeError(f"quiz ended before showing a question: {seen.decode(errors='replace')}")
        seen += chunk
    elapsed = (time.perf_counter() - start) * 1000
    proc.kill()
    proc.wait()
    return elapsed


def measure(repeat: int) -> list[Figure]:
    home = tempfile.mkdtemp(prefix="quizdl-bench-")
    env = {**os.environ, "QUIZDL_HOME": home, "COLUMNS": "100", "PYTHONUNBUFFERED": "1"}
    wall_ms([*QUIZDL, "db", "upgrade"], env)  # first-run migration is a one-time cost, not start-up
    floor, help_, first = [], [], []
    for _ in range(repeat):  # interleaved, so machine noise hits all three alike
        floor.append(wall_ms(FLOOR, env))
        help_.append(wall_ms([*QUIZDL, "--help"], env))
        first.append(first_question_ms(env))
    base = Figure("import floor (typer, rich, sqlalchemy.orm, yaml)", floor)
    return [
        base,
        Figure("quizdl --help", help_, floor=base, ratio_budget=BUDGET_RATIO),
        Figure("quiz: first question on screen", first, floor=base, ratio_budget=BUDGET_RATIO),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    figures = measure(parser.parse_args().repeat)
    print_table(figures, f"start-up ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
