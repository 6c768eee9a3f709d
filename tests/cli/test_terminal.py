"""The interactive quiz in a real pseudo-terminal: typed lines, single-key grades, Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.helpers import TOPIC, reviews, write_bank

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """A child process on a pty; `expect` waits for text on its screen."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.screen = b""
        self.seen_up_to = 0

    @property
    def text(self) -> str:
        """What a person reads: the screen without colour codes."""
        return ANSI.sub("", self.screen.decode(errors="replace"))

    def expect(self, text: str, timeout: float = 60) -> None:
        """Wait for `text` to appear after what the previous expect matched (as a person reads on)."""
        deadline = time.monotonic() + timeout
        while text not in self.text[self.seen_up_to :]:
            assert time.monotonic() < deadline, f"never saw {text!r} in:\n{self.text}"
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    break
        found = self.text.find(text, self.seen_up_to)
        assert found >= 0, self.text
        self.seen_up_to = found + len(text)

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        try:  # keep draining the screen, or a child blocked on a full terminal never exits
            while self.proc.poll() is None and time.monotonic() < deadline:
                if select.select([self.master], [], [], 0.2)[0]:
                    self.screen += os.read(self.master, 65536)
            while select.select([self.master], [], [], 0.2)[0]:
                self.screen += os.read(self.master, 65536)
        except OSError:  # the child closed its end of the terminal: it is exiting, so wait for it
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        os.close(self.master)
        assert self.proc.poll() is not None, f"still running after {timeout} s:\n{self.text}"
        return self.proc.returncode


def start(tmp_path: Path) -> tuple[Terminal, str]:
    bank = write_bank(tmp_path / "bank", n=3)
    db = f"sqlite:///{tmp_path / 'tty.db'}"
    env = {**os.environ, "QUIZDL_NOW": "2026-03-02T09:00:00+00:00", "COLUMNS": "100", "TERM": "xterm"}
    args = [sys.executable, "-m", "quizdl", "quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC]
    return Terminal(args, env), db


def test_type_an_answer_then_grade_with_one_key(tmp_path: Path) -> None:
    term, db = start(tmp_path)
    term.expect("Question number 1?")
    term.send("gradients flow\r")
    term.send("\r")  # an empty line reveals
    term.expect("Model answer")
    term.expect("You mentioned 1 of 2 key points.")
    term.send("4")  # one key, no Enter
    term.expect("Question number 2?")
    term.send("\r")
    term.expect("Grade:")
    term.send("q")
    assert term.finish() == 0
    assert "Reviewed 1" in term.text and "Traceback" not in term.text
    assert reviews(db) == [("t1", "scheduled", 4)]


def test_ctrl_c_ends_with_a_summary(tmp_path: Path) -> None:
    term, db = start(tmp_path)
    term.expect("Question number 1?")
    term.send("\r")
    term.expect("Grade:")
    term.send("5")
    term.expect("Question number 2?")
    term.send("half an ans")
    os.killpg(term.proc.pid, signal.SIGINT)
    assert term.finish() == 0
    assert "Reviewed 1" in term.text and "Traceback" not in term.text
    assert reviews(db) == [("t1", "scheduled", 5)]
