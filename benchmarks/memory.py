"""Peak memory of a quiz session (torch not loaded): the resident set of a whole `quizdl quiz` process.

A scripted session answers 20 cards of the shipped bank on a fresh SQLite database. Budget: 150 MB.
Run: python benchmarks/memory.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

from _util import Figure, print_table


def session_peak_mb() -> float:
    home = tempfile.mkdtemp(prefix="quizdl-mem-")
    env = {**os.environ, "QUIZDL_HOME": home, "COLUMNS": "100"}
    script = "".join(f"an answer about gradients {i}\n\n{4 + i % 2}\n" for i in range(20))
    # A child of its own, so ru_maxrss of RUSAGE_CHILDREN is this session's peak (kB on Linux).
    probe = (
        "import resource, subprocess, sys;"
        f"subprocess.run([sys.executable, '-m', 'quizdl', 'quiz', '--new', '20'], input={script!r}, text=True,"
        " stdout=subprocess.DEVNULL, check=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def measure(repeat: int) -> list[Figure]:
    return [Figure("quiz session peak memory (20 cards)", [session_peak_mb() for _ in range(repeat)], "MB", 150)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    print_table(measure(parser.parse_args().repeat), "memory")


if __name__ == "__main__":
    main()
