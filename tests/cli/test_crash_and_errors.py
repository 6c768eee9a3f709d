"""Bad input gives one clean line and exit code 2; a killed session loses at most the card on screen."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.helpers import TOPIC, cards, reviews, write_bank
from tests.conftest import invoke

NOW = {"QUIZDL_NOW": "2026-03-02T09:00:00+00:00"}


def one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("quizdl: error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_unknown_topic_lists_the_valid_ones(runner: CliRunner) -> None:
    line = one_line_error(invoke(runner, ["quiz", "--topic", "astrology"]))
    assert "--topic 'astrology' is not a topic; choose from: activations, " in line


def test_a_db_url_that_cannot_be_opened(runner: CliRunner, tmp_path: Path) -> None:
    assert "is not a database URL" in one_line_error(invoke(runner, ["quiz", "--db", "not a url"]))
    assert "unknown database kind 'nosuchdb'" in one_line_error(
        invoke(runner, ["db", "info", "--db", "nosuchdb://x/y"])
    )
    closed = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"
    line = one_line_error(invoke(runner, ["db", "info", "--db", closed]))
    assert "cannot open the database" in line and "secret" not in line


def test_a_file_that_is_not_sqlite(runner: CliRunner, tmp_path: Path) -> None:
    fake = tmp_path / "notes.db"
    fake.write_text("my shopping list\n" * 20)
    line = one_line_error(invoke(runner, ["quiz", "--db", f"sqlite:///{fake}"]))
    assert line == f"quizdl: error: {fake} is not an SQLite database; move it away or choose another --db"
    assert fake.read_text() == "my shopping list\n" * 20


def test_a_corrupted_sqlite_file(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    assert "cannot open the database" in one_line_error(invoke(runner, ["db", "info", "--db", f"sqlite:///{broken}"]))


def test_a_data_dir_that_cannot_be_created(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("QUIZDL_HOME", str(blocker / "sub"))
    assert "cannot create the data directory" in one_line_error(invoke(runner, ["stats"]))


def test_a_data_dir_that_is_not_writable(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root in CI, where chmod cannot take write access away: simulate what os.access reports.
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    line = one_line_error(invoke(runner, ["stats"]))
    assert "is not writable; fix its permissions or set QUIZDL_HOME" in line


def test_a_grade_outside_0_to_5(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank")
    db = f"sqlite:///{tmp_path / 'q.db'}"
    args = ["quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC]
    result = invoke(runner, args, input="\n5\n\n7\n", env=NOW)
    assert result.exit_code == 2, result.output
    assert "quizdl: error: stdin line 4: '7' is not a grade 0-5 or d, s, u, q" in result.output
    assert reviews(db) == [("t1", "scheduled", 5)]  # what was graded before the bad line is kept


def test_a_bank_yaml_error_names_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("topic: x\nquestions:\n  - id: a\n    difficulty: [\n")
    line = one_line_error(invoke(runner, ["quiz", "--bank", str(bad)]))
    assert line.startswith(f"quizdl: error: {bad}:5: YAML syntax error")


def test_bad_settings(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZDL_NOW", "tomorrow-ish")
    assert "QUIZDL_NOW='tomorrow-ish' is not an ISO-8601 datetime" in one_line_error(invoke(runner, ["db", "info"]))
    monkeypatch.delenv("QUIZDL_NOW")
    monkeypatch.setenv("QUIZDL_ROLLOVER_HOUR", "25")
    assert "QUIZDL_ROLLOVER_HOUR must be a whole number from 0 to 23" in one_line_error(invoke(runner, ["db", "info"]))


def test_kill_9_mid_session_loses_only_the_card_on_screen(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank")
    db = f"sqlite:///{tmp_path / 'crash.db'}"
    env = {**os.environ, **NOW, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}
    cmd = [sys.executable, "-m", "quizdl", "quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"\n5\n\n3\nhalf an answer\n")  # two graded cards, then typing on the third
    proc.stdin.flush()
    seen = b""
    deadline = time.monotonic() + 60
    while b"3/" not in seen and time.monotonic() < deadline:  # the third card's panel ("3/6": t2 awaits a re-drill)
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            seen += os.read(proc.stdout.fileno(), 65536)
    assert b"3/" in seen, seen.decode(errors="replace")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert reviews(db) == [("t1", "scheduled", 5), ("t2", "scheduled", 3)]
    before = cards(db)
    assert set(before) == {"t1", "t2"}
    from quizdl.store.engine import open_engine
    from quizdl.store.repo import rebuild_cards

    engine = open_engine(db)
    rebuild_cards(engine)
    engine.dispose()
    assert cards(db) == before  # the card table agrees with the log: nothing half-written


def test_torch_is_never_imported_on_the_quiz_path(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank")
    env = {**os.environ, **NOW, "QUIZDL_HOME": str(tmp_path / "home")}
    runs = [
        ([sys.executable, "-X", "importtime", "-m", "quizdl", "--help"], ""),
        ([sys.executable, "-X", "importtime", "-m", "quizdl", "quiz", "--bank", str(bank), "--topic", TOPIC], "\n5\n"),
    ]
    for cmd, stdin in runs:
        done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
        assert "torch" not in imported and "quizdl.cli.app" in imported, cmd
