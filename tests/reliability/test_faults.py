"""Faults: a full disk mid-session and a kill during a migration leave a consistent database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.pool import Pool
from typer.testing import CliRunner

from tests.cli.helpers import TOPIC, cards, reviews, write_bank
from tests.conftest import invoke


def test_a_full_disk_mid_session(runner: CliRunner, tmp_path: Path) -> None:
    db_file = tmp_path / "full.db"
    db = f"sqlite:///{db_file}"
    bank = write_bank(tmp_path / "bank", n=40)
    invoke(runner, ["db", "upgrade", "--db", db])
    engine = create_engine(db)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    engine.dispose()

    def cap_size(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # SQLite's own way to simulate a full disk: writes past this many pages fail with SQLITE_FULL.
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 6}")

    event.listen(Pool, "connect", cap_size)
    try:
        typed = "a long typed answer " * 150  # ~3 KB: about one page per review
        stdin = "".join(f"{typed}\n\n4\n" for _ in range(40))
        args = ["quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC, "--new", "40"]
        result = invoke(runner, args, input=stdin, env={"QUIZDL_NOW": "2026-04-01T10:00:00+00:00"})
    finally:
        event.remove(Pool, "connect", cap_size)
    assert result.exit_code == 2, result.output
    assert "quizdl: error: database error: database or disk is full (answers already saved are kept)" in result.output
    assert "Traceback" not in result.output
    saved = reviews(db)
    assert 0 < len(saved) < 40
    assert set(cards(db)) == {qid for qid, _, _ in saved}  # every saved answer has its card, no half-writes


def test_kill_9_during_a_migration_leaves_the_old_schema_or_the_new(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'mig.db'}"
    marker = tmp_path / "halfway"
    # A child process migrates a blank database but stalls after the first table, as if the machine died there.
    child = f"""
import time
from alembic.operations import Operations
real = Operations.create_table
def slow(self, *args, **kwargs):
    table = real(self, *args, **kwargs)
    open({str(marker)!r}, "w").close()
    time.sleep(60)
    return table
Operations.create_table = slow
from quizdl.store.engine import open_engine
open_engine({db!r})
"""
    proc = subprocess.Popen([sys.executable, "-c", child], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), proc.stderr.read().decode() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    engine = create_engine(db)
    assert inspect(engine).get_table_names() == []  # the half-done upgrade was rolled back as a whole
    engine.dispose()
    from quizdl.store.engine import HEAD_REVISION, current_revision, open_engine

    reopened = open_engine(db)
    assert current_revision(reopened) == HEAD_REVISION
    reopened.dispose()


@pytest.mark.postgres
def test_kill_9_during_a_migration_on_postgresql(pg_server: str) -> None:
    from tests.conftest import fresh_pg_database

    gen = fresh_pg_database(pg_server)
    url = next(gen)
    try:
        child = f"""
import os, time
from alembic.operations import Operations
real = Operations.create_table
def slow(self, *args, **kwargs):
    table = real(self, *args, **kwargs)
    print("halfway", flush=True)
    time.sleep(60)
    return table
Operations.create_table = slow
from quizdl.store.engine import open_engine
open_engine({url!r})
"""
        proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE)
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"halfway"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        time.sleep(0.5)  # the server notices the dead client and rolls its transaction back
        engine = create_engine(url)
        assert inspect(engine).get_table_names() == []
        engine.dispose()
        from quizdl.store.engine import HEAD_REVISION, current_revision, open_engine

        reopened = open_engine(url)
        assert current_revision(reopened) == HEAD_REVISION
        reopened.dispose()
    finally:
        gen.close()


def _big_history(db: str, reviews: int) -> None:
    """A profile with `reviews` reviews over 300 cards, bulk-inserted through the real schema."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import insert

    from quizdl.store.engine import open_engine
    from quizdl.store.repo import ensure_profile, rebuild_cards
    from quizdl.store.schema import Review

    engine = open_engine(db)
    pid = ensure_profile(engine, "big", datetime(2025, 1, 1, tzinfo=UTC))
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    rows = [
        {
            "profile_id": pid, "session_id": None, "question_id": f"card-{i % 300:03d}",
            "reviewed_at": start + timedelta(minutes=i), "study_day": date(2025, 1, 1) + timedelta(days=i // 300),
            "kind": "scheduled", "grade": 3 + i % 3, "response_ms": 1000 + i, "typed_answer": f"answer {i}",
            "ef_before": 2.5, "interval_before": 1, "repetitions_before": 1, "due_before": None,
            "ef_after": 2.5, "interval_after": 1, "repetitions_after": 1, "due_after": None,
        }
        for i in range(reviews)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Review.__table__), rows)
    rebuild_cards(engine)
    engine.dispose()


def test_kill_9_during_an_import_writes_nothing(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from quizdl.reports.progress_file import dump_progress, export_progress
    from quizdl.store.engine import open_engine

    source = f"sqlite:///{tmp_path / 'source.db'}"
    _big_history(source, 60_000)
    engine = open_engine(source)
    backup = tmp_path / "big.json"
    backup.write_text(dump_progress(export_progress(engine, 1, datetime(2026, 1, 1, tzinfo=UTC))), encoding="utf-8")
    engine.dispose()

    target_file = tmp_path / "target.db"
    target = f"sqlite:///{target_file}"
    open_engine(target).dispose()  # an existing, migrated database
    wal = tmp_path / "target.db-wal"
    base = wal.stat().st_size if wal.exists() else 0
    proc = subprocess.Popen([sys.executable, "-m", "quizdl", "import", "progress", str(backup), "--db", target])
    deadline = time.monotonic() + 120
    # Kill once the import's transaction has written a good part of its pages, well before it commits.
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > base + 2_000_000:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the import finished before it could be killed: make the history bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    check = sqlite3.connect(target_file)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert check.execute("SELECT count(*) FROM reviews").fetchone() == (0,)
    assert check.execute("SELECT count(*) FROM profiles").fetchone() == (0,)
    check.close()
    done = subprocess.run([sys.executable, "-m", "quizdl", "import", "progress", str(backup), "--db", target],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    check = sqlite3.connect(target_file)
    assert check.execute("SELECT count(*) FROM reviews").fetchone() == (60_000,)
    check.close()
