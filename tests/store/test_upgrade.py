"""A database made with the first released schema, holding real history, upgrades with its data intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from quizdl.store.engine import HEAD_REVISION, current_revision, open_engine, upgrade
from quizdl.store.repo import rebuild_cards, replay_memory

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rev0001.sql"
TABLES = ("profiles", "sessions", "reviews", "cards")


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))] for t in TABLES}


def normalised(before: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    """What migration 0003 makes of a database: the legacy session mode 'review' becomes 'scheduled'."""
    sessions = [(*row[:-1], "scheduled" if row[-1] == "review" else row[-1]) for row in before["sessions"]]
    reviews = [(*row, None) for row in before["reviews"]]  # migration 0004: no suggestion was logged then
    profiles = [(*row, None, "sm2", 0.9) for row in before["profiles"]]  # migration 0006: SM-2, FSRS defaults
    cards = [(*row, None, None) for row in before["cards"]]  # migration 0006: no FSRS state under SM-2
    return {**before, "profiles": profiles, "sessions": sessions, "reviews": reviews, "cards": cards}


def without_recall(snap: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    """The snapshot without reviews.recall_before (migration 0005 fills it from the log; checked apart)."""
    return {**snap, "reviews": [row[:-1] for row in snap["reviews"]]}


def check_memory_replayed(engine: Engine) -> None:
    """Migration 0005's derived cache is filled: a memory state per answered card, the predicted recall
    before every answer but each card's first, equal to what a fresh replay of the log computes."""
    with engine.connect() as conn:
        cards = conn.execute(text("SELECT COUNT(DISTINCT profile_id || question_id) FROM reviews")).scalar()
        assert conn.execute(text("SELECT COUNT(*) FROM memory")).scalar() == cards
        first = conn.execute(text("SELECT COUNT(*) FROM reviews WHERE recall_before IS NULL")).scalar()
        assert first == cards
    stored = snapshot(engine)
    with engine.begin() as conn:
        for pid in conn.execute(text("SELECT id FROM profiles")).scalars().all():
            replay_memory(conn, pid)
    assert snapshot(engine) == stored


def check_upgraded(engine: Engine, before: dict[str, list[tuple[object, ...]]]) -> None:
    assert current_revision(engine) == HEAD_REVISION
    assert any(row[-1] == "review" for row in before["sessions"])  # the kept history has the legacy spelling
    before = normalised(before)
    assert without_recall(snapshot(engine)) == before
    assert "ix_reviews_profile_day" in {ix["name"] for ix in inspect(engine).get_indexes("reviews")}
    check_memory_replayed(engine)
    rebuild_cards(engine)  # the cards written under revision 0001 are exactly the log's replay
    assert without_recall(snapshot(engine)) == before


def test_the_kept_revision_0001_database_upgrades(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    old = open_engine(f"sqlite:///{db}", migrate=False)
    assert current_revision(old) == "0001"
    before = snapshot(old)
    old.dispose()
    assert len(before["reviews"]) == (7 + 2) * 3 + (5 + 2) * 3  # ana 7 days + 2 re-drill days, ben 5 + 2; 3 cards
    engine = open_engine(f"sqlite:///{db}")
    check_upgraded(engine, before)
    engine.dispose()


@pytest.mark.postgres
def test_revision_0001_with_history_upgrades_on_postgresql(pg_server: str) -> None:
    from tests.conftest import fresh_pg_database

    databases = fresh_pg_database(pg_server)
    url = next(databases)
    try:
        old = open_engine(url, migrate=False)
        upgrade(old, "0001")
        # The kept history itself, as revision 0001 stored it (the store's code has moved on since).
        lines = FIXTURE.read_text(encoding="utf-8").splitlines()
        with old.begin() as conn:
            for table in TABLES:  # parents before children
                for line in lines:
                    if line.startswith(f'INSERT INTO "{table}" '):
                        conn.exec_driver_sql(line.rstrip(";"))
        before = snapshot(old)
        old.dispose()
        engine = open_engine(url)
        check_upgraded(engine, before)
        engine.dispose()
    finally:
        databases.close()
