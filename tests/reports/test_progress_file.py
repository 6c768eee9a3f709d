"""Backups: export a profile's history, import it elsewhere, and find exactly the same cards and review log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from quizdl.errors import QuizdlError
from quizdl.reports.progress_file import (
    ProgressFileError,
    dump_progress,
    export_progress,
    import_progress,
    load_progress,
)
from quizdl.reports.render_csv import utc_iso
from quizdl.store.engine import open_engine
from quizdl.store.repo import find_profile
from quizdl.store.schema import Card, Review, StudySession
from tests.conftest import invoke
from tests.reports.conftest import History
from tests.reports.history import ALICE, BOB, NOW, play


def log(engine: Engine, profile: str) -> list[tuple[Any, ...]]:
    """The review log in order, with each review's session named by its start (ids differ between databases)."""
    pid = find_profile(engine, profile)
    skip = {"id", "profile_id", "session_id", "reviewed_at"}
    columns = [c for c in Review.__table__.columns if c.name not in skip]
    with engine.connect() as conn:
        rows = conn.execute(
            select(Review.reviewed_at, StudySession.started_at, *columns)
            .outerjoin(StudySession, StudySession.id == Review.session_id)
            .where(Review.profile_id == pid)
            .order_by(Review.id)
        ).all()
    return [(utc_iso(r[0]), utc_iso(r[1]) if r[1] else None, *r[2:]) for r in rows]


def card_table(engine: Engine, profile: str) -> dict[str, tuple[Any, ...]]:
    pid = find_profile(engine, profile)
    fields = (Card.ef, Card.interval, Card.repetitions, Card.due, Card.lapses, Card.last_review, Card.introduced_on)
    with engine.connect() as conn:
        rows = conn.execute(select(Card.question_id, *fields).where(Card.profile_id == pid)).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def exported(history: History) -> str:
    return dump_progress(export_progress(history.engine, history.alice, NOW))


def test_round_trip_into_a_fresh_database(history: History, tmp_path: Path) -> None:
    text = exported(history)
    fresh = open_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    result = import_progress(fresh, load_progress(text, "backup.json"), "alice")
    assert (result.mode, result.reviews_added, result.sessions_added, result.cards) == ("new", 31, 18, 6)
    assert log(fresh, "alice") == log(history.engine, "alice")
    assert card_table(fresh, "alice") == card_table(history.engine, "alice")
    # Exporting the copy gives the same payload (the export time aside).
    again = json.loads(dump_progress(export_progress(fresh, find_profile(fresh, "alice") or 0, NOW)))
    first = json.loads(text)
    for doc in (again, first):
        for s in doc["payload"]["sessions"]:
            s.pop("id")
        for r in doc["payload"]["reviews"]:
            r.pop("session_id")
    assert again["payload"] == first["payload"]
    fresh.dispose()


def test_round_trip_into_the_same_server(history: History) -> None:
    """Same database (SQLite or PostgreSQL): import under a new profile name."""
    import_progress(history.engine, load_progress(exported(history), "b.json"), "alice-copy")
    assert log(history.engine, "alice-copy") == log(history.engine, "alice")
    assert card_table(history.engine, "alice-copy") == card_table(history.engine, "alice")


def test_existing_history_needs_merge_or_replace(history: History) -> None:
    data = load_progress(exported(history), "b.json")
    with pytest.raises(QuizdlError, match=r"already has history; use --merge .* or --replace"):
        import_progress(history.engine, data, "alice")
    with pytest.raises(QuizdlError, match="exclude each other"):
        import_progress(history.engine, data, "alice", merge=True, replace=True)


def test_merge_never_duplicates(history: History) -> None:
    before_log, before_cards = log(history.engine, "alice"), card_table(history.engine, "alice")
    result = import_progress(history.engine, load_progress(exported(history), "b.json"), "alice", merge=True)
    assert (result.mode, result.reviews_added, result.reviews_skipped, result.sessions_added) == ("merge", 0, 31, 0)
    assert log(history.engine, "alice") == before_log
    assert card_table(history.engine, "alice") == before_cards


def test_merge_adds_the_missing_reviews_and_replays_cards(history: History, tmp_path: Path) -> None:
    """Bob's backup merged into a database where bob only did the first day: the rest is added once."""
    partial = open_engine(f"sqlite:///{tmp_path / 'partial.db'}")
    play(partial, "bob", BOB[:2])  # day 29 only
    text = dump_progress(export_progress(history.engine, history.bob, NOW))
    result = import_progress(partial, load_progress(text, "bob.json"), "bob", merge=True)
    # The replayed sessions in `partial` started at the same moments as in the original: they are matched.
    assert (result.reviews_added, result.reviews_skipped, result.sessions_added) == (1, 2, 1)
    assert log(partial, "bob") == log(history.engine, "bob")
    assert card_table(partial, "bob") == card_table(history.engine, "bob")
    partial.dispose()


