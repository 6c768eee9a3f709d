"""The quiz's `d` key at a terminal: a warm worker process runs the demo, and never outlives the quiz."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.helpers import TOPIC, reviews, write_bank
from tests.cli.test_terminal import Terminal

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker through /proc")

DEMO = "softmax-temperature"
WORKER = "quizdl.demos.worker"


def start(tmp_path: Path, *, demo: str | None = DEMO, **env: str) -> tuple[Terminal, str]:
    bank = write_bank(tmp_path / "bank", n=2, demo=demo)
    db = f"sqlite:///{tmp_path / 'tty.db'}"
    env = {**os.environ, "QUIZDL_NOW": "2026-03-02T09:00:00+00:00", "COLUMNS": "200", "TERM": "xterm", **env}
    args = [sys.executable, "-m", "quizdl", "quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC]
    return Terminal(args, env), db


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a live process; None once it is gone (or only a zombie is left)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = stat.rsplit(")", 1)[1].split()[:2]
    return None if state in ("Z", "X") else (int(ppid), state)


def workers_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if WORKER.encode() in cmdline and (info := _stat(int(entry.name))) and info[0] == parent:
            found.append(int(entry.name))
    return found


def the_worker(term: Terminal, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    while not (pids := workers_of(term.proc.pid)):
        assert time.monotonic() < deadline, "no demo worker started"
        time.sleep(0.05)
    assert len(pids) == 1, pids
    return pids[0]


def gone(pid: int, timeout: float = 5) -> bool:
    """Whether the process exits within `timeout` s; one that does not is killed, so no test leaves it behind."""
    deadline = time.monotonic() + timeout
    while _stat(pid) is not None:
        if time.monotonic() > deadline:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            return False
        time.sleep(0.05)
    return True


def test_d_at_a_terminal_is_much_faster_than_importing_torch(tmp_path: Path) -> None:
    term, db = start(tmp_path)
    term.expect("Question number 1?")
    time.sleep(6)  # reading the card: the worker imports torch and the demo meanwhile
    term.send("\r")
    term.expect("Grade:")
    term.expect("d demo (softmax-temperature)")
    pressed = time.perf_counter()
    term.send("d")
    term.expect(f"demo {DEMO} on ")
    term.expect("takeaway")
    key_to_takeaway = time.perf_counter() - pressed
    term.send("4")
    term.expect("Question number 2?")
    term.send("\r")
    term.expect("Grade:")
    term.send("q")
    assert term.finish() == 0
    assert "Traceback" not in term.text and "Reviewed 1" in term.text
    assert reviews(db) == [("t1", "scheduled", 4)]

    started = time.perf_counter()  # after the quiz, so the page cache is as warm for it as for the worker
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    bare_import = time.perf_counter() - started
    print(f"\nd to takeaway: {key_to_takeaway:.3f} s; bare `import torch`: {bare_import:.3f} s")
    assert key_to_takeaway < 0.5 * bare_import, (key_to_takeaway, bare_import)


@pytest.mark.parametrize("when", ["idle", "busy in a demo"])
def test_kill_9_of_the_quiz_leaves_no_worker(tmp_path: Path, when: str) -> None:
    flag = tmp_path / "fault"
    if when != "idle":
        flag.write_text("hang")  # a demo that never ends: the worker never gets back to reading its stdin
    term, _ = start(tmp_path, QUIZDL_DEMO_WORKER_FAULT=str(flag))
    term.expect("Question number 1?")
    worker = the_worker(term)
    time.sleep(3)  # let it finish importing torch
    if when != "idle":
        term.send("\r")
        term.expect("Grade:")
        term.send("d")
        deadline = time.monotonic() + 10
        while flag.exists():
            assert time.monotonic() < deadline, "the worker never started the demo"
            time.sleep(0.05)
    os.kill(term.proc.pid, signal.SIGKILL)
    term.finish()
    assert gone(worker), f"worker {worker} still running after the quiz was killed ({when})"


@pytest.mark.parametrize("how", ["q", "end of input at the grade", "end of input at the answer"])
def test_quitting_leaves_no_worker(tmp_path: Path, how: str) -> None:
    term, _ = start(tmp_path)
    term.expect("Question number 1?")
    worker = the_worker(term)
    if how == "end of input at the answer":
        term.send("\x04")
    else:
        term.send("\r")
        term.expect("Grade:")
        term.send("q" if how == "q" else "\x04")
    assert term.finish() == 0
    assert "Traceback" not in term.text
    assert gone(worker, timeout=3), f"worker {worker} outlived the quiz ({how})"


def test_ctrl_c_during_a_demo_ends_with_a_summary_and_no_worker(tmp_path: Path) -> None:
    flag = tmp_path / "fault"
    flag.write_text("hang")
    term, _ = start(tmp_path, QUIZDL_DEMO_WORKER_FAULT=str(flag))
    term.expect("Question number 1?")
    worker = the_worker(term)
    term.send("\r")
    term.expect("Grade:")
    term.send("d")
    deadline = time.monotonic() + 10
    while flag.exists():
        assert time.monotonic() < deadline, "the worker never started the demo"
        time.sleep(0.05)
    os.killpg(term.proc.pid, signal.SIGINT)
    assert term.finish() == 0
    assert "Traceback" not in term.text and "Interrupted: no answers recorded." in term.text
    assert gone(worker, timeout=3)


def test_no_worker_for_cards_without_demos(tmp_path: Path) -> None:
    term, _ = start(tmp_path, demo=None)
    term.expect("Question number 1?")
    time.sleep(1.5)
    assert workers_of(term.proc.pid) == []
    term.send("\r")
    term.expect("Grade:")
    term.send("d")
    term.expect("this card has no demo")
    term.send("5")
    term.expect("Question number 2?")
    assert workers_of(term.proc.pid) == []
    term.send("\r")
    term.expect("Grade:")
    term.send("q")
    assert term.finish() == 0


@pytest.mark.parametrize("fault", ["crash", "hang"])
def test_a_crashing_or_hanging_worker_gives_one_line_and_d_again_works(tmp_path: Path, fault: str) -> None:
    flag = tmp_path / "fault"
    flag.write_text(fault)  # the worker's next run crashes (exit 70) or hangs, once
    term, db = start(tmp_path, QUIZDL_DEMO_WORKER_FAULT=str(flag), QUIZDL_DEMO_WORKER_TIMEOUT="3")
    term.expect("Question number 1?")
    first = the_worker(term)
    term.send("\r")
    term.expect("Grade:")
    term.send("d")
    expected = "the demo worker stopped (exit code 70" if fault == "crash" else "gave no answer in 3 s"
    term.expect(expected, timeout=30)
    term.expect("press d to try again")
    lines = [line for line in term.text.splitlines() if expected in line]
    assert len(lines) == 1 and lines[0].startswith(f"demo {DEMO}: ") and lines[0].endswith("try again"), lines
    assert gone(first, timeout=3)
    term.send("d")  # a fresh worker
    term.expect("takeaway")
    term.send("4")
    term.expect("Question number 2?")
    term.send("\r")
    term.expect("Grade:")
    term.send("q")
    assert term.finish() == 0
    assert "Traceback" not in term.text
    assert reviews(db) == [("t1", "scheduled", 4)]
    assert re.search(r"Reviewed 1\b", term.text)
