"""Loading the whole shipped bank: parsing and validating the YAML, and from the validated-bank cache.

Budget: 30 ms. Each sample is a fresh process, so nothing is warm but the OS file cache.
Run: python benchmarks/bank.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

from _util import Figure, print_table

PROBE = """
import time, sys
from pathlib import Path
from quizdl.bank.loader import load_bank
cache = Path(sys.argv[1]) if len(sys.argv) > 1 else None
start = time.perf_counter()
bank = load_bank(cache_dir=cache)
print((time.perf_counter() - start) * 1000, len(bank.questions))
"""


def load_ms(*args: str) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], check=True, capture_output=True, text=True).stdout
    ms, cards = out.split()
    return float(ms), int(cards)


def measure(repeat: int) -> list[Figure]:
    cache = tempfile.mkdtemp(prefix="quizdl-bank-cache-")
    load_ms(cache)  # fill the cache once
    parse = [load_ms()[0] for _ in range(repeat)]
    samples = [load_ms(cache) for _ in range(repeat)]
    cards = samples[0][1]
    return [
        Figure("load the bank: parse + validate YAML", parse, note=f"({cards} cards)"),
        Figure("load the bank: validated cache (as the quiz does)", [s[0] for s in samples], budget=30),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    print_table(measure(parser.parse_args().repeat), f"bank load ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