def test_replace(history: History) -> None:
    bob_backup = load_progress(dump_progress(export_progress(history.engine, history.bob, NOW)), "bob.json")
    result = import_progress(history.engine, bob_backup, "alice", replace=True)
    assert (result.mode, result.reviews_added, result.cards) == ("replace", 3, 2)
    assert log(history.engine, "alice") == log(history.engine, "bob")
    assert card_table(history.engine, "alice") == card_table(history.engine, "bob")


def _counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(Review)).scalar_one(),
            conn.execute(select(func.count()).select_from(Card)).scalar_one(),
            conn.execute(select(func.count()).select_from(StudySession)).scalar_one(),
        )


def _edit(text: str, change: Any, *, fix_checksum: bool = False) -> str:
    import hashlib

    from quizdl.reports.progress_file import canonical

    doc = json.loads(text)
    change(doc)
    if fix_checksum:
        doc["sha256"] = hashlib.sha256(canonical(doc["payload"])).hexdigest()
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda t: t[: len(t) // 2], r"not valid JSON \(truncated or edited\?\)"),
        (lambda t: "", "not valid JSON"),
        (lambda t: _edit(t, lambda d: d["payload"]["reviews"][3].update(grade=5)), "checksum mismatch"),
        (lambda t: _edit(t, lambda d: d.update(version=3)), "version 3 is not supported"),
        (lambda t: _edit(t, lambda d: d.update(format="other")), "not a quizdl progress file"),
        (lambda t: _edit(t, lambda d: d["payload"]["reviews"].pop(), fix_checksum=True), "do not match the content"),
        (
            lambda t: _edit(t, lambda d: d["payload"]["reviews"][3].update(grade=7), fix_checksum=True),
            r"reviews\[3\].grade: a grade must be 0 to 5",
        ),
        (
            lambda t: _edit(t, lambda d: d["payload"]["cards"][0].update(due="soon"), fix_checksum=True),
            r"cards\[0\].due: expected a date",
        ),
        (
            lambda t: _edit(
                t, lambda d: d["payload"]["reviews"][0].update(reviewed_at="2026-01-01T09:00:00"), fix_checksum=True
            ),
            "expected an ISO-8601 time with a zone",
        ),
        (
            lambda t: _edit(t, lambda d: d["payload"]["cards"][0].update(interval=2**40), fix_checksum=True),
            r"cards\[0\].interval: expected a whole number",
        ),
        (
            lambda t: _edit(t, lambda d: d["payload"]["reviews"][0].update(question_id="x" * 201), fix_checksum=True),
            r"reviews\[0\].question_id: expected a question id of 1 to 200 characters",
        ),
        (
            lambda t: _edit(t, lambda d: d["payload"]["reviews"][0].update(session_id=999), fix_checksum=True),
            "session_id 999 is not a session of the file",
        ),
    ],
)
def test_damaged_files_are_rejected_before_any_write(history: History, damage: Any, message: str) -> None:
    before = _counts(history.engine)
    with pytest.raises(ProgressFileError, match=message):
        load_progress(damage(exported(history)), "b.json")
    assert _counts(history.engine) == before


def test_a_failed_import_writes_nothing(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after sessions and reviews were inserted (merge: bob's log into alice) rolls it all back."""
    from quizdl.reports import progress_file

    data = load_progress(dump_progress(export_progress(history.engine, history.bob, NOW)), "bob.json")
    before = _counts(history.engine)

    def boom(conn: Any, pid: int) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(progress_file.repo, "replay_cards", boom)
    with pytest.raises(RuntimeError):
        import_progress(history.engine, data, "alice", merge=True)
    assert _counts(history.engine) == before


def test_cli_export_and_import(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    engine = open_engine(db_url)
    play(engine, "alice", ALICE)
    engine.dispose()
    backup = tmp_path / "alice.json"
    env = {"QUIZDL_NOW": NOW.isoformat()}
    result = invoke(runner, ["export", "progress", "-o", str(backup), "--db", db_url, "-p", "alice"], env=env)
    assert result.exit_code == 0, result.output
    assert "exported profile 'alice': 31 reviews, 6 cards, 18 sessions" in result.output
    other = f"sqlite:///{tmp_path / 'other.db'}"
    result = invoke(runner, ["import", "progress", str(backup), "--db", other], env=env)
    assert result.exit_code == 0, result.output
    assert "imported into profile 'alice' (new): 31 reviews, 18 sessions, 6 card states" in result.output
    again = invoke(runner, ["import", "progress", str(backup), "--db", other], env=env)
    assert again.exit_code == 2 and "quizdl: error: profile 'alice' already has history" in again.output
    merged = invoke(runner, ["import", "progress", str(backup), "--db", other, "--merge"], env=env)
    assert "0 reviews, 31 already present" in merged.output
    backup.write_text(backup.read_text(encoding="utf-8")[:-200], encoding="utf-8")
    broken = invoke(runner, ["import", "progress", str(backup), "--db", other, "-p", "new"], env=env)
    assert broken.exit_code == 2 and broken.output.startswith(f"quizdl: error: {backup}: not valid JSON")
    missing = invoke(runner, ["import", "progress", str(tmp_path / "nope.json"), "--db", other], env=env)
    assert missing.exit_code == 2 and "cannot read" in missing.output
